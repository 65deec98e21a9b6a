/* The node tree of a scenario document: libyaml's parse (a line and column
 * for every node), reading and editing it by node id, and the overrides. */
#include "scenario/scenario_internal.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Parsing.
 */

/* The character at a 0-based line and column (columns count characters,
 * not bytes), or '\0'. */
static char char_at(const char *text, size_t line, size_t column)
{
    const char *p = text;
    for (size_t l = 0; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p)
        return '\0';
    for (size_t c = 0; c < column && *p && *p != '\n'; c++) {
        p++;
        while (((unsigned char)*p & 0xc0) == 0x80)
            p++;
    }
    return *p;
}

remap_status remap__scn_parse_text(struct scn_loader *L, const char *text,
                                   remap_error *err)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return remap_fail(err, REMAP_ENOMEM, "%s: out of memory", L->source);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text,
                                 strlen(text));
    remap_status st = REMAP_OK;
    yaml_document_t extra;
    bool ok = yaml_parser_load(&parser, &L->doc);
    if (ok) {
        L->have_doc = true;
        ok = yaml_parser_load(&parser, &extra);
        if (ok) {
            yaml_node_t *root = yaml_document_get_root_node(&extra);
            if (root)
                st = remap_fail(err, REMAP_ESCENARIO,
                                "%s:%zu:%zu: a scenario file holds one YAML "
                                "document; found a second one here",
                                L->source, root->start_mark.line + 1,
                                root->start_mark.column + 1);
            yaml_document_delete(&extra);
        }
    }
    if (!ok) {
        if (parser.error == YAML_MEMORY_ERROR)
            st = remap_fail(err, REMAP_ENOMEM, "%s: out of memory",
                            L->source);
        else if (parser.error == YAML_READER_ERROR)
            st = remap_fail(err, REMAP_ESCENARIO, "%s: %s at byte %zu",
                            L->source, parser.problem, parser.problem_offset);
        else if (char_at(text, parser.problem_mark.line,
                         parser.problem_mark.column) == '\t')
            st = remap_fail(err, REMAP_ESCENARIO,
                            "%s:%zu:%zu: %s (a tab: YAML indents with "
                            "spaces only)",
                            L->source, parser.problem_mark.line + 1,
                            parser.problem_mark.column + 1, parser.problem);
        else if (parser.context)
            st = remap_fail(err, REMAP_ESCENARIO,
                            "%s:%zu:%zu: %s (%s at line %zu, column %zu)",
                            L->source, parser.problem_mark.line + 1,
                            parser.problem_mark.column + 1, parser.problem,
                            parser.context, parser.context_mark.line + 1,
                            parser.context_mark.column + 1);
        else
            st = remap_fail(err, REMAP_ESCENARIO, "%s:%zu:%zu: %s", L->source,
                            parser.problem_mark.line + 1,
                            parser.problem_mark.column + 1,
                            parser.problem ? parser.problem : "syntax error");
    }
    yaml_parser_delete(&parser);
    return st;
}

/* ------------------------------------------------------------------------
 * Reading the node tree.
 */

yaml_node_t *remap__scn_node_at(struct scn_loader *L, int id)
{
    return yaml_document_get_node(&L->doc, id);
}

int remap__scn_node_origin(const struct scn_loader *L, int id)
{
    size_t i = (size_t)id - 1;
    return i < L->node_origin_len ? L->node_origin[i] : -1;
}

void remap__scn_node_place(struct scn_loader *L, int id, int *origin,
                           int *line, int *col)
{
    yaml_node_t *n = remap__scn_node_at(L, id);
    *origin = remap__scn_node_origin(L, id);
    *line = *origin < 0 && n ? (int)n->start_mark.line + 1 : 0;
    *col = *origin < 0 && n ? (int)n->start_mark.column + 1 : 0;
}

/* ------------------------------------------------------------------------
 * Editing the node tree (overrides, empty sections). Adding a node may move
 * the node array, so code holds node ids, never node pointers, across these.
 */

