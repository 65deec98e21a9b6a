/* Scenario files: defaults, every error kind with its exact message and
 * place, overrides, event order and the resolved text's round trip. */
#include "scenario/scenario.h"

#include "core/embedded.h"

#include <criterion/criterion.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA REMAP_SOURCE_DIR "/tests/data/scenarios/"

static remap_error err;

static remap_scenario *load_text(const char *text, const char *const *ov,
                                 size_t n)
{
    remap_scenario *s = NULL;
    remap_status st = remap_scenario_load_text("t.yaml", text, ov, n, &s,
                                               &err);
    cr_assert_eq(st, REMAP_OK, "unexpected failure: %s", err.msg);
    cr_assert_not_null(s);
    return s;
}

/* Loading text (with overrides) fails with exactly the message msg. */
static void expect_error(const char *text, const char *const *ov, size_t n,
                         const char *msg)
{
    static remap_scenario sentinel;
    remap_scenario *s = &sentinel; /* a failed load must set it to NULL */
    remap_status st = remap_scenario_load_text("t.yaml", text, ov, n, &s,
                                               &err);
    cr_assert_eq(st, REMAP_ESCENARIO, "status %s for:\n%s",
                 remap_status_name(st), text);
    cr_assert_null(s);
    cr_assert_eq(err.status, REMAP_ESCENARIO);
    cr_assert_str_eq(err.msg, msg);
}

static void expect_file_error(const char *name, const char *msg)
{
    remap_scenario *s = NULL;
    char path[1024];
    snprintf(path, sizeof path, "%s%s", DATA, name);
    cr_assert_eq(remap_scenario_load_file(path, NULL, 0, &s, &err),
                 REMAP_ESCENARIO);
    cr_assert_null(s);
    char want[4096];
    snprintf(want, sizeof want, msg, path, path, path, path, path, path,
             path, path);
    cr_assert_str_eq(err.msg, want);
}

static void assert_params_equal(const remap_params *a, const remap_params *b)
{
    size_t count;
    const remap_param_info *t = remap_param_table(&count);
    /* Bit-exact: the point is that values survive text unchanged. */
    for (size_t i = 0; i < count; i++)
        cr_assert(remap_param_get(a, &t[i]) == remap_param_get(b, &t[i]),
                  "%s: %.9g != %.9g", t[i].path, remap_param_get(a, &t[i]),
                  remap_param_get(b, &t[i]));
}

/* ---- defaults ---------------------------------------------------------- */

/* scenarios/default.yaml is stroke with rehabilitation: the model's
 * defaults but for the wider excitatory neighbourhood of the hand
 * scenarios, and a timeline of perturbations. */
Test(scenario, default_matches_param_defaults)
{
    remap_scenario *s = NULL;
    cr_assert_eq(remap_scenario_load_default(NULL, 0, &s, &err), REMAP_OK,
                 "%s", err.msg);
    remap_params def;
    remap_params_default(&def);
    def.excitatory.sigma = 0.05f;
    assert_params_equal(&s->params, &def);
    cr_assert_str_eq(s->source, "default.yaml (embedded)");
    cr_assert_str_eq(s->name, "stroke-rehab");
    cr_assert_eq(s->seed, 1);
    cr_assert_eq(s->measure_interval, 500);
    cr_assert(s->write_metrics && s->write_checkpoints);
    bool lesion = false, rehab_start = false, rehab_end = false;
    for (size_t i = 0; i < s->event_count; i++) {
        const remap_event *e = &s->events[i];
        cr_assert_leq(e->at, s->iterations);
        cr_assert(i == 0 || s->events[i - 1].at <= e->at);
        lesion |= e->kind == REMAP_EVENT_LESION;
        rehab_start |= e->kind == REMAP_EVENT_REHAB_START;
        rehab_end |= e->kind == REMAP_EVENT_REHAB_END;
    }
    cr_assert(lesion && rehab_start && rehab_end);
    remap_scenario_destroy(s);
}

Test(scenario, empty_file_takes_every_default)
{
    remap_scenario *s = NULL;
    cr_assert_eq(remap_scenario_load_text("runs/empty.yaml", "# nothing\n",
                                          NULL, 0, &s, &err),
                 REMAP_OK, "%s", err.msg);
    remap_params def;
    remap_params_default(&def);
    assert_params_equal(&s->params, &def);
    cr_assert_str_eq(s->name, "empty"); /* the file's base name */
    cr_assert_eq(s->seed, 1);
    cr_assert_eq(s->iterations, 20000);
    cr_assert_eq(s->measure_interval, 1000);
    cr_assert_eq(s->checkpoint_interval, 0);
    cr_assert(s->write_metrics && s->write_checkpoints);
    cr_assert_eq(s->event_count, 0);
    cr_assert_null(s->events);
    remap_scenario_destroy(s);
}

Test(scenario, empty_sections_are_allowed)
{
    remap_scenario *s = load_text("stimulus:\n  # sigma: 0.1\n"
                                  "projections:\n  afferent:\ntimeline:\n",
                                  NULL, 0);
    remap_params def;
    remap_params_default(&def);
    assert_params_equal(&s->params, &def);
    cr_assert_eq(s->event_count, 0);
    remap_scenario_destroy(s);
}

/* A value of parameter t for an override: a choice by its name. */
static void param_text(char *buf, size_t size, const remap_param_info *t,
                       double v)
{
    if (t->choices)
        snprintf(buf, size, "%s", t->choices[(int)v]);
    else
        snprintf(buf, size, "%.9g", v);
}

/* Each path of the parameter table is a YAML path that reaches exactly
 * that member of remap_params, and nothing else; a choice is written by
 * its name. */
Test(scenario, every_parameter_path_reaches_its_member)
{
    size_t count;
    const remap_param_info *t = remap_param_table(&count);
    remap_params def;
    remap_params_default(&def);
    for (size_t i = 0; i < count; i++) {
        double d = remap_param_get(&def, &t[i]);
        /* A value other than the default that the relations between
         * parameters allow (a structural radius below the field radius is
         * refused, say). */
        const double steps[] = {0.01, 0.5, -0.01, -0.5};
        double v = d;
        for (size_t k = 0; k < 4 && v == d; k++) {
            double c = t[i].is_int ? d + (steps[k] > 0 ? 1 : -1)
                       : steps[k] > 0 ? d + (t[i].max - d) * steps[k]
                                      : d + (d - t[i].min) * steps[k];
            c = t[i].is_int ? c : (double)(float)c;
            if (c == d || c < t[i].min || c > t[i].max)
                continue;
            remap_params p = def;
            cr_assert_eq(remap_param_set(&p, t[i].path, c, NULL), REMAP_OK);
            if (remap_params_validate(&p, NULL) == REMAP_OK)
                v = c;
        }
        cr_assert(v != d, "%s: no other valid value", t[i].path);
        char ov[256], value[64];
        param_text(value, sizeof value, &t[i], v);
        int n = snprintf(ov, sizeof ov, "%s=%s", t[i].path, value);
        cr_assert(n > 0 && (size_t)n < sizeof ov);
        double written = t[i].choices ? v : strtod(value, NULL);
        const char *ovs[] = {ov};
        remap_scenario *s = load_text("", ovs, 1);
        for (size_t j = 0; j < count; j++) {
            double got = remap_param_get(&s->params, &t[j]);
            double want = j != i       ? remap_param_get(&def, &t[j])
                          : t[j].is_int ? written
                                        : (double)(float)written;
            cr_assert(got == want, "%s set, %s is %.9g, expected %.9g",
                      t[i].path, t[j].path, got, want);
        }
        /* The resolved text writes it back under its path. */
        remap_scenario *b = load_text(s->resolved_text, NULL, 0);
        cr_assert(remap_param_get(&b->params, &t[i]) ==
                  remap_param_get(&s->params, &t[i]), "%s", t[i].path);
        remap_scenario_destroy(b);
        remap_scenario_destroy(s);
    }
}

/* docs/scenario.md lists every parameter of the table. */
Test(scenario, every_parameter_is_documented)
{
    FILE *f = fopen(REMAP_SOURCE_DIR "/docs/scenario.md", "rb");
    cr_assert_not_null(f);
    static char doc[1 << 18];
    size_t len = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[len] = '\0';
    size_t count;
    const remap_param_info *t = remap_param_table(&count);
    for (size_t i = 0; i < count; i++) {
        char row[160];
        snprintf(row, sizeof row, "\n| `%s` |", t[i].path);
        cr_assert_not_null(strstr(doc, row), "%s is not in docs/scenario.md",
                           t[i].path);
    }
}

/* ---- syntax and schema errors ------------------------------------------ */

Test(scenario, syntax_error_is_placed)
{
    expect_file_error("bad_syntax.yaml",
                      "%s:5:8: did not find expected ',' or ']' (while "
                      "parsing a flow sequence at line 4, column 14)");
}

Test(scenario, tab_indentation_is_explained)
{
    expect_error("stimulus:\n\tsigma: 0.1\n", NULL, 0,
                 "t.yaml:2:1: found character that cannot start any token "
                 "(a tab: YAML indents with spaces only)");
}

Test(scenario, invalid_utf8_is_reported)
{
    expect_error("name: \xff\n", NULL, 0,
                 "t.yaml: invalid leading UTF-8 octet at byte 6");
}

Test(scenario, unknown_key_suggests_the_nearest)
{
    expect_file_error("bad_unknown_key.yaml",
                      "%s:4:5: unknown key 'lerning_rate' in "
                      "projections.afferent (did you mean 'learning_rate'?)");
}

Test(scenario, unknown_key_without_a_near_name)
{
    expect_error("seed: 3\nzzzzzzzzzz: 1\n", NULL, 0,
                 "t.yaml:2:1: unknown key 'zzzzzzzzzz'");
    expect_error("sheets:\n  skin: {density: 20, colour: red}\n", NULL, 0,
                 "t.yaml:2:23: unknown key 'colour' in sheets.skin");
}

