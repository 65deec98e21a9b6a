/* The remap command end to end: usage errors (exit 2), input errors, device
 * errors, and a small real run. Runs the built binary. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char out[65536];
static char tmp[256];

/* Runs `remap ARGS` with stderr joined to stdout; returns the exit code. */
static int remap(const char *env, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && %s '%s' %s 2>&1", tmp,
             env ? env : "", REMAP_BINARY, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    cr_assert(WIFEXITED(status), "remap %s did not exit", args);
    return WEXITSTATUS(status);
}

static void make_tmp(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/remap-test-cli-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
}

static void remove_tmp(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(cli, .init = make_tmp, .fini = remove_tmp);

#define ASSERT_OUT(text) cr_assert(strstr(out, text), "expected '%s' in:\n%s", text, out)

Test(cli, no_arguments_is_usage_error)
{
    cr_assert_eq(remap(NULL, ""), 2);
    ASSERT_OUT("usage: remap <command>");
}

Test(cli, unknown_command_suggests)
{
    cr_assert_eq(remap(NULL, "rnu"), 2);
    ASSERT_OUT("unknown command 'rnu' (did you mean 'run'?)");
}

Test(cli, unknown_option_suggests)
{
    cr_assert_eq(remap(NULL, "run --sed 3"), 2);
    ASSERT_OUT("run: unknown option '--sed' (did you mean '--seed'?)");
    cr_assert_eq(remap(NULL, "run --bogus-flag"), 2);
    ASSERT_OUT("unknown option '--bogus-flag'");
}

Test(cli, bad_option_values)
{
    cr_assert_eq(remap(NULL, "run --seed abc"), 2);
    ASSERT_OUT("--seed needs a non-negative integer, got 'abc'");
    cr_assert_eq(remap(NULL, "run --iterations 0"), 2);
    ASSERT_OUT("--iterations needs a positive integer, got '0'");
    cr_assert_eq(remap(NULL, "run --set nothing"), 2);
    ASSERT_OUT("--set needs PATH=VALUE, got 'nothing'");
    cr_assert_eq(remap(NULL, "run --out"), 2);
    ASSERT_OUT("option '--out' needs a value");
    cr_assert_eq(remap(NULL, "run --quiet=yes"), 2);
    ASSERT_OUT("option '--quiet' takes no value");
}

Test(cli, unknown_set_path_is_input_error)
{
    cr_assert_eq(remap(NULL, "run --set projections.afferent.lerning_rate=0.2"),
                 2);
    ASSERT_OUT("lerning_rate");
    ASSERT_OUT("did you mean 'learning_rate'");
}

Test(cli, reference_takes_no_device)
{
    cr_assert_eq(remap(NULL, "run --reference --device 0"), 2);
    ASSERT_OUT("--reference runs on the host; it takes no --device");
}

Test(cli, default_run_directory_keeps_safe_characters)
{
    char path[512];
    snprintf(path, sizeof path, "%s/odd.yaml", tmp);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("name: \"../a b/c\"\niterations: 2\n"
          "sheets: {skin: {density: 12}, cortex: {density: 12}}\n",
          f);
    fclose(f);
    cr_assert_eq(remap(NULL, "run odd.yaml --quiet --reference"), 0, "%s", out);
    ASSERT_OUT("run directory: runs/.._a_b_c-");
}

Test(cli, resume_takes_no_scenario)
{
    cr_assert_eq(remap(NULL, "run x.yaml --resume y.h5"), 2);
    ASSERT_OUT("--resume continues a run as it was");
    cr_assert_eq(remap(NULL, "run --resume missing.h5"), 2);
    ASSERT_OUT("missing.h5");
}

Test(cli, check_reports_missing_file_and_bad_values)
{
    cr_assert_eq(remap(NULL, "check missing.yaml"), 2);
    ASSERT_OUT("missing.yaml");
    FILE *f = fopen("/dev/null", "r");
    fclose(f);
    char path[512];
    snprintf(path, sizeof path, "%s/bad.yaml", tmp);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("iterations: 0\n", f);
    fclose(f);
    cr_assert_eq(remap(NULL, "check bad.yaml"), 2);
    ASSERT_OUT("bad.yaml:1:");
    ASSERT_OUT("iterations");
    cr_assert_eq(remap(NULL, "check"), 2);
    ASSERT_OUT("check: needs a scenario file");
}

Test(cli, check_accepts_shipped_scenario)
{
    cr_assert_eq(remap(NULL, "check " REMAP_SOURCE_DIR "/scenarios/default.yaml"),
                 0, "%s", out);
    ASSERT_OUT(": ok: 'stroke-rehab'");
}

Test(cli, devices_lists_the_cpu_device)
{
    cr_assert_eq(remap(NULL, "devices"), 0, "%s", out);
    ASSERT_OUT("device 0: ");
    ASSERT_OUT("compute units");
    ASSERT_OUT("largest allocation");
    ASSERT_OUT("OpenCL C");
}

Test(cli, no_platform_names_packages)
{
    char env[512];
    snprintf(env, sizeof env, "mkdir -p empty && OCL_ICD_VENDORS='%s/empty'",
             tmp);
    cr_assert_eq(remap(env, "devices"), 1, "%s", out);
    ASSERT_OUT("no OpenCL platform");
    ASSERT_OUT("pocl-opencl-icd");
}

Test(cli, unknown_device_is_input_error)
{
    cr_assert_eq(remap(NULL, "run --device no-such-device --out r"), 2);
    ASSERT_OUT("no OpenCL device matches 'no-such-device'; the devices are:");
    ASSERT_OUT("  0: ");
    cr_assert_eq(remap("REMAP_DEVICE=no-such-device", "run --out r2"), 2);
    ASSERT_OUT("no-such-device");
}

Test(cli, model_too_big_for_device_names_largest_fit)
{
    cr_assert_eq(remap(NULL, "run --out big --set sheets.skin.density=512 "
                             "--set sheets.cortex.density=4096"),
                 2, "%s", out);
    ASSERT_OUT("the largest cortex density that fits is");
}

Test(cli, small_run_end_to_end)
{
    const char *args = "run --out r --quiet --iterations 30 "
                       "--set sheets.cortex.density=12 "
                       "--set sheets.skin.density=12 "
                       "--set measure.interval=10";
    cr_assert_eq(remap(NULL, args), 0, "%s", out);
    ASSERT_OUT("stroke-rehab: 30 iterations");
    ASSERT_OUT("topographic error");
    ASSERT_OUT("last checkpoint: r/checkpoints/checkpoint-00000030.h5");
    cr_assert_eq(remap(NULL, args), 2);
    ASSERT_OUT("r: already holds a run");
    /* Continue the same run to iteration 40 from its checkpoint. */
    cr_assert_eq(remap(NULL, "run --quiet --resume "
                             "r/checkpoints/checkpoint-00000030.h5 "
                             "--iterations 40"),
                 0, "%s", out);
    ASSERT_OUT("stroke-rehab: 10 iterations");
    ASSERT_OUT("run directory: r\n");
}

Test(cli, help_for_each_command)
{
    cr_assert_eq(remap(NULL, "help run"), 0);
    ASSERT_OUT("--resume CHECKPOINT");
    cr_assert_eq(remap(NULL, "run --help"), 0);
    ASSERT_OUT("--set PATH=VALUE");
    cr_assert_eq(remap(NULL, "help devices"), 0);
    cr_assert_eq(remap(NULL, "version"), 0);
    ASSERT_OUT("remap ");
}

Test(cli, ctrl_c_stops_with_a_checkpoint)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        if (chdir(tmp) != 0)
            _exit(99);
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execl(REMAP_BINARY, "remap", "run", "--out", "r", "--quiet",
              "--set", "sheets.cortex.density=24", "--iterations", "1000000",
              (char *)NULL);
        _exit(98);
    }
    /* Wait until the run is under way (its log exists), then interrupt. */
    char log[512];
    snprintf(log, sizeof log, "%s/r/run.log", tmp);
    struct stat sb;
    for (int i = 0; i < 300 && stat(log, &sb) != 0; i++) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    struct timespec ts = {0, 300000000};
    nanosleep(&ts, NULL);
    cr_assert_eq(kill(pid, SIGINT), 0);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status));
    cr_assert_eq(WEXITSTATUS(status), 130);
    FILE *f = fopen(log, "r");
    cr_assert_not_null(f);
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    fclose(f);
    ASSERT_OUT("interrupted at iteration");
    /* The checkpoint the log names is there. */
    const char *at = strstr(out, "checkpoint r/checkpoints/checkpoint-");
    cr_assert_not_null(at, "no checkpoint in the log:\n%s", out);
    char path[600], name[64];
    cr_assert_eq(sscanf(at, "checkpoint r/checkpoints/%63s", name), 1);
    snprintf(path, sizeof path, "%s/r/checkpoints/%s", tmp, name);
    cr_assert_eq(stat(path, &sb), 0, "%s is missing", path);
}
