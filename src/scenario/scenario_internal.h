/* Internal to src/scenario: the document as libcyaml loads it, and the
 * loader state and functions that the scenario source files share. */
#ifndef REMAP_SCENARIO_INTERNAL_H
#define REMAP_SCENARIO_INTERNAL_H

/* A load runs in steps: libyaml parses the text into a node tree, which
 * keeps a line and column for every node (tree.c); command-line overrides
 * edit that tree (tree.c); a walk checks it against the schema (schema.c)
 * for keys, types and ranges, reads the timeline and the schedules straight
 * from the tree and checks their events against each other, collecting
 * every error with its place (walk.c, diag.c); and only a document that
 * passes is emitted again and handed to libcyaml for the settings and the
 * parameters, whose own messages carry no line numbers (emit.c,
 * scenario.c). The events are then expanded and sorted (scenario.c) and the
 * resolved text is written from the loaded values (emit.c). */

#include "scenario/scenario.h"

#include <cyaml/cyaml.h>
#include <yaml.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------
 * The document as libcyaml loads it (schema.c). Model parameters load
 * straight into a remap_params: their schema is built from the parameter
 * table, each YAML group a mapping at the same base and each leaf at its
 * table offset. `timeline` and `schedules` are libcyaml's CYAML_IGNORE: the
 * walk reads them from the node tree.
 */

struct scn_doc_interval {
    uint64_t interval;
};

struct scn_doc_frames {
    char panels[96];
    uint64_t width, height, every, compression;
};

struct scn_doc_outputs {
    bool metrics;
    bool checkpoints;
    struct scn_doc_frames frames;
};

/* Room for stimulus.images as written (the loader makes it absolute). */
#define SCN_IMAGES_LEN 1024

struct scn_doc {
    char *name;
    uint64_t seed;
    uint64_t iterations;
    remap_params params;
    /* `stimulus.images`, the one string among the parameters: its field
     * sits in the stimulus group, whose leaves are addressed from the
     * start of params, so it must come after params. "" when absent. */
    char images[SCN_IMAGES_LEN];
    struct scn_doc_interval measure;
    struct scn_doc_interval checkpoint;
    struct scn_doc_outputs outputs;
};

/* The whole document's fields and schema, built from the parameter table
 * on first use. */
const cyaml_schema_field_t *remap__scn_top_fields(void);
const cyaml_schema_value_t *remap__scn_top_schema(void);

/* The keys of one timeline entry (`at` and one key per event kind) and of
 * one `schedules` entry, for the walk only: libcyaml does not load them.
 * CYAML_IGNORE marks values the readers check themselves (region lists,
 * points, shapes). */
extern const cyaml_schema_field_t remap__scn_event_fields[];
extern const cyaml_schema_field_t remap__scn_schedule_fields[];

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

/* Fills d with the values of keys left out of a file (name: NULL). */
void remap__scn_doc_defaults(struct scn_doc *d);

/* The field of f (ended by CYAML_FIELD_END) whose key is key, or NULL. */
const cyaml_schema_field_t *remap__scn_find_field(
    const cyaml_schema_field_t *f, const char *key);

/* " (did you mean 'x'?)" for the key of fields nearest to word, or "";
 * written into buf and returned. */
const char *remap__scn_key_suggestion(char *buf, size_t size,
                                      const char *word,
                                      const cyaml_schema_field_t *fields);

/* " (did you mean 'x'?)" for the name of names[0..count) nearest to word,
 * or ""; written into buf and returned. */
const char *remap__scn_suggestion(char *buf, size_t size, const char *word,
                                  const char *const *names, size_t count);

/* out[SCN_PATH_LEN] = parent.key (or key at the top level), cut to
 * SCN_PATH_LEN - 1 characters. */
void remap__scn_join_path(char *out, const char *parent, const char *key);

/* ------------------------------------------------------------------------
 * The timeline and the schedules as read by the walk.
 */

/* A timeline entry: its event (the start of a period), read from the
 * tree. */
struct scn_entry {
    remap_event ev;      /* until is set only when has_until */
    size_t kind;         /* index in remap__scn_event_kinds */
    bool has_until;      /* a period: an end event at ev.until */
    bool sleep_given[3]; /* sleep: noise, downscale, weak were given (the
                            others come from the `sleep` section) */
    bool at_ok;          /* ev.at was read and is in range */
    bool ok;             /* read without an error */
    int item;            /* node id of the entry */
    size_t rank;         /* place among the entries sorted by `at` */
};

/* A `schedules` entry. */
struct scn_schedule {
    char path[128];
    uint64_t every;
    size_t count;      /* points */
    uint64_t *at;      /* [count], strictly increasing */
    double *value;     /* [count] */
    bool ok;
    int item;          /* node id of the entry */
    int line, col;
};

struct scn_loader;