Test(scenario, wrong_types_name_the_path)
{
    expect_error("projections:\n  afferent:\n    radius: wide\n", NULL, 0,
                 "t.yaml:3:13: projections.afferent.radius: expected a "
                 "number, found 'wide'");
    expect_error("stimulus:\n  sigma: {a: 1}\n", NULL, 0,
                 "t.yaml:2:10: stimulus.sigma: expected a number, found a "
                 "mapping");
    expect_error("sheets: 3\n", NULL, 0,
                 "t.yaml:1:9: sheets: expected a mapping, found '3'");
    expect_error("seed: [1, 2]\n", NULL, 0,
                 "t.yaml:1:7: seed: expected a whole number, found a "
                 "sequence");
    expect_error("settling:\n  steps: 2.5\n", NULL, 0,
                 "t.yaml:2:10: settling.steps: expected a whole number, "
                 "found '2.5'");
    /* libcyaml would read 010 as octal 8; only decimal is accepted. */
    expect_error("iterations: 010\n", NULL, 0,
                 "t.yaml:1:13: iterations: expected a whole number, found "
                 "'010'");
    expect_error("outputs:\n  metrics: maybe\n", NULL, 0,
                 "t.yaml:2:12: outputs.metrics: expected true or false, "
                 "found 'maybe'");
    expect_error("stimulus:\n  peak:\n", NULL, 0,
                 "t.yaml:2:8: stimulus.peak: expected a number, found "
                 "nothing");
    expect_error("timeline: {at: 3}\n", NULL, 0,
                 "t.yaml:1:11: timeline: expected a sequence of events, "
                 "found a mapping");
    expect_error("- 1\n", NULL, 0,
                 "t.yaml:1:1: expected a mapping at the top level, found a "
                 "sequence");
}

Test(scenario, out_of_range_shows_the_range)
{
    expect_error("projections:\n  afferent:\n    radius: 1.5\n", NULL, 0,
                 "t.yaml:3:13: projections.afferent.radius: 1.5 is out of "
                 "range [0.01, 1]");
    expect_error("sheets:\n  cortex:\n    density: -48\n", NULL, 0,
                 "t.yaml:3:14: sheets.cortex.density: -48 is out of range "
                 "[4, 4096]");
    expect_error("iterations: 0\n", NULL, 0,
                 "t.yaml:1:13: iterations: 0 is out of range [1, "
                 "18446744073709551615]");
    expect_error("seed: -1\n", NULL, 0,
                 "t.yaml:1:7: seed: -1 is out of range [0, "
                 "18446744073709551615]");
    expect_error("measure:\n  interval: 0\n", NULL, 0,
                 "t.yaml:2:13: measure.interval: 0 is out of range [1, "
                 "18446744073709551615]");
    expect_error("settling: {steps: 65}\n", NULL, 0,
                 "t.yaml:1:19: settling.steps: 65 is out of range [0, 64]");
    expect_error("name: \"\"\n", NULL, 0,
                 "t.yaml:1:7: name: expected a string, found nothing");
}

Test(scenario, every_error_is_reported_in_line_order)
{
    expect_file_error(
        "bad_many.yaml",
        "%s:5:14: sheets.cortex.density: -48 is out of range [4, 4096]\n"
        "%s:8:13: projections.afferent.radius: 1.5 is out of range "
        "[0.01, 1]\n"
        "%s:9:15: projections.afferent.strength: expected a number, found "
        "'strong'\n"
        "%s:10:23: projections.lateral_excitatory: expected a mapping, "
        "found '0.1'\n"
        "%s:12:10: settling.steps: expected a whole number, found '2.5'\n"
        "%s:13:1: unknown key 'widgets'\n"
        "%s:15:9: timeline[0].at: 2000 is out of range [0, 1000] (after "
        "the last iteration)\n"
        "%s:16:17: timeline[0].set.path: sheets.cortex.density is fixed "
        "when the model is built and cannot be set during a run");
}

Test(scenario, duplicate_key_and_second_document)
{
    expect_error("seed: 1\nname: a\nseed: 2\n", NULL, 0,
                 "t.yaml:3:1: duplicate key 'seed' (first given at line 1)");
    expect_error("seed: 1\n---\nseed: 2\n", NULL, 0,
                 "t.yaml:3:1: a scenario file holds one YAML document; "
                 "found a second one here");
}

Test(scenario, relation_errors_are_placed_at_the_value)
{
    /* 0.02 * 24 receptors reaches less than one receptor. */
    expect_error("sheets: {skin: {density: 24}}\nprojections:\n  afferent:\n"
                 "    radius: 0.02\n",
                 NULL, 0,
                 "t.yaml:4:13: projections.afferent.radius: 0.02 reaches "
                 "less than one receptor at skin density 24 (allowed range "
                 "[0.0416667, 1])");
    /* The message names a value the file does not give: the file. */
    expect_error("projections:\n  lateral_inhibitory: {radius: 0.05}\n",
                 NULL, 0,
                 "t.yaml: projections.lateral_excitatory.radius: 0.104 "
                 "exceeds the inhibitory radius 0.05");
    const char *ov[] = {"projections.lateral_excitatory.radius=0.5"};
    expect_error("", ov, 1,
                 "--set projections.lateral_excitatory.radius=0.5: "
                 "projections.lateral_excitatory.radius: 0.5 exceeds the "
                 "inhibitory radius 0.229");
}

/* ---- events ------------------------------------------------------------ */

