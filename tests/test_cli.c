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
    /* Past 64 bits, or a sign behind a space, is refused, not wrapped. */
    cr_assert_eq(remap(NULL, "run --seed 99999999999999999999"), 2);
    ASSERT_OUT("--seed needs a non-negative integer, got "
               "'99999999999999999999'");
    cr_assert_eq(remap(NULL, "run --seed=' -1'"), 2);
    ASSERT_OUT("--seed needs a non-negative integer, got ' -1'");
    cr_assert_eq(remap(NULL, "bench --repeat 18446744073709551616"), 2);
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

/* A resumed run keeps its checkpoint's weight storage without being told,
 * and refuses --half-weights on a run that stored float weights. */
Test(cli, resume_keeps_the_weight_storage)
{
    const char *small = "--quiet --iterations 20 "
                        "--set sheets.cortex.density=12 "
                        "--set sheets.skin.density=12 "
                        "--set checkpoint.interval=10";
    char args[512];
    snprintf(args, sizeof args, "run --out h --half-weights %s", small);
    cr_assert_eq(remap(NULL, args), 0, "%s", out);
    cr_assert_eq(remap(NULL, "run --resume h/checkpoints/checkpoint-00000010.h5 "
                             "--out h2 --iterations 20"),
                 0, "%s", out);
    ASSERT_OUT("half-precision weights");
    snprintf(args, sizeof args, "run --out f %s", small);
    cr_assert_eq(remap(NULL, args), 0, "%s", out);
    cr_assert_eq(remap(NULL, "run --resume f/checkpoints/checkpoint-00000010.h5 "
                             "--out f2 --half-weights"),
                 2, "%s", out);
    ASSERT_OUT("stores float weights: --resume continues the run as it was");
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

#define SMALL "--quiet --set sheets.cortex.density=12 " \
              "--set sheets.skin.density=12 --set measure.interval=10 "

static bool exists(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    struct stat st;
    return stat(path, &st) == 0;
}

/* Width and height from a PNG's IHDR chunk. */
static void png_size(const char *rel, unsigned *w, unsigned *h)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s missing", path);
    unsigned char b[24];
    cr_assert_eq(fread(b, 1, 24, f), 24u);
    fclose(f);
    cr_assert_eq(memcmp(b + 1, "PNG", 3), 0, "%s is not a PNG", path);
    *w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
    *h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
}

Test(cli, render_writes_identical_frames_and_a_snapshot)
{
    const char *args = "render --frames f1 --out r1 --iterations 40 "
                       "--every 20 --size 320x240 " SMALL;
    cr_assert_eq(remap(NULL, args), 0, "%s", out);
    ASSERT_OUT("frames: 3 in f1");
    ASSERT_OUT("ffmpeg -y -framerate 25");
    ASSERT_OUT("-pix_fmt yuv420p");
    const char *names[] = {"frame-00000000.png", "frame-00000020.png",
                           "frame-00000040.png"};
    for (int i = 0; i < 3; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "f1/%s", names[i]);
        unsigned w, h;
        png_size(rel, &w, &h);
        cr_assert_eq(w, 320u);
        cr_assert_eq(h, 240u);
    }
    cr_assert_eq(remap(NULL, "render --frames f2 --out r2 --iterations 40 "
                             "--every 20 --size 320x240 " SMALL),
                 0, "%s", out);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "cd '%s' && cmp -s f1/%s f2/%s", tmp, names[2],
             names[2]);
    cr_assert_eq(system(cmd), 0, "a rerun gave different frame bytes");
    /* Time-lapse spacing. */
    cr_assert_eq(remap(NULL, "render --frames f3 --out r3 --iterations 40 "
                             "--log-frames 4 --size 320x240 " SMALL),
                 0, "%s", out);
    ASSERT_OUT("frames: 4 in f3");
    cr_assert(exists("f3/frame-00000000.png") && exists("f3/frame-00000040.png"));

    cr_assert_eq(remap(NULL, "snapshot r1/checkpoints/checkpoint-00000040.h5 "
                             "--png s.png --size 480x270 --panels map,fields"),
                 0, "%s", out);
    unsigned w, h;
    png_size("s.png", &w, &h);
    cr_assert_eq(w, 480u);
    cr_assert_eq(h, 270u);
    cr_assert_eq(remap(NULL, "snapshot missing.h5 --png t.png"), 2);
    ASSERT_OUT("missing.h5");
    cr_assert(!exists("t.png"));
}