static bool note_origin(struct scn_loader *L, int id, int origin)
{
    if (id <= 0) {
        L->nomem = true;
        return false;
    }
    size_t need = (size_t)id;
    if (need > L->node_origin_len) {
        size_t len = need + 16;
        int *o = realloc(L->node_origin, len * sizeof *o);
        if (!o) {
            L->nomem = true;
            return false;
        }
        for (size_t i = L->node_origin_len; i < len; i++)
            o[i] = -1;
        L->node_origin = o;
        L->node_origin_len = len;
    }
    L->node_origin[id - 1] = origin;
    return true;
}

static int add_scalar(struct scn_loader *L, const char *text, int origin)
{
    int id = yaml_document_add_scalar(&L->doc, NULL,
                                      (yaml_char_t *)(uintptr_t)text,
                                      (int)strlen(text), YAML_ANY_SCALAR_STYLE);
    return note_origin(L, id, origin) ? id : 0;
}

int remap__scn_add_mapping(struct scn_loader *L, int origin)
{
    int id = yaml_document_add_mapping(&L->doc, NULL,
                                       YAML_BLOCK_MAPPING_STYLE);
    return note_origin(L, id, origin) ? id : 0;
}

int remap__scn_add_sequence(struct scn_loader *L, int origin)
{
    int id = yaml_document_add_sequence(&L->doc, NULL,
                                        YAML_BLOCK_SEQUENCE_STYLE);
    return note_origin(L, id, origin) ? id : 0;
}

long remap__scn_find_pair(struct scn_loader *L, int map, const char *key)
{
    yaml_node_t *n = remap__scn_node_at(L, map);
    if (!n || n->type != YAML_MAPPING_NODE)
        return -1;
    yaml_node_pair_t *pairs = n->data.mapping.pairs.start;
    long count = n->data.mapping.pairs.top - pairs;
    for (long i = 0; i < count; i++) {
        yaml_node_t *k = remap__scn_node_at(L, pairs[i].key);
        if (k && k->type == YAML_SCALAR_NODE &&
            strcmp((const char *)k->data.scalar.value, key) == 0)
            return i;
    }
    return -1;
}

int remap__scn_pair_value(struct scn_loader *L, int map, long index)
{
    return remap__scn_node_at(L, map)->data.mapping.pairs.start[index].value;
}

int remap__scn_value_of(struct scn_loader *L, int map, const char *key)
{
    long i = remap__scn_find_pair(L, map, key);
    return i < 0 ? 0 : remap__scn_pair_value(L, map, i);
}

void remap__scn_set_pair_value(struct scn_loader *L, int map, long index,
                               int value)
{
    remap__scn_node_at(L, map)->data.mapping.pairs.start[index].value = value;
}

/* How many mapping values and sequence items refer to node id (more than
 * one when YAML aliases share it). */
static int references(struct scn_loader *L, int id)
{
    int refs = 0;
    for (yaml_node_t *n = L->doc.nodes.start; n < L->doc.nodes.top; n++) {
        if (n->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
                 p < n->data.mapping.pairs.top; p++)
                refs += p->value == id;
        } else if (n->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *it = n->data.sequence.items.start;
                 it < n->data.sequence.items.top; it++)
                refs += *it == id;
        }
    }
    return refs;
}

/* A mapping holding the same pairs as map, so that an override can edit a
 * mapping that an alias shares without editing the other use. */
static int copy_mapping(struct scn_loader *L, int map, int origin)
{
    int copy = remap__scn_add_mapping(L, origin);
    if (!copy)
        return 0;
    yaml_node_t *n = remap__scn_node_at(L, map);
    long count = n->data.mapping.pairs.top - n->data.mapping.pairs.start;
    for (long i = 0; i < count; i++) {
        yaml_node_pair_t p =
            remap__scn_node_at(L, map)->data.mapping.pairs.start[i];
        if (!yaml_document_append_mapping_pair(&L->doc, copy, p.key,
                                               p.value)) {
            L->nomem = true;
            return 0;
        }
    }
    return copy;
}

/* ------------------------------------------------------------------------
 * Overrides: "dotted.path=value", checked against the schema, then written
 * into the tree (replacing the scalar there, creating missing mappings).
 */

