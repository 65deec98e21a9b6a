/* Internal to src/scenario: the document as libcyaml loads it, and the
 * loader state and functions that the scenario source files share. */
#ifndef REMAP_SCENARIO_INTERNAL_H
#define REMAP_SCENARIO_INTERNAL_H

/* A load runs in steps: libyaml parses the text into a node tree, which
 * keeps a line and column for every node (tree.c); command-line overrides
 * edit that tree (tree.c); a walk checks it against the libcyaml schema
 * (schema.c) for keys, types, ranges and event rules and collects every
 * error with its place (walk.c, diag.c); and only a document that passes is
 * emitted again and handed to libcyaml, whose own messages carry no line
 * numbers (emit.c, scenario.c). The resolved text is then written from the
 * loaded values (emit.c). */

#include "scenario/scenario.h"

#include <cyaml/cyaml.h>
#include <yaml.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------
 * The document as libcyaml loads it (schema.c). Model parameters load
 * straight into a remap_params: the YAML groups (sheets, projections, …)
 * map onto runs of consecutive members, so the schema offsets are offsets
 * into it.
 */

struct scn_doc_set {
    char path[128];
    double value;
};

struct scn_doc_checkpoint {
    char label[64];
};

/* One pointer per event kind; exactly one is set in a loaded event. */
struct scn_doc_event {
    uint64_t at;
    struct scn_doc_set *set;
    struct scn_doc_checkpoint *checkpoint;
};

struct scn_doc_interval {
    uint64_t interval;
};

struct scn_doc_outputs {
    bool metrics;
    bool checkpoints;
};

struct scn_doc {
    char *name;
    uint64_t seed;
    uint64_t iterations;
    remap_params params;
    struct scn_doc_interval measure;
    struct scn_doc_interval checkpoint;
    struct scn_doc_outputs outputs;
    struct scn_doc_event *timeline;
    unsigned timeline_count;
};

/* The whole document, and one timeline entry: `at` plus one optional key
 * per event kind (listed again in remap__scn_event_kinds). */
extern const cyaml_schema_field_t remap__scn_top_fields[];
extern const cyaml_schema_value_t remap__scn_top_schema;
extern const cyaml_schema_field_t remap__scn_event_fields[];
extern const cyaml_schema_value_t remap__scn_event_schema;

/* Dotted paths of schema keys ("projections.afferent.radius") name the
 * leaves in messages and in the parameter and settings tables. */
#define SCN_PATH_LEN 128

/* A number that is not a model parameter, with its range (parameters have
 * theirs in the parameter table). */
struct scn_setting {
    const char *path;
    uint64_t min, max;
};

/* The settings entry for path, or NULL. */
const struct scn_setting *remap__scn_find_setting(const char *path);

/* Fills d with the values of keys left out of a file (name: NULL, no
 * timeline). */
void remap__scn_doc_defaults(struct scn_doc *d);

/* The field of f (ended by CYAML_FIELD_END) whose key is key, or NULL. */
const cyaml_schema_field_t *remap__scn_find_field(
    const cyaml_schema_field_t *f, const char *key);

/* " (did you mean 'x'?)" for the key of fields nearest to word, or "";
 * written into buf and returned. */
const char *remap__scn_key_suggestion(char *buf, size_t size,
                                      const char *word,
                                      const cyaml_schema_field_t *fields);

/* out[SCN_PATH_LEN] = parent.key (or key at the top level), cut to
 * SCN_PATH_LEN - 1 characters. */
void remap__scn_join_path(char *out, const char *parent, const char *key);

struct scn_loader;

/* Event kinds: the key that introduces each in a timeline entry, the check
 * of its fields beyond the schema (NULL: none), and its conversion to a
 * remap_event. */
struct scn_event_kind {
    const char *key;
    remap_event_kind kind;
    void (*check)(struct scn_loader *L, int id, const char *path);
    void (*convert)(const struct scn_doc_event *d, remap_event *ev);
};

extern const struct scn_event_kind remap__scn_event_kinds[];
extern const size_t remap__scn_event_kind_count;

/* The loaded data of kind k in event d (NULL when d is of another kind). */
const void *remap__scn_event_data(const struct scn_doc_event *d, size_t k);

/* ------------------------------------------------------------------------
 * The state of one load.
 */

/* A timeline entry seen by the walk. */
struct scn_seen_event {
    int line, col;
    int at_node; /* node id of the `at` value, 0 if absent */
};

struct scn_diag;  /* diag.c */
struct scn_place; /* diag.c */

/* One load, from the text to the scenario; scenario.c zeroes it, sets the
 * first three members and frees what it holds at the end. */
struct scn_loader {
    const char *source;
    const char *const *overrides;
    size_t override_count;

    yaml_document_t doc;
    bool have_doc;
    int *node_origin; /* [node id - 1]: override index, -1 for the file */
    size_t node_origin_len;

    struct scn_diag *diags;
    size_t diag_count, diags_dropped;
    struct scn_place *places;
    size_t place_count, place_cap;
    struct scn_seen_event *events;
    size_t event_count, event_cap;

