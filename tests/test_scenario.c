/* Scenario files: defaults, every error kind with its exact message and
 * place, overrides, event order and the resolved text's round trip. */
#include "scenario/scenario.h"

#include <criterion/criterion.h>
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

Test(scenario, default_matches_param_defaults)
{
    remap_scenario *s = NULL;
    cr_assert_eq(remap_scenario_load_default(NULL, 0, &s, &err), REMAP_OK,
                 "%s", err.msg);
    remap_params def;
    remap_params_default(&def);
    assert_params_equal(&s->params, &def);
    cr_assert_str_eq(s->source, "default.yaml (embedded)");
    cr_assert_str_eq(s->name, "hand-development");
    cr_assert_eq(s->seed, 1);
    cr_assert_eq(s->measure_interval, 1000);
    cr_assert(s->write_metrics && s->write_checkpoints);
    /* The file's timeline lowers the learning rate once the map formed. */
    cr_assert_geq(s->event_count, 1);
    cr_assert_eq(s->events[0].kind, REMAP_EVENT_SET);
    cr_assert_leq(s->events[0].at, s->iterations);
    cr_assert_str_eq(s->events[0].path, "projections.afferent.learning_rate");
    cr_assert_lt(s->events[0].value, (double)def.afferent.learning_rate);
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

/* Each path of the parameter table is a YAML path that reaches exactly
 * that member of remap_params, and nothing else. */
Test(scenario, every_parameter_path_reaches_its_member)
{
    size_t count;
    const remap_param_info *t = remap_param_table(&count);
    remap_params def;
    remap_params_default(&def);
    for (size_t i = 0; i < count; i++) {
        double d = remap_param_get(&def, &t[i]);
        double v = t[i].is_int ? d + 1 : d + (t[i].max - d) * 0.01;
        cr_assert(v != d && v <= t[i].max, "%s", t[i].path);
        char ov[256];
        int n = snprintf(ov, sizeof ov, "%s=%.9g", t[i].path, v);
        cr_assert(n > 0 && (size_t)n < sizeof ov);
        double written = strtod(strchr(ov, '=') + 1, NULL);
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
        remap_scenario_destroy(s);
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
                 "checkpoint");
    expect_error("timeline:\n  - at: 5\n    checkpoint: {}\n"
                 "    set: {path: homeostasis.rate, value: 0.1}\n",
                 NULL, 0,
                 "t.yaml:2:5: timeline[0]: an event has exactly one of: set, "
                 "checkpoint (write one entry per event)");
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
