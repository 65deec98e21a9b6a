/* Status names, error messages, suggestions and the parameter table. */
#include "core/status.h"
#include "core/suggest.h"
#include "model/model.h"
#include "model/params.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

Test(core, status_names_match_table)
{
    cr_assert_str_eq(remap_status_name(REMAP_OK), "REMAP_OK");
    cr_assert_str_eq(remap_status_name(REMAP_EBUILD), "REMAP_EBUILD");
    cr_assert_str_eq(remap_status_name((remap_status)999), "REMAP_UNKNOWN");
    cr_assert_str_eq(remap_status_message(REMAP_ETOOBIG), "model does not fit");
}

Test(core, exit_codes)
{
    cr_assert_eq(remap_status_exit_code(REMAP_OK), 0);
    cr_assert_eq(remap_status_exit_code(REMAP_EUSAGE), 2);
    cr_assert_eq(remap_status_exit_code(REMAP_ESCENARIO), 2);
    cr_assert_eq(remap_status_exit_code(REMAP_ETOOBIG), 2);
    cr_assert_eq(remap_status_exit_code(REMAP_EDEVICE), 1);
    cr_assert_eq(remap_status_exit_code(REMAP_ENUMERIC), 1);
}

Test(core, fail_and_prefix)
{
    remap_error err;
    remap_error_clear(&err);
    cr_assert_eq(remap_fail(&err, REMAP_EIO, "cannot open '%s'", "x.h5"),
                 REMAP_EIO);
    remap_error_prefix(&err, "checkpoint %d", 3);
    cr_assert_str_eq(err.msg, "checkpoint 3: cannot open 'x.h5'");
    cr_assert_eq(err.status, REMAP_EIO);
}

Test(core, suggest_nearest)
{
    const char *names[] = {"learning_rate", "strength", "radius"};
    cr_assert_str_eq(remap_suggest("lerning_rate", names, 3), "learning_rate");
    cr_assert_str_eq(remap_suggest("radus", names, 3), "radius");
    cr_assert_null(remap_suggest("zzzzzzzzzz", names, 3));
    cr_assert_eq(remap_edit_distance("kitten", "sitting"), 3);
}

Test(params, defaults_are_valid)
{
    remap_params p;
    remap_params_default(&p);
    remap_error err;
    cr_assert_eq(remap_params_validate(&p, &err), REMAP_OK, "%s", err.msg);
}

Test(params, set_by_path)
{
    remap_params p;
    remap_params_default(&p);
    remap_error err;
    cr_assert_eq(remap_param_set(&p, "projections.afferent.learning_rate",
                                 0.05, &err),
                 REMAP_OK);
    cr_assert_float_eq(p.afferent.learning_rate, 0.05f, 1e-7f);
    cr_assert_eq(remap_param_set(&p, "settling.steps", 8, &err), REMAP_OK);
    cr_assert_eq(p.settle_steps, 8);
}

Test(params, set_rejects_unknown_and_out_of_range)
{
    remap_params p;
    remap_params_default(&p);
    remap_error err;
    cr_assert_eq(remap_param_set(&p, "projections.afferent.lerning_rate", 1,
                                 &err),
                 REMAP_EINVAL);
    cr_assert(strstr(err.msg, "did you mean 'projections.afferent.learning_rate'"),
              "%s", err.msg);
    cr_assert_eq(remap_param_set(&p, "homeostasis.rate", 3, &err), REMAP_EINVAL);
    cr_assert(strstr(err.msg, "homeostasis.rate: value 3 is out of range [0, 1]"),
              "%s", err.msg);
    cr_assert_eq(remap_param_set(&p, "settling.steps", 2.5, &err), REMAP_EINVAL);
}

Test(params, validate_rejects_radius_below_one_receptor)
{
    remap_params p;
    remap_params_default(&p);
    p.afferent.radius = 0.02f;
    remap_error err;
    cr_assert_eq(remap_params_validate(&p, &err), REMAP_EINVAL);
    cr_assert(strstr(err.msg, "projections.afferent.radius"), "%s", err.msg);
}

/* The LGN's Gaussians must not be cut within two sigmas of the wider one:
 * checked in the visual layouts only, naming the sigma that cuts. */
Test(params, validate_rejects_an_lgn_radius_that_cuts_the_surround)
{
    remap_params p;
    remap_params_default(&p);
    remap_error err;
    p.lgn.radius = 0.2f;
    cr_assert_eq(remap_params_validate(&p, &err), REMAP_OK, "%s", err.msg);
    p.layout = REMAP_LAYOUT_RETINA;
    cr_assert_eq(remap_params_validate(&p, &err), REMAP_EINVAL);
    cr_assert(strstr(err.msg, "lgn.radius: 0.2 cuts"), "%s", err.msg);
    cr_assert(strstr(err.msg, "lgn.surround_sigma 0.15"), "%s", err.msg);
    cr_assert(strstr(err.msg, "give at least 0.3"), "%s", err.msg);
    p.lgn.radius = 0.3f;
    cr_assert_eq(remap_params_validate(&p, &err), REMAP_OK, "%s", err.msg);
    p.lgn.gain_sigma = 0.2f;
    cr_assert_eq(remap_params_validate(&p, &err), REMAP_EINVAL);
    cr_assert(strstr(err.msg, "lgn.gain_sigma 0.2"), "%s", err.msg);
    p.lgn.gain_strength = 0.0f; /* no gain pool: its sigma cuts nothing */
    cr_assert_eq(remap_params_validate(&p, &err), REMAP_OK, "%s", err.msg);
}

Test(params, validate_accepts_values_at_float_bounds)
{
    remap_params p;
    remap_params_default(&p);
    remap_error err;
    cr_assert_eq(remap_param_set(&p, "stimulus.sigma", 0.005, &err), REMAP_OK);
    cr_assert_eq(remap_params_validate(&p, &err), REMAP_OK, "%s", err.msg);
}

/* Known IEEE half-precision roundings: ties go to the even neighbour,
 * values past the largest half overflow, tiny ones become subnormal halves
 * or zero. */
Test(core, half_rounding)
{
    static const struct {
        float x, half;
    } cases[] = {
        {1.0f, 1.0f},
        {1.0f + 0x1p-11f, 1.0f},                  /* tie: to even */
        {1.0f + 3 * 0x1p-11f, 1.0f + 0x1p-9f},    /* tie: to even */
        {1.0f + 0x1p-11f + 0x1p-20f, 1.0f + 0x1p-10f},
        {0.1f, 0.0999755859375f},
        {65504.0f, 65504.0f},
        {65519.0f, 65504.0f},
        {0x1p-14f, 0x1p-14f},                     /* smallest normal */
        {0x1p-24f, 0x1p-24f},                     /* smallest subnormal */
        {3 * 0x1p-26f, 0x1p-24f},
        {0x1p-25f, 0.0f},                         /* tie: to even (0) */
        {1e-8f, 0.0f},
        {-1.0f - 3 * 0x1p-11f, -1.0f - 0x1p-9f},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert_eq(remap_half_round(cases[i].x), cases[i].half,
                     "case %zu: %a rounds to %a, not %a", i,
                     (double)cases[i].x,
                     (double)remap_half_round(cases[i].x),
                     (double)cases[i].half);
    cr_assert(isinf(remap_half_round(65520.0f)));
    cr_assert(isinf(remap_half_round(-1e6f)) && remap_half_round(-1e6f) < 0);
    cr_assert(isnan(remap_half_round(NAN)));
}