    bool nomem;
    char cyaml_msg[256];
};

/* ------------------------------------------------------------------------
 * Diagnostics and places (diag.c). Errors are collected with their place
 * and reported together; the place of every leaf value seen is kept so that
 * later checks (relations between values, defaults) know it is there.
 */

/* An error at node id of the document (or at the override that made it). */
__attribute__((format(printf, 3, 4)))
void remap__scn_diag_at(struct scn_loader *L, int id, const char *fmt, ...);

/* An error in override number index. */
__attribute__((format(printf, 3, 4)))
void remap__scn_diag_override(struct scn_loader *L, size_t index,
                              const char *fmt, ...);

/* Fills err with every error collected, sorted (overrides first, then by
 * line), one per line: REMAP_ESCENARIO, or REMAP_ENOMEM when memory ran
 * out on the way. */
remap_status remap__scn_report(struct scn_loader *L, remap_error *err);

/* " in projections.afferent", or "" at the top level; written into buf and
 * returned. */
const char *remap__scn_in_clause(char *buf, size_t size, const char *path);

/* Records that the leaf at path is given by node id. */
void remap__scn_add_place(struct scn_loader *L, const char *path, int id);

/* Whether the document gives the leaf at path. */
bool remap__scn_was_given(const struct scn_loader *L, const char *path);

/* Fails with a message from remap_params_validate ("path: …") placed at the
 * line of the value it names, or at the override that set it, or at the
 * file: REMAP_ESCENARIO. */
remap_status remap__scn_place_relation(struct scn_loader *L, const char *msg,
                                       remap_error *err);

/* Frees the diagnostics and places. */
void remap__scn_diag_free(struct scn_loader *L);

/* ------------------------------------------------------------------------
 * The node tree (tree.c). Adding a node may move the node array, so code
 * holds node ids, never node pointers, across additions. The root is
 * always node 1.
 */

/* Parses text into L->doc: one YAML document. Errors (placed):
 * REMAP_ESCENARIO, REMAP_ENOMEM. */
remap_status remap__scn_parse_text(struct scn_loader *L, const char *text,
                                   remap_error *err);

yaml_node_t *remap__scn_node_at(struct scn_loader *L, int id);

/* The override that made node id, or -1 for the file. */
int remap__scn_node_origin(const struct scn_loader *L, int id);

/* Where node id was written: its override (line and col 0), or -1 and its
 * 1-based line and column in the file. */
void remap__scn_node_place(struct scn_loader *L, int id, int *origin,
                           int *line, int *col);

/* New empty nodes made by origin; 0 (and L->nomem) when out of memory. */
int remap__scn_add_mapping(struct scn_loader *L, int origin);
int remap__scn_add_sequence(struct scn_loader *L, int origin);

/* Index of the first pair of mapping `map` whose key is the scalar `key`,
 * or -1. */
long remap__scn_find_pair(struct scn_loader *L, int map, const char *key);

/* The value node of pair index of mapping map, read and replaced. */
int remap__scn_pair_value(struct scn_loader *L, int map, long index);
void remap__scn_set_pair_value(struct scn_loader *L, int map, long index,
                               int value);

/* Checks each override against the schema and writes it into the tree;
 * errors go to the diagnostics. */
void remap__scn_apply_overrides(struct scn_loader *L);

/* ------------------------------------------------------------------------
 * The walk (walk.c).
 */

/* Checks the whole tree against the schema, recording places and timeline
 * entries; errors go to the diagnostics. */
void remap__scn_walk(struct scn_loader *L);

/* The check of a `set` event's fields (its node id and path). */
void remap__scn_check_set(struct scn_loader *L, int id, const char *path);
void remap__scn_check_checkpoint(struct scn_loader *L, int id,
                                 const char *path);

/* ------------------------------------------------------------------------
 * Writing text (emit.c).
 */

/* A growable NUL-terminated string; zero it to start. After an allocation
 * fails, nomem is set and further additions are dropped. */
struct scn_sbuf {
    char *p;
    size_t len, cap;
    bool nomem;
};

void remap__scn_sb_add(struct scn_sbuf *b, const char *s, size_t n);

__attribute__((format(printf, 2, 3)))
void remap__scn_sb_printf(struct scn_sbuf *b, const char *fmt, ...);

/* Serialises the (edited) tree for libcyaml into out. The emitter frees the
 * document, so the loader no longer holds one afterwards. Errors:
 * REMAP_ENOMEM, REMAP_ESCENARIO. */
remap_status remap__scn_emit_document(struct scn_loader *L,
                                      struct scn_sbuf *out, remap_error *err);

/* Appends the resolved text of d to b: every key explicit, numbers in the
 * shortest form that reads back exactly, the timeline in the order given by
 * order[0..timeline_count). */
void remap__scn_emit_resolved(struct scn_sbuf *b, const struct scn_doc *d,
                              const size_t *order);

#endif