Test(scenario, events_are_sorted_stably)
{
    remap_scenario *s = NULL;
    cr_assert_eq(remap_scenario_load_file(DATA "good_timeline.yaml", NULL, 0,
                                          &s, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_str_eq(s->name, "timeline-test");
    cr_assert_eq(s->seed, 7);
    cr_assert_eq(s->iterations, 600);
    cr_assert_eq(s->measure_interval, 50);
    cr_assert(s->write_metrics && !s->write_checkpoints);
    cr_assert_float_eq(s->params.stimulus.frequency[3], 3.0f, 0);
    cr_assert_eq(s->params.settle_steps, 12);
    cr_assert_eq(s->event_count, 5);
    const struct {
        uint64_t at;
        remap_event_kind kind;
        const char *what;
        int line;
    } want[] = {
        {0, REMAP_EVENT_SET, "homeostasis.rate", 43},
        {100, REMAP_EVENT_CHECKPOINT, "early", 37},
        {100, REMAP_EVENT_SET, "stimulus.frequency.d3", 41},
        {300, REMAP_EVENT_SET, "projections.afferent.learning_rate", 35},
        {300, REMAP_EVENT_CHECKPOINT, "", 39},
    };
    for (size_t i = 0; i < 5; i++) {
        const remap_event *e = &s->events[i];
        cr_assert_eq(e->at, want[i].at, "event %zu", i);
        cr_assert_eq(e->kind, want[i].kind, "event %zu", i);
        cr_assert_str_eq(e->kind == REMAP_EVENT_SET ? e->path : e->label,
                         want[i].what, "event %zu", i);
        cr_assert_eq(e->line, want[i].line, "event %zu", i);
        cr_assert_eq(e->col, 5, "event %zu", i);
    }
    cr_assert_float_eq(s->events[3].value, 0.05, 1e-15);
    remap_scenario_destroy(s);
}

Test(scenario, every_runtime_parameter_can_be_set_by_an_event)
{
    size_t count;
    const remap_param_info *t = remap_param_table(&count);
    for (size_t i = 0; i < count; i++) {
        char text[512], msg[512];
        snprintf(text, sizeof text,
                 "timeline:\n  - at: 5\n    set: {path: %s, value: %.9g}\n",
                 t[i].path, t[i].min);
        if (t[i].runtime) {
            remap_scenario *s = load_text(text, NULL, 0);
            cr_assert_str_eq(s->events[0].path, t[i].path);
            cr_assert(s->events[0].value == t[i].min);
            remap_scenario_destroy(s);
        } else {
            snprintf(msg, sizeof msg,
                     "t.yaml:3:17: timeline[0].set.path: %s is fixed when "
                     "the model is built and cannot be set during a run",
                     t[i].path);
            expect_error(text, NULL, 0, msg);
        }
    }
}

Test(scenario, event_errors)
{
    expect_error("iterations: 100\ntimeline:\n  - at: 101\n"
                 "    checkpoint: {}\n",
                 NULL, 0,
                 "t.yaml:3:9: timeline[0].at: 101 is out of range [0, 100] "
                 "(after the last iteration)");
    expect_error("timeline:\n  - at: -5\n    checkpoint: {}\n", NULL, 0,
                 "t.yaml:2:9: timeline[0].at: -5 is out of range [0, 20000]");
    expect_error("timeline:\n  - at: 5\n", NULL, 0,
                 "t.yaml:2:5: timeline[0]: an event needs one of: set, "
                 "checkpoint, lesion, deafferent, restore, fuse, enrich, "
                 "rehab, sleep, age, modulate, scotoma");
    expect_error("timeline:\n  - at: 5\n    checkpoint: {}\n"
                 "    set: {path: homeostasis.rate, value: 0.1}\n",
                 NULL, 0,
                 "t.yaml:2:5: timeline[0]: an event has exactly one of: set, "
                 "checkpoint, lesion, deafferent, restore, fuse, enrich, "
                 "rehab, sleep, age, modulate, scotoma (write one entry per "
                 "event)");
    expect_error("timeline:\n  - checkpoint: {}\n", NULL, 0,
                 "t.yaml:2:5: timeline[0]: missing key 'at'");
    expect_error("timeline:\n  - at: 5\n    sett: {}\n", NULL, 0,
                 "t.yaml:3:5: unknown key 'sett' in timeline[0] (did you "
                 "mean 'set'?)");
    expect_error("timeline:\n  - at: 5\n    set: {value: 0.1}\n", NULL, 0,
                 "t.yaml:3:10: timeline[0].set: missing key 'path'");
    expect_error("timeline:\n  - at: 5\n"
                 "    set: {path: projections.afferent.lerning_rate, "
                 "value: 0.1}\n",
                 NULL, 0,
                 "t.yaml:3:17: timeline[0].set.path: unknown parameter "
                 "'projections.afferent.lerning_rate' (did you mean "
                 "'projections.afferent.learning_rate'?)");
    expect_error("timeline:\n  - at: 5\n    set: {path: colour, value: 1}\n",
                 NULL, 0,
                 "t.yaml:3:17: timeline[0].set.path: unknown parameter "
                 "'colour'");
    expect_error("timeline:\n  - at: 5\n"
                 "    set: {path: homeostasis.rate, value: 2}\n",
                 NULL, 0,
                 "t.yaml:3:42: timeline[0].set.value: 2 is out of range "
                 "[0, 1] for homeostasis.rate");
    expect_error("timeline:\n  - at: 5\n    checkpoint: {label: "
                 "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                 "aaaaaaaaaa\"}\n",
                 NULL, 0,
                 "t.yaml:3:25: timeline[0].checkpoint.label: "
                 "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is longer than "
                 "63 characters");
    expect_error("timeline:\n  - at: 5\n    checkpoint: {label: a/b}\n",
                 NULL, 0,
                 "t.yaml:3:25: timeline[0].checkpoint.label: 'a/b' has '/'; "
                 "a label is part of a file name and may hold only letters, "
                 "digits, '.', '_' and '-'");
}

/* ---- overrides --------------------------------------------------------- */

Test(scenario, override_replaces_a_value)
{
    const char *ov[] = {"projections.afferent.learning_rate=0.2", "seed=42",
                        "iterations=50000", "outputs.metrics=false"};
    remap_scenario *s = NULL;
    cr_assert_eq(remap_scenario_load_default(ov, 4, &s, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_float_eq(s->params.afferent.learning_rate, 0.2f, 0);
    cr_assert_eq(s->seed, 42);
    cr_assert_eq(s->iterations, 50000);
    cr_assert(!s->write_metrics);
    remap_scenario_destroy(s);
}

Test(scenario, override_creates_missing_sections)
{
    const char *ov[] = {"homeostasis.target=0.05", "name=sweep 3"};
    remap_scenario *s = load_text("seed: 2\n", ov, 2);
    cr_assert_float_eq(s->params.homeostasis.target, 0.05f, 0);
    cr_assert_str_eq(s->name, "sweep 3");
    remap_params def;
    remap_params_default(&def);
    def.homeostasis.target = 0.05f;
    assert_params_equal(&s->params, &def);
    remap_scenario_destroy(s);
}

Test(scenario, override_edits_one_use_of_an_alias)
{
    const char *ov[] = {"projections.lateral_inhibitory.radius=0.3",
                        "projections.lateral_inhibitory.strength=-1"};
    remap_scenario *s = load_text(
        "projections:\n"
        "  lateral_excitatory: &lat {radius: 0.1, sigma: 0.02, strength: 1}\n"
        "  lateral_inhibitory: *lat\n",
        ov, 2);
    cr_assert_float_eq(s->params.excitatory.radius, 0.1f, 0);
    cr_assert_float_eq(s->params.excitatory.strength, 1.0f, 0);
    cr_assert_float_eq(s->params.inhibitory.radius, 0.3f, 0);
    cr_assert_float_eq(s->params.inhibitory.sigma, 0.02f, 0);
    cr_assert_float_eq(s->params.inhibitory.strength, -1.0f, 0);
    remap_scenario_destroy(s);
}

Test(scenario, override_errors)
{
    const char *unknown[] = {"projections.afferent.lerning_rate=0.2"};
    expect_error("", unknown, 1,
                 "--set projections.afferent.lerning_rate=0.2: unknown key "
                 "'lerning_rate' in projections.afferent (did you mean "
                 "'learning_rate'?)");
    const char *top[] = {"sed=3"};
    expect_error("", top, 1,
                 "--set sed=3: unknown key 'sed' (did you mean 'seed'?)");
    const char *range[] = {"projections.afferent.radius=1.5"};
    expect_error("", range, 1,
                 "--set projections.afferent.radius=1.5: "
                 "projections.afferent.radius: 1.5 is out of range "
                 "[0.01, 1]");
    const char *type[] = {"iterations=many"};
    expect_error("", type, 1,
                 "--set iterations=many: iterations: expected a whole "
                 "number, found 'many'");
    const char *group[] = {"projections.afferent=1"};
    expect_error("", group, 1,
                 "--set projections.afferent=1: projections.afferent is a "
                 "group of settings, not a value; name one of its keys");
    const char *leaf[] = {"seed.low=1"};
    expect_error("", leaf, 1,
                 "--set seed.low=1: seed is a value and has no key 'low'");
    const char *timeline[] = {"timeline=[]"};
    expect_error("", timeline, 1,
                 "--set timeline=[]: timeline cannot be overridden; edit it "
                 "in the file");
}

Test(scenario, malformed_overrides)
{
    static const char *const bad[] = {"seed", "=3", "seed=", "a..b=1",
                                      ".seed=1", "seed.=1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "--set %s: expected path=value, for example "
                 "projections.afferent.learning_rate=0.05",
                 bad[i]);
        expect_error("", &bad[i], 1, msg);
    }
}

Test(scenario, override_and_file_errors_together)
{
    const char *ov[] = {"seed=x", "iterations=3"};
    expect_error("name: n\nsheets: {skin: {density: 2}}\n", ov, 2,
                 "--set seed=x: seed: expected a whole number, found 'x'\n"
                 "t.yaml:2:26: sheets.skin.density: 2 is out of range "
                 "[4, 512]");
}

/* ---- resolved text ----------------------------------------------------- */

/* Every field but the place (the resolved text has its own lines). */
static void assert_same_event(const remap_event *x, const remap_event *y,
                              size_t i)
{
    cr_assert_eq(x->shape.kind, y->shape.kind, "event %zu", i);
    cr_assert(x->shape.cx == y->shape.cx && x->shape.cy == y->shape.cy &&
                  x->shape.radius == y->shape.radius,
              "event %zu", i);
    cr_assert_eq(x->shape.points, y->shape.points, "event %zu", i);
    for (int k = 0; k < x->shape.points; k++)
        cr_assert(x->shape.x[k] == y->shape.x[k] &&
                      x->shape.y[k] == y->shape.y[k],
                  "event %zu", i);
    cr_assert(x->penumbra_width == y->penumbra_width &&
                  x->penumbra_gain == y->penumbra_gain &&
                  x->penumbra_recovery == y->penumbra_recovery,
              "event %zu", i);
    cr_assert_eq(x->regions, y->regions, "event %zu", i);
    cr_assert_eq(x->has_spot, y->has_spot, "event %zu", i);
    for (int k = 0; k < 4; k++)
        cr_assert(x->spot[k] == y->spot[k], "event %zu", i);
    cr_assert(x->factor == y->factor && x->gain == y->gain, "event %zu", i);
    cr_assert(x->sleep.noise == y->sleep.noise &&
                  x->sleep.downscale == y->sleep.downscale &&
                  x->sleep.weak == y->sleep.weak,
              "event %zu", i);
    cr_assert_eq(x->until, y->until, "event %zu", i);
    cr_assert_eq(x->scheduled, y->scheduled, "event %zu", i);
}

static void assert_same_scenario(const remap_scenario *a,
                                 const remap_scenario *b)
{
    cr_assert_str_eq(a->name, b->name);
    cr_assert_eq(a->seed, b->seed);
    cr_assert_eq(a->iterations, b->iterations);
    assert_params_equal(&a->params, &b->params);
    cr_assert_eq(a->measure_interval, b->measure_interval);
    cr_assert_eq(a->checkpoint_interval, b->checkpoint_interval);
    cr_assert_eq(a->write_metrics, b->write_metrics);
    cr_assert_eq(a->write_checkpoints, b->write_checkpoints);
    cr_assert_eq(a->event_count, b->event_count);
    for (size_t i = 0; i < a->event_count; i++) {
        const remap_event *x = &a->events[i], *y = &b->events[i];
        cr_assert_eq(x->at, y->at);
        cr_assert_eq(x->kind, y->kind);
        cr_assert_str_eq(x->path, y->path);
        cr_assert(x->value == y->value, "event %zu: %.17g != %.17g", i,
                  x->value, y->value);
        cr_assert_str_eq(x->label, y->label);
        assert_same_event(x, y, i);
    }
}

Test(scenario, resolved_text_round_trips)
{
    const char *ov[] = {"stimulus.sigma=0.0123456789",
                        "homeostasis.smoothing=0.99999",
                        "stimulus.frequency.d2=123456.7", "seed=99",
                        "name=quote \" and \\ backslash"};
    remap_scenario *a = NULL;
    cr_assert_eq(remap_scenario_load_file(DATA "good_timeline.yaml", ov, 5,
                                          &a, &err),
                 REMAP_OK, "%s", err.msg);
    remap_scenario *b = load_text(a->resolved_text, NULL, 0);
    assert_same_scenario(a, b);
    cr_assert_str_eq(b->resolved_text, a->resolved_text);
    /* The text is complete: it spells out keys the file left out. */
    cr_assert_not_null(strstr(a->resolved_text, "\n    d5: 1\n"));
    cr_assert_not_null(strstr(a->resolved_text, "\n  interval: 0\n"));
    cr_assert_not_null(strstr(a->resolved_text, "\nseed: 99\n"));
    remap_scenario_destroy(b);
    remap_scenario_destroy(a);

    cr_assert_eq(remap_scenario_load_default(NULL, 0, &a, &err), REMAP_OK);
    b = load_text(a->resolved_text, NULL, 0);
    assert_same_scenario(a, b);
    cr_assert_str_eq(b->resolved_text, a->resolved_text);
    remap_scenario_destroy(b);
    remap_scenario_destroy(a);
}

Test(scenario, resolved_text_lists_events_in_order)
{
    remap_scenario *s = load_text(
        "iterations: 50\ntimeline:\n"
        "  - {at: 20, checkpoint: {label: b}}\n"
        "  - {at: 10, set: {path: stimulus.peak, value: 0.5}}\n",
        NULL, 0);
    const char *tail = strstr(s->resolved_text, "timeline:\n");
    cr_assert_not_null(tail);
    cr_assert_str_eq(tail, "timeline:\n"
                           "  - at: 10\n"
                           "    set:\n"
                           "      path: \"stimulus.peak\"\n"
                           "      value: 0.5\n"
                           "  - at: 20\n"
                           "    checkpoint:\n"
                           "      label: \"b\"\n");
    remap_scenario_destroy(s);
}

Test(scenario, resolved_text_round_trips_every_kind_and_schedules)
{
    const char *ov[] = {"projections.afferent.rule=hebbian",
                        "sleep.weak=0.3"};
    remap_scenario *a = NULL;
    cr_assert_eq(remap_scenario_load_file(DATA "good_every_kind.yaml", ov, 2,
                                          &a, &err),
                 REMAP_OK, "%s", err.msg);
    remap_scenario *b = load_text(a->resolved_text, NULL, 0);
    assert_same_scenario(a, b);
    cr_assert_str_eq(b->resolved_text, a->resolved_text);
    /* The schedules are written as schedules, each period once. */
    cr_assert_not_null(strstr(a->resolved_text,
                              "schedules:\n"
                              "  - path: \"projections.afferent.learning_rate\""
                              "\n    every: 250\n"
                              "    points: [[0, 0.1], [1000, 0.05]]\n"));
    cr_assert_null(strstr(a->resolved_text, "value: 0.0875"));
    cr_assert_not_null(strstr(a->resolved_text,
                              "    rehab:\n      regions: [d2, d3, d4]\n"
                              "      until: 6000\n      focus: 4\n"
                              "      gain: 2\n"));
    cr_assert_null(strstr(a->resolved_text, "restore:\n      regions: [d3]\n"
                                            "      until"));
    cr_assert_not_null(strstr(a->resolved_text, "    rule: hebbian\n"));
    /* The sleep's values are written out: the section's where not given. */
    cr_assert_not_null(strstr(a->resolved_text,
                              "    sleep:\n      until: 8000\n"
                              "      noise: 0.05\n      downscale: 0.02\n"
                              "      weak: 0.3\n"));
    remap_scenario_destroy(b);
    remap_scenario_destroy(a);
}

/* Every scenario shipped in scenarios/ loads (as `remap check` does), and
 * its resolved text loads again into the same scenario. */
Test(scenario, every_shipped_scenario_loads)
{
    glob_t g;
    cr_assert_eq(glob(REMAP_SOURCE_DIR "/scenarios/*.yaml", 0, NULL, &g), 0,
                 "no scenarios found");
    bool have_default = false;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *path = g.gl_pathv[i];
        remap_scenario *a = NULL;
        cr_assert_eq(remap_scenario_load_file(path, NULL, 0, &a, &err),
                     REMAP_OK, "%s", err.msg);
        for (size_t k = 0; k < a->event_count; k++)
            cr_assert(k == 0 || a->events[k - 1].at <= a->events[k].at,
                      "%s: events out of order", path);
        remap_scenario *b = load_text(a->resolved_text, NULL, 0);
        assert_same_scenario(a, b);
        cr_assert_str_eq(b->resolved_text, a->resolved_text, "%s", path);
        remap_scenario_destroy(b);
        remap_scenario_destroy(a);
        have_default |= strcmp(strrchr(path, '/'), "/default.yaml") == 0;
    }
    cr_assert(have_default && g.gl_pathc >= 2, "%zu scenarios",
              (size_t)g.gl_pathc);
    globfree(&g);
}

/* The binary's embedded default scenario is scenarios/default.yaml as it
 * is in the source tree. */
Test(scenario, embedded_default_is_the_file)
{
    FILE *f = fopen(REMAP_SOURCE_DIR "/scenarios/default.yaml", "rb");
    cr_assert_not_null(f);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    cr_assert(!ferror(f) && n < sizeof text - 1);
    fclose(f);
    text[n] = '\0';
    const char *embedded = remap_embedded_find(remap_scenarios,
                                               "default.yaml");
    cr_assert_not_null(embedded);
    cr_assert_str_eq(embedded, text);
}

/* ---- choices ----------------------------------------------------------- */

Test(scenario, choices_are_written_by_name)
{
    remap_scenario *s = load_text("sheets: {skin: {layout: modalities}}\n"
                                  "projections: {afferent: {rule: bcm}}\n",
                                  NULL, 0);
    cr_assert_eq(s->params.layout, REMAP_LAYOUT_MODALITIES);
    cr_assert_eq(s->params.afferent.rule, REMAP_RULE_BCM);
    cr_assert_not_null(strstr(s->resolved_text, "    layout: modalities\n"));
    cr_assert_not_null(strstr(s->resolved_text, "    rule: bcm\n"));
    remap_scenario_destroy(s);
    const char *ov[] = {"projections.afferent.rule=hebbian"};
    s = load_text("projections: {afferent: {rule: bcm}}\n", ov, 1);
    cr_assert_eq(s->params.afferent.rule, REMAP_RULE_HEBBIAN);
    remap_scenario_destroy(s);
}

Test(scenario, unknown_choice_suggests_the_nearest)
{
    expect_error("projections:\n  afferent: {rule: bmc}\n", NULL, 0,
                 "t.yaml:2:20: projections.afferent.rule: unknown rule 'bmc' "
                 "(did you mean 'bcm'?); one of: hebbian, bcm");
    /* A number is not a name. */
    expect_error("projections:\n  afferent: {rule: 1}\n", NULL, 0,
                 "t.yaml:2:20: projections.afferent.rule: unknown rule '1'; "
                 "one of: hebbian, bcm");
    expect_error("sheets: {skin: {layout: {a: 1}}}\n", NULL, 0,
                 "t.yaml:1:25: sheets.skin.layout: expected one of: hand, "
                 "modalities, retina, binocular, found a mapping");
    const char *ov[] = {"sheets.skin.layout=hnad"};
    expect_error("", ov, 1,
                 "--set sheets.skin.layout=hnad: sheets.skin.layout: unknown "
                 "layout 'hnad' (did you mean 'hand'?); one of: hand, "
                 "modalities, retina, binocular");
}

Test(scenario, new_sections_load)
{
    remap_scenario *s = load_text(
        "plasticity: {modulation: 2}\n"
        "age: {critical_period: 3000, adult: 0.1, offset: -500}\n"
        "sleep: {noise: 0.3, downscale: 0.05, weak: 0.25}\n"
        "projections:\n"
        "  afferent:\n"
        "    bcm_rate: 0.02\n"
        "    scaling: {rate: 0.01, target: 0.03}\n"
        "    structural: {max_radius: 0.2, floor: 0.2, patience: 3, "
        "interval: 50, sprout_rate: 0.1, trace: 0.05}\n",
        NULL, 0);
    const remap_params *p = &s->params;
    cr_assert_float_eq(p->modulation, 2.0f, 0);
    cr_assert_float_eq(p->age.critical_period, 3000.0f, 0);
    cr_assert_float_eq(p->age.adult, 0.1f, 0);
    cr_assert_float_eq(p->age.offset, -500.0f, 0);
    cr_assert_float_eq(p->sleep.noise, 0.3f, 0);
    cr_assert_float_eq(p->sleep.downscale, 0.05f, 0);
    cr_assert_float_eq(p->sleep.weak, 0.25f, 0);
    cr_assert_float_eq(p->afferent.bcm_rate, 0.02f, 0);
    cr_assert_float_eq(p->afferent.scaling.rate, 0.01f, 0);
    cr_assert_float_eq(p->afferent.scaling.target, 0.03f, 0);
    cr_assert_float_eq(p->afferent.structural.max_radius, 0.2f, 0);
    cr_assert_float_eq(p->afferent.structural.floor, 0.2f, 0);
    cr_assert_eq(p->afferent.structural.patience, 3);
    cr_assert_eq(p->afferent.structural.interval, 50);
    cr_assert_float_eq(p->afferent.structural.sprout_rate, 0.1f, 0);
    cr_assert_float_eq(p->afferent.structural.trace, 0.05f, 0);
    remap_scenario_destroy(s);
    expect_error("projections:\n  afferent:\n    scaling: {target: 0}\n",
                 NULL, 0,
                 "t.yaml:3:23: projections.afferent.scaling.target: 0 is out "
                 "of range [1e-06, 1]");
    expect_error("age: {adult: 2}\nsleep: {colour: 1}\n", NULL, 0,
                 "t.yaml:1:14: age.adult: 2 is out of range [0, 1]\n"
                 "t.yaml:2:9: unknown key 'colour' in sleep");
}

/* ---- the new kinds of event -------------------------------------------- */

/* The one event of a timeline of one entry (iterations 10000). */
static remap_scenario *load_events(const char *entries, const char *extra)
{
    char text[4096];
    snprintf(text, sizeof text, "iterations: 10000\n%stimeline:\n%s",
             extra ? extra : "", entries);
    return load_text(text, NULL, 0);
}

Test(scenario, event_names)
{
    static const char *const keys[] = {
        "set",   "checkpoint", "lesion", "deafferent", "restore",
        "fuse",  "enrich",     "rehab",  "rehab",      "sleep",
        "sleep", "age",        "modulate", "scotoma"};
    static const char *const names[] = {
        "set",         "checkpoint", "lesion",      "deafferent",
        "restore",     "fuse",       "enrich",      "rehab-start",
        "rehab-end",   "sleep-start", "sleep-end",  "age",
        "modulate",    "scotoma"};
    cr_assert_eq(REMAP_EVENT_KIND_COUNT, 14);
    for (int k = 0; k < REMAP_EVENT_KIND_COUNT; k++) {
        cr_assert_str_eq(remap_event_key((remap_event_kind)k), keys[k]);
        cr_assert_str_eq(remap_event_name((remap_event_kind)k), names[k]);
    }
    cr_assert_str_eq(remap_event_name(REMAP_EVENT_KIND_COUNT), "?");
}

Test(scenario, lesion_events)
{
    remap_scenario *s = load_events(
        "  - at: 100\n"
        "    lesion:\n"
        "      disc: {centre: [0.5, 0.7], radius: 0.15}\n"
        "      penumbra: {width: 0.05, gain: 0.5, recovery: 1000}\n"
        "  - at: 200\n"
        "    lesion: {polygon: [[0.1, 0.1], [0.3, 0.1], [0.2, 0.3]]}\n",
        NULL);
    cr_assert_eq(s->event_count, 2);
    const remap_event *e = &s->events[0];
    cr_assert_eq(e->kind, REMAP_EVENT_LESION);
    cr_assert_eq(e->at, 100);
    cr_assert_eq(e->shape.kind, REMAP_SHAPE_DISC);
    cr_assert_float_eq(e->shape.cx, 0.5f, 0);
    cr_assert_float_eq(e->shape.cy, 0.7f, 0);
    cr_assert_float_eq(e->shape.radius, 0.15f, 0);
    cr_assert_float_eq(e->penumbra_width, 0.05f, 0);
    cr_assert_float_eq(e->penumbra_gain, 0.5f, 0);
    cr_assert_eq(e->penumbra_recovery, 1000);
    cr_assert_eq(e->until, 0);
    cr_assert_eq(e->line, 3);
    cr_assert_eq(e->col, 5);
    e = &s->events[1];
    cr_assert_eq(e->shape.kind, REMAP_SHAPE_POLYGON);
    cr_assert_eq(e->shape.points, 3);
    cr_assert_float_eq(e->shape.x[1], 0.3f, 0);
    cr_assert_float_eq(e->shape.y[2], 0.3f, 0);
    /* No penumbra: width 0, full gain, no recovery. */
    cr_assert_float_eq(e->penumbra_width, 0.0f, 0);
    cr_assert_float_eq(e->penumbra_gain, 1.0f, 0);
    cr_assert_eq(e->penumbra_recovery, 0);
    remap_scenario_destroy(s);
}

#define BIT(r) (1u << (r))

Test(scenario, region_events)
{
    remap_scenario *s = load_events(
        "  - {at: 10, deafferent: {regions: [d3, palm]}}\n"
        "  - {at: 20, restore: {regions: palm}}\n"
        "  - {at: 30, fuse: {regions: [d3, d4]}}\n"
        "  - {at: 40, enrich: {regions: [d2], factor: 4}}\n"
        "  - {at: 50, enrich: {spot: [0.2, 0.8, 0.4, 1.0], factor: 2.5}}\n",
        NULL);
    cr_assert_eq(s->event_count, 5);
    const remap_event *e = s->events;
    cr_assert_eq(e[0].kind, REMAP_EVENT_DEAFFERENT);
    cr_assert_eq(e[0].regions, BIT(REMAP_REGION_D3) | BIT(REMAP_REGION_PALM));
    cr_assert_eq(e[0].until, 0);
    cr_assert_eq(e[1].kind, REMAP_EVENT_RESTORE);
    cr_assert_eq(e[1].regions, BIT(REMAP_REGION_PALM));
    cr_assert_eq(e[2].kind, REMAP_EVENT_FUSE);
    cr_assert_eq(e[2].regions, BIT(REMAP_REGION_D3) | BIT(REMAP_REGION_D4));
    cr_assert_eq(e[3].kind, REMAP_EVENT_ENRICH);
    cr_assert_eq(e[3].regions, BIT(REMAP_REGION_D2));
    cr_assert(!e[3].has_spot);
    cr_assert_float_eq(e[3].factor, 4.0f, 0);
    cr_assert_eq(e[4].kind, REMAP_EVENT_ENRICH);
    cr_assert(e[4].has_spot);
    cr_assert_eq(e[4].regions, 0);
    cr_assert_float_eq(e[4].spot[0], 0.2f, 0);
    cr_assert_float_eq(e[4].spot[1], 0.8f, 0);
    cr_assert_float_eq(e[4].spot[2], 0.4f, 0);
    cr_assert_float_eq(e[4].spot[3], 1.0f, 0);
    cr_assert_float_eq(e[4].factor, 2.5f, 0);
    remap_scenario_destroy(s);
}

Test(scenario, periods_become_start_and_end_events)
{
    remap_scenario *s = load_events(
        "  - {at: 100, deafferent: {regions: [d3], until: 400}}\n"
        "  - {at: 200, rehab: {regions: [d2, d4], until: 500}}\n"
        "  - {at: 500, rehab: {regions: [d1], until: 600, focus: 3, "
        "gain: 0}}\n"
        "  - {at: 700, sleep: {until: 900, downscale: 0.5}}\n"
        "  - at: 800\n"
        "    modulate: {disc: {centre: [0.2, 0.2], radius: 0.1}, factor: 3, "
        "until: 1000}\n",
        "sleep: {noise: 0.2, weak: 0.3}\n");
    const struct {
        uint64_t at;
        remap_event_kind kind;
        int line;
    } want[] = {
        {100, REMAP_EVENT_DEAFFERENT, 4}, {200, REMAP_EVENT_REHAB_START, 5},
        {400, REMAP_EVENT_RESTORE, 4},    {500, REMAP_EVENT_REHAB_END, 5},
        {500, REMAP_EVENT_REHAB_START, 6}, {600, REMAP_EVENT_REHAB_END, 6},
        {700, REMAP_EVENT_SLEEP_START, 7}, {800, REMAP_EVENT_MODULATE, 8},
        {900, REMAP_EVENT_SLEEP_END, 7},  {1000, REMAP_EVENT_MODULATE, 8},
    };
    cr_assert_eq(s->event_count, 10);
    for (size_t i = 0; i < 10; i++) {
        cr_assert_eq(s->events[i].at, want[i].at, "event %zu", i);
        cr_assert_eq(s->events[i].kind, want[i].kind, "event %zu", i);
        cr_assert_eq(s->events[i].line, want[i].line, "event %zu", i);
    }
    cr_assert_eq(s->events[0].until, 400);
    cr_assert_eq(s->events[2].until, 400);
    cr_assert_eq(s->events[2].regions, BIT(REMAP_REGION_D3));
    /* A rehab's end carries its start's fields; focus 4, gain 2 by
     * default. */
    const remap_event *r = &s->events[1];
    cr_assert_eq(r->regions, BIT(REMAP_REGION_D2) | BIT(REMAP_REGION_D4));
    cr_assert_float_eq(r->factor, 4.0f, 0);
    cr_assert_float_eq(r->gain, 2.0f, 0);
    cr_assert_eq(r->until, 500);
    cr_assert_eq(s->events[3].regions, r->regions);
    cr_assert_eq(s->events[3].until, 500);
    cr_assert_float_eq(s->events[4].factor, 3.0f, 0);
    cr_assert_float_eq(s->events[4].gain, 0.0f, 0);
    /* A sleep takes the `sleep` section's values where it gives none. */
    for (size_t i = 6; i <= 8; i += 2) {
        const remap_event *z = &s->events[i];
        cr_assert_float_eq(z->sleep.noise, 0.2f, 0);
        cr_assert_float_eq(z->sleep.downscale, 0.5f, 0);
        cr_assert_float_eq(z->sleep.weak, 0.3f, 0);
        cr_assert_eq(z->until, 900);
    }
    /* A modulation with until ends with factor 1 on the same shape. */
    const remap_event *m0 = &s->events[7], *m1 = &s->events[9];
    cr_assert_float_eq(m0->factor, 3.0f, 0);
    cr_assert_float_eq(m1->factor, 1.0f, 0);
    cr_assert_eq(m1->shape.kind, REMAP_SHAPE_DISC);
    cr_assert_float_eq(m1->shape.cx, 0.2f, 0);
    cr_assert_float_eq(m1->shape.radius, 0.1f, 0);
    cr_assert_eq(m1->until, 1000);
    remap_scenario_destroy(s);
}

Test(scenario, age_and_modulate_events)
{
    remap_scenario *s = load_events(
        "  - {at: 4000, age: {value: 20000}}\n"
        "  - at: 100\n"
        "    modulate:\n"
        "      polygon: [[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]]\n"
        "      factor: 0\n",
        NULL);
    cr_assert_eq(s->event_count, 2);
    const remap_event *m = &s->events[0], *a = &s->events[1];
    cr_assert_eq(m->kind, REMAP_EVENT_MODULATE);
    cr_assert_eq(m->shape.kind, REMAP_SHAPE_POLYGON);
    cr_assert_eq(m->shape.points, 4);
    cr_assert_float_eq(m->factor, 0.0f, 0);
    cr_assert_eq(m->until, 0);
    cr_assert_eq(a->kind, REMAP_EVENT_AGE);
    cr_assert_eq(a->at, 4000);
    cr_assert(a->value == 20000.0);
    remap_scenario_destroy(s);
}

/* At one iteration the ends of periods come first, so that a period may
 * start where another ends; the rest keep the written order. */
Test(scenario, period_ends_come_first_at_their_iteration)
{
    remap_scenario *s = load_events(
        "  - {at: 2000, checkpoint: {label: a}}\n"
        "  - {at: 2000, sleep: {until: 3000}}\n"
        "  - {at: 1000, sleep: {until: 2000}}\n"
        "  - {at: 2000, deafferent: {regions: [d3]}}\n"
        "  - {at: 1000, deafferent: {regions: [d3], until: 2000}}\n",
        NULL);
    const remap_event_kind want[] = {
        REMAP_EVENT_SLEEP_START, REMAP_EVENT_DEAFFERENT,
        REMAP_EVENT_SLEEP_END,   REMAP_EVENT_RESTORE,
        REMAP_EVENT_CHECKPOINT,  REMAP_EVENT_SLEEP_START,
        REMAP_EVENT_DEAFFERENT,  REMAP_EVENT_SLEEP_END};
    const int lines[] = {5, 7, 5, 7, 3, 4, 6, 4};
    cr_assert_eq(s->event_count, 8);
    for (size_t i = 0; i < 8; i++) {
        cr_assert_eq(s->events[i].kind, want[i], "event %zu", i);
        cr_assert_eq(s->events[i].line, lines[i], "event %zu", i);
    }
    remap_scenario_destroy(s);
}

Test(scenario, regions_follow_the_layout)
{
    const char *timeline = "timeline:\n"
                           "  - {at: 5, deafferent: {regions: [vision]}}\n"
                           "  - {at: 6, fuse: {regions: [touch, vision]}}\n";
    char text[512];
    snprintf(text, sizeof text, "sheets: {skin: {layout: modalities}}\n%s",
             timeline);
    remap_scenario *s = load_text(text, NULL, 0);
    cr_assert_eq(s->events[0].regions, 1u);
    cr_assert_eq(s->events[1].regions, 3u);
    cr_assert_not_null(strstr(s->resolved_text, "regions: [vision, touch]"));
    remap_scenario_destroy(s);
    /* The layout after overrides decides. */
    const char *ov[] = {"sheets.skin.layout=modalities"};
    s = load_text(timeline, ov, 1);
    cr_assert_eq(s->event_count, 2);
    remap_scenario_destroy(s);
    expect_error(timeline, NULL, 0,
                 "t.yaml:2:36: timeline[0].deafferent.regions: unknown region "
                 "'vision' in the hand layout; one of: palm, d1, d2, d3, d4, "
                 "d5\n"
                 "t.yaml:3:30: timeline[1].fuse.regions: unknown region "
                 "'touch' in the hand layout; one of: palm, d1, d2, d3, d4, "
                 "d5\n"
                 "t.yaml:3:37: timeline[1].fuse.regions: unknown region "
                 "'vision' in the hand layout; one of: palm, d1, d2, d3, d4, "
                 "d5");
    expect_error("sheets: {skin: {layout: modalities}}\ntimeline:\n"
                 "  - {at: 5, deafferent: {regions: [d3]}}\n",
                 NULL, 0,
                 "t.yaml:3:36: timeline[0].deafferent.regions: unknown region "
                 "'d3' in the modalities layout; one of: vision, touch");
    expect_error("timeline:\n  - {at: 5, restore: {regions: [D3]}}\n", NULL,
                 0,
                 "t.yaml:2:33: timeline[0].restore.regions: unknown region "
                 "'D3' in the hand layout (did you mean 'd3'?); one of: palm, "
                 "d1, d2, d3, d4, d5");
}

Test(scenario, shape_errors)
{
    const char *head = "timeline:\n  - at: 5\n";
    const struct {
        const char *event, *msg;
    } cases[] = {
        {"    lesion: {disc: {centre: [1.2, 0.5], radius: 0.1}}\n",
         "t.yaml:3:29: timeline[0].lesion.disc.centre: (1.2, 0.5) is outside "
         "the cortical sheet [0, 1] x [0, 1]"},
        {"    lesion: {disc: {centre: [0.5, 0.5], radius: 0}}\n",
         "t.yaml:3:49: timeline[0].lesion.disc.radius: 0 is out of range "
         "(0, 1]"},
        {"    lesion: {disc: {centre: [0.5, 0.5], radius: 1.5}}\n",
         "t.yaml:3:49: timeline[0].lesion.disc.radius: 1.5 is out of range "
         "(0, 1]"},
        {"    lesion: {disc: {centre: [0.5], radius: 0.1}}\n",
         "t.yaml:3:29: timeline[0].lesion.disc.centre: expected a point "
         "[x, y], found 1 number"},
        {"    lesion: {disc: {centre: [0.5, x], radius: 0.1}}\n",
         "t.yaml:3:35: timeline[0].lesion.disc.centre: expected a number, "
         "found 'x'"},
        {"    lesion: {disc: {radius: 0.1}}\n",
         "t.yaml:3:20: timeline[0].lesion.disc: missing key 'centre'"},
        {"    lesion: {polygon: [[0.1, 0.1], [0.2, 0.2]]}\n",
         "t.yaml:3:23: timeline[0].lesion.polygon: has 2 points; a polygon "
         "has 3 to 16"},
        {"    lesion: {polygon: [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], "
         "[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], "
         "[0, 0], [0, 0], [0, 0], [0, 0]]}\n",
         "t.yaml:3:23: timeline[0].lesion.polygon: has 17 points; a polygon "
         "has 3 to 16"},
        {"    lesion: {polygon: [[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]]}\n",
         "t.yaml:3:23: timeline[0].lesion.polygon: has zero area (its points "
         "lie on one line)"},
        {"    lesion: {polygon: [[0.1, 0.1], [0.2, 0.2], [0.3, 1.3]]}\n",
         "t.yaml:3:48: timeline[0].lesion.polygon[2]: (0.3, 1.3) is outside "
         "the cortical sheet [0, 1] x [0, 1]"},
        {"    lesion: {polygon: 3}\n",
         "t.yaml:3:23: timeline[0].lesion.polygon: expected a list of points "
         "[x, y], found '3'"},
        {"    lesion: {}\n",
         "t.yaml:3:13: timeline[0].lesion: needs a shape: disc (centre, "
         "radius) or polygon (a list of points)"},
        {"    lesion: {disc: {centre: [0.5, 0.5], radius: 0.1}, polygon: "
         "[[0.1, 0.1], [0.2, 0.2], [0.3, 0.1]]}\n",
         "t.yaml:3:13: timeline[0].lesion: has both disc and polygon; give "
         "one shape"},
        {"    lesion:\n      disc: {centre: [0.5, 0.5], radius: 0.1}\n"
         "      penumbra: {width: -1, gain: 1.5, recovery: -3}\n",
         "t.yaml:5:25: timeline[0].lesion.penumbra.width: -1 is out of range "
         "[0, 1]\n"
         "t.yaml:5:35: timeline[0].lesion.penumbra.gain: 1.5 is out of range "
         "[0, 1]\n"
         "t.yaml:5:50: timeline[0].lesion.penumbra.recovery: -3 is out of "
         "range [0, 18446744073709551615]"},
        {"    lesion:\n      disc: {centre: [0.5, 0.5], radius: 0.1}\n"
         "      penumbra: {gain: 0.5}\n",
         "t.yaml:5:17: timeline[0].lesion.penumbra: missing key 'width'"},
        {"    modulate: {factor: 1}\n",
         "t.yaml:3:15: timeline[0].modulate: needs a shape: disc (centre, "
         "radius) or polygon (a list of points)"},
        {"    modulate: {disc: {centre: [0.5, 0.5], radius: 0.1}, factor: "
         "101, until: 3}\n",
         "t.yaml:3:65: timeline[0].modulate.factor: 101 is out of range "
         "[0, 100]\n"
         "t.yaml:3:77: timeline[0].modulate.until: 3 must be after at (5)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "%s%s", head, cases[i].event);
        expect_error(text, NULL, 0, cases[i].msg);
    }
}

Test(scenario, new_event_errors)
{
    const char *head = "timeline:\n  - at: 5\n";
    const struct {
        const char *event, *msg;
    } cases[] = {
        {"    deafferent: {regions: []}\n",
         "t.yaml:3:27: timeline[0].deafferent.regions: needs at least one "
         "region"},
        {"    deafferent: {regions: [d3, d3]}\n",
         "t.yaml:3:32: timeline[0].deafferent.regions: d3 is listed twice"},
        {"    deafferent: {regions: {a: 1}}\n",
         "t.yaml:3:27: timeline[0].deafferent.regions: expected a list of "
         "region names, found a mapping"},
        {"    deafferent: {regions: [[d3]]}\n",
         "t.yaml:3:28: timeline[0].deafferent.regions: expected a region "
         "name, found a sequence"},
        {"    deafferent: {until: 10}\n",
         "t.yaml:3:17: timeline[0].deafferent: missing key 'regions'"},
        {"    deafferent: {regions: d3, until: 5}\n",
         "t.yaml:3:38: timeline[0].deafferent.until: 5 must be after at (5)"},
        {"    deafferent: {regions: d3, until: 30000}\n",
         "t.yaml:3:38: timeline[0].deafferent.until: 30000 is out of range "
         "[6, 20000] (after the last iteration)"},
        {"    deafferent: {regions: d3, until: soon}\n",
         "t.yaml:3:38: timeline[0].deafferent.until: expected a whole "
         "number, found 'soon'"},
        {"    fuse: {regions: [d3]}\n",
         "t.yaml:3:21: timeline[0].fuse.regions: needs at least 2 distinct "
         "regions, found 1"},
        {"    fuse: {regions: [d3, d3]}\n",
         "t.yaml:3:26: timeline[0].fuse.regions: d3 is listed twice"},
        {"    enrich: {regions: [d2], factor: 0}\n",
         "t.yaml:3:37: timeline[0].enrich.factor: 0 is out of range (0, "
         "1000]"},
        {"    enrich: {regions: [d2], factor: 1001}\n",
         "t.yaml:3:37: timeline[0].enrich.factor: 1001 is out of range (0, "
         "1000]"},
        {"    enrich: {factor: 2}\n",
         "t.yaml:3:13: timeline[0].enrich: needs regions (a list of region "
         "names) or spot ([x0, y0, x1, y1])"},
        {"    enrich: {regions: [d2], spot: [0.2, 0.8, 0.4, 1.0], factor: "
         "2}\n",
         "t.yaml:3:13: timeline[0].enrich: has both regions and spot; enrich "
         "either regions or one spot"},
        {"    enrich: {spot: [0.1, 0.8, 0.4, 1.0], factor: 2}\n",
         "t.yaml:3:20: timeline[0].enrich.spot: [0.1, 0.8, 0.4, 1] crosses "
         "d1 and d2; a spot lies inside one region"},
        {"    enrich: {spot: [0.1, 0.3, 0.5, 0.5], factor: 2}\n",
         "t.yaml:3:20: timeline[0].enrich.spot: [0.1, 0.3, 0.5, 0.5] crosses "
         "palm, d1, d2 and d3; a spot lies inside one region"},
        {"    enrich: {spot: [0.4, 0.8, 0.2, 1.0], factor: 2}\n",
         "t.yaml:3:20: timeline[0].enrich.spot: [0.4, 0.8, 0.2, 1] is empty; "
         "a spot [x0, y0, x1, y1] has x0 < x1 and y0 < y1"},
        {"    enrich: {spot: [0.4, 0.8, 0.2], factor: 2}\n",
         "t.yaml:3:20: timeline[0].enrich.spot: expected [x0, y0, x1, y1], "
         "found 3 numbers"},
        {"    rehab: {regions: [d3]}\n",
         "t.yaml:3:12: timeline[0].rehab: missing key 'until'"},
        {"    rehab: {regions: [d3], until: 10, focus: 0, gain: -1}\n",
         "t.yaml:3:46: timeline[0].rehab.focus: 0 is out of range (0, 1000]\n"
         "t.yaml:3:55: timeline[0].rehab.gain: -1 is out of range [0, 100]"},
        {"    sleep: {}\n",
         "t.yaml:3:12: timeline[0].sleep: missing key 'until'"},
        {"    sleep: {until: 10, noise: 11, downscale: 2, weak: -1}\n",
         "t.yaml:3:31: timeline[0].sleep.noise: 11 is out of range [0, 10]\n"
         "t.yaml:3:46: timeline[0].sleep.downscale: 2 is out of range "
         "[0, 1]\n"
         "t.yaml:3:55: timeline[0].sleep.weak: -1 is out of range [0, 10]"},
        {"    age: {value: -1}\n",
         "t.yaml:3:18: timeline[0].age.value: -1 is out of range [0, 1e+12]"},
        {"    age: 3\n",
         "t.yaml:3:10: timeline[0].age: expected a mapping, found '3'"},
        {"    age: {value: 3, unit: years}\n",
         "t.yaml:3:21: unknown key 'unit' in timeline[0].age"},
        {"    slep: {until: 10}\n",
         "t.yaml:3:5: unknown key 'slep' in timeline[0] (did you mean "
         "'sleep'?)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "%s%s", head, cases[i].event);
        expect_error(text, NULL, 0, cases[i].msg);
    }
}

/* ---- contradictions ---------------------------------------------------- */

Test(scenario, overlapping_periods_are_refused)
{
    expect_error("timeline:\n"
                 "  - {at: 1000, sleep: {until: 2000}}\n"
                 "  - {at: 1500, sleep: {until: 2500}}\n",
                 NULL, 0,
                 "t.yaml:3:5: timeline[1]: sleep from 1500 until 2500 "
                 "overlaps the sleep from 1000 until 2000 (line 2)");
    /* The later period is refused wherever it is written. */
    expect_error("timeline:\n"
                 "  - {at: 2000, rehab: {regions: [d3], until: 2500}}\n"
                 "  - {at: 1000, rehab: {regions: [d2], until: 3000}}\n",
                 NULL, 0,
                 "t.yaml:2:5: timeline[0]: rehab from 2000 until 2500 "
                 "overlaps the rehab from 1000 until 3000 (line 3)");
    expect_error("timeline:\n"
                 "  - at: 1000\n"
                 "    modulate: {disc: {centre: [0.5, 0.5], radius: 0.1}, "
                 "factor: 2, until: 3000}\n"
                 "  - at: 2000\n"
                 "    modulate: {polygon: [[0, 0], [0.1, 0], [0, 0.1]], "
                 "factor: 0, until: 4000}\n",
                 NULL, 0,
                 "t.yaml:4:5: timeline[1]: modulate from 2000 until 4000 "
                 "overlaps the modulate from 1000 until 3000 (line 2)");
    /* Periods that touch do not overlap; a modulation without until is
     * not a period. */
    remap_scenario *s = load_text(
        "timeline:\n"
        "  - {at: 1000, sleep: {until: 2000}}\n"
        "  - {at: 2000, sleep: {until: 3000}}\n"
        "  - {at: 1000, rehab: {regions: [d3], until: 2000}}\n"
        "  - {at: 2000, rehab: {regions: [d3], until: 3000}}\n"
        "  - {at: 1000, modulate: {disc: {centre: [0.5, 0.5], radius: 0.1}, "
        "factor: 2, until: 3000}}\n"
        "  - {at: 1500, modulate: {disc: {centre: [0.5, 0.5], radius: 0.1}, "
        "factor: 0}}\n",
        NULL, 0);
    cr_assert_eq(s->event_count, 11);
    remap_scenario_destroy(s);
}

Test(scenario, contradictory_deafferentation_is_refused)
{
    expect_error("timeline:\n"
                 "  - {at: 1000, deafferent: {regions: [d3]}}\n"
                 "  - {at: 2000, deafferent: {regions: [d2, d3]}}\n",
                 NULL, 0,
                 "t.yaml:3:5: timeline[1]: deafferent at 2000: d3 is already "
                 "deafferented then (by the deafferent at line 2)");
    expect_error("timeline:\n"
                 "  - {at: 1500, deafferent: {regions: [d3]}}\n"
                 "  - {at: 1000, deafferent: {regions: [d3], until: 2000}}\n",
                 NULL, 0,
                 "t.yaml:2:5: timeline[0]: deafferent at 1500: d3 is already "
                 "deafferented then (by the deafferent at line 3)");
    expect_error("timeline:\n  - {at: 1000, restore: {regions: [d3]}}\n",
                 NULL, 0,
                 "t.yaml:2:5: timeline[0]: restore at 1000: d3 is not "
                 "deafferented then (no earlier event deafferents it)");
    expect_error("timeline:\n"
                 "  - {at: 1000, deafferent: {regions: [d3], until: 2000}}\n"
                 "  - {at: 2000, restore: {regions: [d3]}}\n",
                 NULL, 0,
                 "t.yaml:3:5: timeline[1]: restore at 2000: d3 is not "
                 "deafferented then (it was restored at 2000, line 2)");
    expect_error("timeline:\n"
                 "  - {at: 1000, deafferent: {regions: [d3], until: 2000}}\n"
                 "  - {at: 1500, restore: {regions: [d3]}}\n",
                 NULL, 0,
                 "t.yaml:3:5: timeline[1]: restore at 1500: d3 is under the "
                 "nerve block from 1000 until 2000 (line 2), which restores "
                 "it itself");
    expect_error("timeline:\n"
                 "  - {at: 1000, deafferent: {regions: [d3, d4]}}\n"
                 "  - {at: 3000, restore: {regions: [d3]}}\n"
                 "  - {at: 4000, restore: {regions: [d3, d4]}}\n",
                 NULL, 0,
                 "t.yaml:4:5: timeline[2]: restore at 4000: d3 is not "
                 "deafferented then (it was restored at 3000, line 3)");
    /* A block, then amputation where it ends, then a restore. */
    remap_scenario *s = load_text(
        "timeline:\n"
        "  - {at: 2000, deafferent: {regions: [d3]}}\n"
        "  - {at: 1000, deafferent: {regions: [d3, d4], until: 2000}}\n"
        "  - {at: 3000, restore: {regions: [d3]}}\n"
        "  - {at: 3000, deafferent: {regions: [d4]}}\n",
        NULL, 0);
    cr_assert_eq(s->event_count, 5);
    cr_assert_eq(s->events[1].kind, REMAP_EVENT_RESTORE);
    cr_assert_eq(s->events[1].at, 2000);
    cr_assert_eq(s->events[2].kind, REMAP_EVENT_DEAFFERENT);
    remap_scenario_destroy(s);
}

/* ---- schedules --------------------------------------------------------- */

Test(scenario, schedule_expands_into_sets)
{
    remap_scenario *s = load_text(
        "iterations: 2000\n"
        "schedules:\n"
        "  - path: projections.afferent.learning_rate\n"
        "    every: 250\n"
        "    points: [[0, 0.1], [1000, 0.05]]\n",
        NULL, 0);
    const double want[] = {0.1, 0.0875, 0.075, 0.0625, 0.05};
    cr_assert_eq(s->event_count, 5);
    for (size_t i = 0; i < 5; i++) {
        const remap_event *e = &s->events[i];
        cr_assert_eq(e->kind, REMAP_EVENT_SET);
        cr_assert(e->scheduled);
        cr_assert_eq(e->at, 250 * i);
        cr_assert_str_eq(e->path, "projections.afferent.learning_rate");
        cr_assert_float_eq(e->value, want[i], 1e-15, "event %zu: %.17g", i,
                           e->value);
        cr_assert_eq(e->line, 3);
        cr_assert_eq(e->col, 5);
    }
    cr_assert(s->events[0].value == 0.1 && s->events[4].value == 0.05);
    remap_scenario_destroy(s);
}

Test(scenario, schedule_sets_land_on_every_point)
{
    /* every 100 from 0, and exactly at 250 and 320; whole numbers for a
     * whole parameter. Default every: 100. */
    remap_scenario *s = load_text(
        "iterations: 2000\n"
        "schedules:\n"
        "  - path: stimulus.peak\n"
        "    points: [[0, 0], [250, 1], [320, 3]]\n"
        "  - path: projections.afferent.structural.interval\n"
        "    every: 40\n"
        "    points: [[1000, 100], [1100, 200]]\n"
        "timeline:\n"
        "  - {at: 200, set: {path: homeostasis.rate, value: 0.02}}\n"
        "  - {at: 1040, checkpoint: {}}\n",
        NULL, 0);
    const struct {
        uint64_t at;
        const char *path;
        double value;
    } want[] = {
        {0, "stimulus.peak", 0},
        {100, "stimulus.peak", 0.4},
        {200, "stimulus.peak", 0.8},
        {200, "homeostasis.rate", 0.02},
        {250, "stimulus.peak", 1},
        {300, "stimulus.peak", 1 + 2 * 50.0 / 70.0},
        {320, "stimulus.peak", 3},
        {1000, "projections.afferent.structural.interval", 100},
        {1040, "projections.afferent.structural.interval", 140},
        {1040, "", 0},
        {1080, "projections.afferent.structural.interval", 180},
        {1100, "projections.afferent.structural.interval", 200},
    };
    cr_assert_eq(s->event_count, 12);
    for (size_t i = 0; i < 12; i++) {
        const remap_event *e = &s->events[i];
        cr_assert_eq(e->at, want[i].at, "event %zu", i);
        cr_assert_str_eq(e->path, want[i].path, "event %zu", i);
        cr_assert_float_eq(e->value, want[i].value, 1e-12, "event %zu", i);
    }
    remap_scenario_destroy(s);
    /* A whole parameter between points is rounded. */
    s = load_text("schedules:\n"
                  "  - path: projections.afferent.structural.patience\n"
                  "    every: 1\n"
                  "    points: [[0, 1], [3, 2]]\n",
                  NULL, 0);
    cr_assert_eq(s->event_count, 4);
    cr_assert(s->events[1].value == 1 && s->events[2].value == 2);
    remap_scenario_destroy(s);
}

Test(scenario, schedule_errors)
{
    expect_error(
        "iterations: 5000\n"
        "schedules:\n"
        "  - {path: stimulus.pek, points: [[0, 1], [1000, 0.5]]}\n"
        "  - {path: sheets.cortex.density, points: [[0, 1], [1000, 0.5]]}\n"
        "  - {path: stimulus.peak, points: [[0, 1]]}\n"
        "  - {path: stimulus.peak, points: [[0, 1], [0, 2], [6000, 1], "
        "[7000, 200]]}\n"
        "  - {path: stimulus.peak, points: [[0, x], [1.5, 2], 3, [-1, 1]], "
        "every: 0}\n"
        "  - {path: projections.afferent.structural.interval, every: 1, "
        "points: [[0, 1], [5000, 2.5]]}\n"
        "  - {path: stimulus.peak, points: 3}\n"
        "  - {points: [[0, 1], [1, 1]]}\n",
        NULL, 0,
        "t.yaml:3:12: schedules[0].path: unknown parameter 'stimulus.pek' "
        "(did you mean 'stimulus.peak'?)\n"
        "t.yaml:4:12: schedules[1].path: sheets.cortex.density is fixed when "
        "the model is built and cannot be scheduled during a run\n"
        "t.yaml:5:35: schedules[2].points: has 1 point; a schedule needs at "
        "least two\n"
        "t.yaml:6:45: schedules[3].points[1]: iteration 0 does not come "
        "after the previous point's 0; points are in increasing order of "
        "iteration\n"
        "t.yaml:6:53: schedules[3].points[2]: iteration 6000 is out of range "
        "[0, 5000] (after the last iteration)\n"
        "t.yaml:6:64: schedules[3].points[3]: iteration 7000 is out of range "
        "[0, 5000] (after the last iteration)\n"
        "t.yaml:6:70: schedules[3].points[3]: value 200 is out of range "
        "[0, 100] for stimulus.peak\n"
        "t.yaml:7:40: schedules[4].points[0]: expected a number, found 'x'\n"
        "t.yaml:7:45: schedules[4].points[1]: expected a whole number of "
        "iterations, found '1.5'\n"
        "t.yaml:7:54: schedules[4].points[2]: expected [iteration, value], "
        "found '3'\n"
        "t.yaml:7:58: schedules[4].points[3]: iteration -1 is out of range "
        "[0, 5000]\n"
        "t.yaml:7:74: schedules[4].every: 0 is out of range [1, "
        "18446744073709551615]\n"
        "t.yaml:8:88: schedules[5].points[1]: value 2.5 must be a whole "
        "number for projections.afferent.structural.interval\n"
        "t.yaml:9:35: schedules[6].points: expected a list of points "
        "[iteration, value], found '3'\n"
        "t.yaml:10:5: schedules[7]: missing key 'path'");
    expect_error("iterations: 5000000\nschedules:\n"
                 "  - {path: stimulus.peak, every: 1, points: [[0, 1], "
                 "[5000000, 2]]}\n",
                 NULL, 0,
                 "t.yaml:3:5: schedules[0]: makes more than 1000000 set "
                 "events (every 1 from 0 to 5000000); use a larger every");
    expect_error("schedules: {path: stimulus.peak}\n", NULL, 0,
                 "t.yaml:1:12: schedules: expected a sequence of schedules, "
                 "found a mapping");
    const char *ov[] = {"schedules=[]"};
    expect_error("", ov, 1,
                 "--set schedules=[]: schedules cannot be overridden; edit it "
                 "in the file");
}

Test(scenario, schedules_of_one_parameter_may_not_overlap)
{
    expect_error("schedules:\n"
                 "  - {path: stimulus.peak, points: [[1000, 0.5], [2000, "
                 "0.2]]}\n"
                 "  - {path: stimulus.peak, points: [[0, 1], [1000, 0.5]]}\n",
                 NULL, 0,
                 "t.yaml:2:5: schedules[0]: the schedule of stimulus.peak "
                 "from 1000 to 2000 overlaps the one from 0 to 1000 (line 3)");
    expect_error("timeline:\n"
                 "  - {at: 1000, set: {path: stimulus.peak, value: 0.5}}\n"
                 "  - {at: 499, set: {path: stimulus.peak, value: 0.5}}\n"
                 "  - {at: 500, set: {path: stimulus.sigma, value: 0.05}}\n"
                 "schedules:\n"
                 "  - path: stimulus.peak\n"
                 "    points: [[500, 1], [1000, 0.5]]\n",
                 NULL, 0,
                 "t.yaml:2:5: timeline[0]: set of stimulus.peak at 1000 falls "
                 "in the schedule of stimulus.peak from 500 to 1000 (line "
                 "6)");
    /* Different parameters, and one after another, are fine. */
    remap_scenario *s = load_text(
        "schedules:\n"
        "  - {path: stimulus.peak, points: [[0, 1], [1000, 0.5]]}\n"
        "  - {path: stimulus.peak, points: [[1001, 0.5], [2000, 0.2]]}\n"
        "  - {path: stimulus.sigma, points: [[0, 0.1], [2000, 0.05]]}\n",
        NULL, 0);
    cr_assert_eq(s->event_count, 11 + 11 + 21);
    remap_scenario_destroy(s);
}

/* ---- files and arguments ----------------------------------------------- */

Test(scenario, unreadable_files)
{
    remap_scenario *s = NULL;
    cr_assert_eq(remap_scenario_load_file(DATA "no_such.yaml", NULL, 0, &s,
                                          &err),
                 REMAP_EIO);
    cr_assert_null(s);
    cr_assert_str_eq(err.msg,
                     DATA "no_such.yaml: cannot open: No such file or "
                          "directory");
    cr_assert_eq(remap_scenario_load_file(DATA, NULL, 0, &s, &err),
                 REMAP_EIO);
    cr_assert_str_eq(err.msg, DATA ": cannot read: Is a directory");
}

Test(scenario, bad_arguments)
{
    remap_scenario *s = NULL;
    cr_assert_eq(remap_scenario_load_text("x", NULL, NULL, 0, &s, &err),
                 REMAP_EINVAL);
    cr_assert_str_eq(err.msg, "remap_scenario_load_text: text is NULL");
    cr_assert_eq(remap_scenario_load_text("x", "", NULL, 1, &s, &err),
                 REMAP_EINVAL);
    cr_assert_str_eq(err.msg, "remap_scenario_load_text: 1 overrides but "
                              "overrides is NULL");
    cr_assert_eq(remap_scenario_load_file(NULL, NULL, 0, &s, &err),
                 REMAP_EINVAL);
    remap_scenario_destroy(NULL);
}

/* outputs.frames: defaults, values, their place for the renderer's check,
 * ranges, and the resolved text. */
Test(scenario, frames_section)
{
    remap_scenario *d = load_text("name: d\n", NULL, 0);
    cr_assert_str_eq(d->frames.panels, "map,activity,skin,plot");
    cr_assert_eq(d->frames.width, 1280);
    cr_assert_eq(d->frames.height, 720);
    cr_assert_eq(d->frames.every, 0);
    cr_assert_eq(d->frames.compression, 3);
    remap_scenario_destroy(d);

    remap_scenario *s = load_text("name: f\n"
                                  "outputs:\n"
                                  "  frames:\n"
                                  "    panels: map,skin\n"
                                  "    width: 640\n"
                                  "    height: 360\n"
                                  "    every: 25\n",
                                  NULL, 0);
    cr_assert_str_eq(s->frames.panels, "map,skin");
    cr_assert_str_eq(s->frames.panels_place, "t.yaml:4:13");
    cr_assert_eq(s->frames.width, 640);
    cr_assert_eq(s->frames.every, 25);
    cr_assert(strstr(s->resolved_text, "    panels: \"map,skin\"\n"),
              "%s", s->resolved_text);
    remap_scenario *again = load_text(s->resolved_text, NULL, 0);
    cr_assert_str_eq(again->frames.panels, "map,skin");
    cr_assert_eq(again->frames.height, 360);
    remap_scenario_destroy(again);
    remap_scenario_destroy(s);

    const char *ov[] = {"outputs.frames.panels=plot"};
    remap_scenario *o = load_text("name: o\n", ov, 1);
    cr_assert_str_eq(o->frames.panels, "plot");
    cr_assert_str_eq(o->frames.panels_place,
                     "--set outputs.frames.panels=plot");
    remap_scenario_destroy(o);

    expect_error("outputs: {frames: {compression: 10}}\n", NULL, 0,
                 "t.yaml:1:33: outputs.frames.compression: 10 is out of "
                 "range [0, 9]");
    expect_error("outputs: {frames: {widht: 640}}\n", NULL, 0,
                 "t.yaml:1:20: unknown key 'widht' in outputs.frames (did "
                 "you mean 'width'?)");
}