/* Bad frame options are refused before anything runs: no run directory. */
Test(cli, render_refuses_bad_options_before_running)
{
    cr_assert_eq(system("true"), 0);
    cr_assert_eq(remap(NULL, "render --out r " SMALL), 2);
    ASSERT_OUT("needs --frames DIR");
    cr_assert_eq(remap(NULL, "render --frames f --size 321x240 --out r " SMALL),
                 2);
    ASSERT_OUT("both sides must be even");
    cr_assert_eq(remap(NULL, "render --frames f --size 64x48 --out r " SMALL),
                 2);
    ASSERT_OUT("is outside");
    cr_assert_eq(remap(NULL, "render --frames f --size big --out r " SMALL), 2);
    ASSERT_OUT("--size needs WIDTHxHEIGHT, got 'big'");
    cr_assert_eq(remap(NULL, "render --frames f --panels map,skni --out r "
                             SMALL),
                 2);
    ASSERT_OUT("unknown panel 'skni' (did you mean 'skin'?)");
    cr_assert_eq(remap(NULL, "render --frames f --compression 12 --out r "
                             SMALL),
                 2);
    ASSERT_OUT("--compression needs 0 to 9");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "touch '%s/file'", tmp);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(remap(NULL, "render --frames file/frames --out r " SMALL), 2);
    ASSERT_OUT("--frames");
    ASSERT_OUT("file");
    cr_assert(!exists("r"), "a run directory was made before the error");
}

/* The scenario's outputs.frames section sets the frames; a bad panel
 * there is refused with its place before the run; the command line wins. */
Test(cli, render_takes_frames_from_the_scenario)
{
    char path[512];
    snprintf(path, sizeof path, "%s/f.yaml", tmp);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("name: f\n"
          "iterations: 20\n"
          "sheets: {skin: {density: 12}, cortex: {density: 12}}\n"
          "measure: {interval: 10}\n"
          "outputs:\n"
          "  frames: {panels: \"map,skin\", width: 400, height: 300, every: 10}\n",
          f);
    fclose(f);
    cr_assert_eq(remap(NULL, "render f.yaml --frames a --out ra --quiet"), 0,
                 "%s", out);
    ASSERT_OUT("frames: 3 in a");
    unsigned w, h;
    png_size("a/frame-00000010.png", &w, &h);
    cr_assert_eq(w, 400u);
    cr_assert_eq(h, 300u);
    cr_assert_eq(remap(NULL, "render f.yaml --frames b --out rb --quiet "
                             "--size 320x240 --every 20"),
                 0, "%s", out);
    ASSERT_OUT("frames: 2 in b");
    png_size("b/frame-00000020.png", &w, &h);
    cr_assert_eq(w, 320u);

    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("name: f\n"
          "iterations: 20\n"
          "outputs:\n"
          "  frames:\n"
          "    panels: map,skni\n",
          f);
    fclose(f);
    cr_assert_eq(remap(NULL, "render f.yaml --frames c --out rc --quiet"), 2);
    ASSERT_OUT("f.yaml:5:13: outputs.frames.panels: unknown panel 'skni' "
               "(did you mean 'skin'?)");
    cr_assert(!exists("rc"), "a run directory was made before the error");
}

/* --mp4 runs ffmpeg where it is installed; where it is not, the run's
 * frames stay and the message names the package and the command. */
Test(cli, render_mp4_needs_ffmpeg)
{
    int rc = remap(NULL, "render --frames f --out r --iterations 20 "
                         "--every 10 --size 320x240 --mp4 v.mp4 " SMALL);
    if (system("command -v ffmpeg >/dev/null 2>&1") == 0) {
        cr_assert_eq(rc, 0, "%s", out);
        cr_assert(exists("v.mp4"));
    } else {
        cr_assert_eq(rc, 1, "%s", out);
        ASSERT_OUT("--mp4 needs ffmpeg (Debian package ffmpeg)");
        ASSERT_OUT("-pix_fmt yuv420p");
        cr_assert(exists("f/frame-00000020.png"));
    }
}