static void apply_override(struct scn_loader *L, size_t index, char *path,
                           const char *value)
{
    int origin = (int)index;
    int root = 1; /* the root node is always node 1 */
    int cur = root;
    if (remap__scn_node_at(L, cur)->type != YAML_MAPPING_NODE)
        return; /* the walk reports the top level */
    char *save = NULL;
    char *seg = strtok_r(path, ".", &save);
    while (seg) {
        char *next = strtok_r(NULL, ".", &save);
        long at = remap__scn_find_pair(L, cur, seg);
        if (!next) {
            int v = add_scalar(L, value, origin);
            if (!v)
                return;
            if (at >= 0) {
                remap__scn_set_pair_value(L, cur, at, v);
            } else {
                int k = add_scalar(L, seg, origin);
                if (!k || !yaml_document_append_mapping_pair(&L->doc, cur, k,
                                                             v))
                    L->nomem = true;
            }
            return;
        }
        int child;
        if (at < 0) {
            int k = add_scalar(L, seg, origin);
            child = remap__scn_add_mapping(L, origin);
            if (!k || !child ||
                !yaml_document_append_mapping_pair(&L->doc, cur, k, child)) {
                L->nomem = true;
                return;
            }
        } else {
            child = remap__scn_pair_value(L, cur, at);
            if (remap__scn_node_at(L, child)->type != YAML_MAPPING_NODE)
                return; /* the walk reports that this is not a mapping */
            if (references(L, child) > 1) {
                child = copy_mapping(L, child, origin);
                if (!child)
                    return;
                remap__scn_set_pair_value(L, cur, at, child);
            }
        }
        cur = child;
        seg = next;
    }
}

static void check_override(struct scn_loader *L, size_t index)
{
    const char *text = L->overrides[index];
    const char *eq = strchr(text, '=');
    size_t klen = eq ? (size_t)(eq - text) : 0;
    char path[SCN_PATH_LEN], walk[SCN_PATH_LEN], done[SCN_PATH_LEN] = "";
    if (klen > 0 && klen < SCN_PATH_LEN) {
        memcpy(path, text, klen);
        path[klen] = '\0';
    }
    /* Every segment of the path must be named: no "a..b", ".a" or "a.". */
    if (!eq || klen == 0 || klen >= SCN_PATH_LEN || !eq[1] ||
        path[0] == '.' || path[klen - 1] == '.' || strstr(path, "..")) {
        remap__scn_diag_override(L, index,
                                 "expected path=value, for example "
                                 "projections.afferent.learning_rate=0.05");
        return;
    }
    memcpy(walk, path, klen + 1);

    const cyaml_schema_field_t *fields = remap__scn_top_fields();
    char *save = NULL;
    for (char *seg = strtok_r(walk, ".", &save); seg;) {
        char *next = strtok_r(NULL, ".", &save);
        char in[SCN_PATH_LEN + 8], hint[SCN_PATH_LEN + 32];
        const cyaml_schema_field_t *f = remap__scn_find_field(fields, seg);
        if (!f) {
            remap__scn_diag_override(
                L, index, "unknown key '%s'%s%s", seg,
                remap__scn_in_clause(in, sizeof in, done),
                remap__scn_key_suggestion(hint, sizeof hint, seg, fields));
            return;
        }
        char here[SCN_PATH_LEN];
        remap__scn_join_path(here, done, seg);
        memcpy(done, here, sizeof done);
        if (f->value.type == CYAML_IGNORE) {
            remap__scn_diag_override(
                L, index, "%s cannot be overridden; edit it in the file",
                done);
            return;
        }
        if (f->value.type == CYAML_MAPPING) {
            if (!next) {
                remap__scn_diag_override(L, index,
                                         "%s is a group of settings, not a "
                                         "value; name one of its keys",
                                         done);
                return;
            }
            fields = f->value.mapping.fields;
        } else if (next) {
            remap__scn_diag_override(L, index,
                                     "%s is a value and has no key '%s'",
                                     done, next);
            return;
        }
        seg = next;
    }
    apply_override(L, index, path, eq + 1);
}

void remap__scn_apply_overrides(struct scn_loader *L)
{
    for (size_t i = 0; i < L->override_count; i++)
        check_override(L, i);
}