/* Event kinds: the key that introduces each in a timeline entry, the kind
 * of its event and of a period's end (REMAP_EVENT_KIND_COUNT: none), its
 * keys, and the reader that checks its value (node id, path) and fills
 * e->ev (and e->has_until, e->sleep_given). */
struct scn_event_kind {
    const char *key;
    remap_event_kind kind;
    remap_event_kind end_kind;
    void (*read)(struct scn_loader *L, int id, const char *path,
                 struct scn_entry *e);
};

extern const struct scn_event_kind remap__scn_event_kinds[];
extern const size_t remap__scn_event_kind_count;

/* ------------------------------------------------------------------------
 * The state of one load.
 */

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

    /* What the timeline's readers need from the rest of the document. */
    int timeline_node, schedules_node; /* 0 when absent */
    uint64_t iterations;
    bool iterations_ok; /* false when `iterations` is itself wrong */
    int layout;         /* enum remap_layout; -1 when `layout` is wrong */

    struct scn_entry *entries;
    size_t entry_count;
    struct scn_schedule *schedules;
    size_t schedule_count;

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

/* Errors collected so far, dropped ones included. */
size_t remap__scn_diag_total(const struct scn_loader *L);

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

/* Where the leaf at path was given, for a message: "file:line:col",
 * "--set path=value", or the file when the document leaves it out. */
void remap__scn_place_text(const struct scn_loader *L, const char *path,
                           char *buf, size_t size);

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
 * or -1 (also when map is not a mapping). */
long remap__scn_find_pair(struct scn_loader *L, int map, const char *key);

/* The value node of pair index of mapping map, read and replaced. */
int remap__scn_pair_value(struct scn_loader *L, int map, long index);
void remap__scn_set_pair_value(struct scn_loader *L, int map, long index,
                               int value);

/* The value node of key in mapping map, or 0 when map is not a mapping or
 * has no such key. */
int remap__scn_value_of(struct scn_loader *L, int map, const char *key);

/* Checks each override against the schema and writes it into the tree;
 * errors go to the diagnostics. */
void remap__scn_apply_overrides(struct scn_loader *L);

/* ------------------------------------------------------------------------
 * The walk (walk.c).
 */

/* Checks the whole tree against the schema, recording places; reads the
 * timeline and the schedules into L->entries and L->schedules and checks
 * them against each other; errors go to the diagnostics. */
void remap__scn_walk(struct scn_loader *L);

/* Readers of values inside timeline entries, for the event kinds
 * (schema.c). Each reports what is wrong at the value's place, naming it
 * path; a value whose type the walk already refused is skipped silently.
 * They return true when out holds a good value. */

/* The number at key of mapping map, in [min, max] (min excluded when
 * open_min); false when absent too. */
bool remap__scn_read_number(struct scn_loader *L, int map, const char *key,
                            const char *path, double min, double max,
                            bool open_min, double *out);

/* The whole number at key of mapping map, in [min, max]. */
bool remap__scn_read_whole(struct scn_loader *L, int map, const char *key,
                           const char *path, uint64_t min, uint64_t max,
                           uint64_t *out);

/* The `until` of an entry's value mapping map: after the entry's `at`, at
 * most `iterations`. */
bool remap__scn_read_until(struct scn_loader *L, int map, const char *path,
                           const struct scn_entry *e, uint64_t *out);

/* The regions at key of mapping map (a name or a list of names of the
 * scenario's layout) as a bit mask; at least min_count distinct ones. */
bool remap__scn_read_regions(struct scn_loader *L, int map, const char *key,
                             const char *path, int min_count,
                             unsigned *out);

/* The shape of mapping map: exactly one of `disc: {centre: [x, y],
 * radius: r}` and `polygon: [[x, y], …]`, in the cortical sheet. */
bool remap__scn_read_shape(struct scn_loader *L, int map, const char *path,
                           remap_shape *out);

/* The enrich spot at key of mapping map: [x0, y0, x1, y1] inside one
 * region of the layout. */
bool remap__scn_read_spot(struct scn_loader *L, int map, const char *key,
                          const char *path, float out[4]);

/* The checks of `set` and `checkpoint` (their node id and path). */
void remap__scn_read_set(struct scn_loader *L, int id, const char *path,
                         struct scn_entry *e);
void remap__scn_read_checkpoint(struct scn_loader *L, int id,
                                const char *path, struct scn_entry *e);

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
 * shortest form that reads back exactly, the schedules as written and the
 * timeline's entries (each period once, with its `until`) in the order of
 * their rank. The entries hold their final values (sleep filled in). */
void remap__scn_emit_resolved(struct scn_sbuf *b, const struct scn_doc *d,
                              const struct scn_entry *entries,
                              size_t entry_count,
                              const struct scn_schedule *schedules,
                              size_t schedule_count);

#endif
