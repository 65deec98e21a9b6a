/* The OpenCL runtime on the real device: listing and choosing devices, error
 * names, kernel program assembly and build failures, buffers, memory fit. */
#define _POSIX_C_SOURCE 200809L

#include "cl/devices.h"
#include "cl/runtime.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The no-platform test re-executes this binary with this variable set; the
 * child then lists devices here, before Criterion starts, reports on stdout
 * and exits. A fresh process is needed because the ICD loader reads its
 * vendor list once per process. */
#define CHILD_ENV "REMAP_TEST_LIST_DEVICES_CHILD"

__attribute__((constructor)) static void list_devices_child(void)
{
    if (!getenv(CHILD_ENV))
        return;
    static remap_error err;
    remap_device_info *list = NULL;
    size_t count = 0;
    remap_status s = remap_devices_list(&list, &count, &err);
    printf("%d %zu\n%s", (int)s, count, s == REMAP_OK ? "" : err.msg);
    fflush(stdout);
    remap_devices_free(list);
    _exit(0);
}

/* Every test starts from the same environment, whatever the shell set. */
static void clean_env(void)
{
    unsetenv("REMAP_DEVICE");
    unsetenv("REMAP_KERNEL_DIR");
}

TestSuite(cl_runtime, .init = clean_env);

static remap_error err;

static remap_device_info *list_or_fail(size_t *count)
{
    remap_device_info *list = NULL;
    remap_status s = remap_devices_list(&list, count, &err);
    cr_assert_eq(s, REMAP_OK, "%s", err.msg);
    cr_assert_not_null(list);
    cr_assert_geq(*count, 1);
    return list;
}

/* A scratch directory of kernel files; `files` alternates names and
 * contents and ends with NULL. */
static void make_kernel_dir(char *dir, const char *const *files)
{
    strcpy(dir, "/tmp/remap-kernels-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    for (; files[0]; files += 2) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, files[0]);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f, "%s", path);
        fputs(files[1], f);
        fclose(f);
    }
}

static void remove_kernel_dir(const char *dir)
{
    static const char *const names[] = {"common.h", "stimulus.cl",
                                        "response.cl", "learn.cl",
                                        "render.cl"};
    for (size_t i = 0; i < 5; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

Test(cl_runtime, lists_devices_with_memory_and_c_version)
{
    size_t count = 0;
    remap_device_info *list = list_or_fail(&count);
    for (size_t i = 0; i < count; i++) {
        cr_assert_eq(list[i].index, (int)i);
        cr_assert_neq(list[i].name[0], '\0');
        cr_assert_neq(list[i].platform[0], '\0');
        cr_assert_gt(list[i].global_mem, 0);
        cr_assert_gt(list[i].max_alloc, 0);
        cr_assert_leq(list[i].max_alloc, list[i].global_mem);
        cr_assert_gt(list[i].local_mem, 0);
        cr_assert_gt(list[i].compute_units, 0);
        cr_assert_gt(list[i].max_work_group, 0);
        cr_assert_not_null(strstr(list[i].opencl_c_version, "OpenCL C"),
                           "'%s'", list[i].opencl_c_version);
        cr_assert_not_null(list[i].type);
    }
    remap_devices_free(list);
    remap_devices_free(NULL);
}

Test(cl_runtime, default_choice_prefers_gpu_then_cpu)
{
    size_t count = 0;
    remap_device_info *list = list_or_fail(&count);
    const char *want = "other";
    for (size_t i = 0; i < count && strcmp(want, "GPU") != 0; i++)
        if (strcmp(list[i].type, "GPU") == 0 ||
            strcmp(list[i].type, "CPU") == 0)
            want = list[i].type;
    remap_device_info chosen;
    cr_assert_eq(remap_device_choose(NULL, &chosen, &err), REMAP_OK, "%s",
                 err.msg);
    if (strcmp(want, "other") != 0)
        cr_assert_str_eq(chosen.type, want);
    cr_assert_eq(remap_device_choose("", &chosen, &err), REMAP_OK);
    remap_devices_free(list);
}

Test(cl_runtime, chooses_by_index)
{
    size_t count = 0;
    remap_device_info *list = list_or_fail(&count);
    char spec[32];
    snprintf(spec, sizeof spec, "%zu", count - 1);
    remap_device_info chosen;
    cr_assert_eq(remap_device_choose(spec, &chosen, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_eq(chosen.index, (int)(count - 1));
    cr_assert_str_eq(chosen.name, list[count - 1].name);
    remap_devices_free(list);
}

static void upper(char *s)
{
    for (; *s; s++)
        *s = (char)toupper((unsigned char)*s);
}

Test(cl_runtime, chooses_by_name_or_platform_ignoring_case)
{
    size_t count = 0;
    remap_device_info *list = list_or_fail(&count);
    remap_device_info chosen;

    /* The middle of the first device's name, in capitals. */
    char spec[256];
    size_t len = strlen(list[0].name);
    snprintf(spec, sizeof spec, "%.*s", (int)(len > 4 ? len - 2 : len),
             list[0].name + (len > 4 ? 1 : 0));
    upper(spec);
    cr_assert_eq(remap_device_choose(spec, &chosen, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_str_eq(chosen.name, list[0].name);

    snprintf(spec, sizeof spec, "%s", list[0].platform);
    upper(spec);
    cr_assert_eq(remap_device_choose(spec, &chosen, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_str_eq(chosen.platform, list[0].platform);
    remap_devices_free(list);
}

Test(cl_runtime, environment_chooses_when_spec_is_null)
{
    size_t count = 0;
    remap_device_info *list = list_or_fail(&count);
    remap_device_info chosen;
    setenv("REMAP_DEVICE", list[count - 1].name, 1);
    cr_assert_eq(remap_device_choose(NULL, &chosen, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_str_eq(chosen.name, list[count - 1].name);

    /* An explicit spec wins over the environment. */
    setenv("REMAP_DEVICE", "no-such-device", 1);
    cr_assert_eq(remap_device_choose("0", &chosen, &err), REMAP_OK, "%s",
                 err.msg);

    cr_assert_eq(remap_device_choose(NULL, &chosen, &err), REMAP_ENODEVICE);
    cr_assert_not_null(strstr(err.msg, "'no-such-device'"), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "REMAP_DEVICE"), "%s", err.msg);
    remap_devices_free(list);
}

Test(cl_runtime, unknown_name_lists_the_devices)
{
    size_t count = 0;
    remap_device_info *list = list_or_fail(&count);
    remap_device_info chosen;
    cr_assert_eq(remap_device_choose("quantum-abacus", &chosen, &err),
                 REMAP_ENODEVICE);
    cr_assert_eq(err.status, REMAP_ENODEVICE);
    cr_assert_not_null(strstr(err.msg, "no OpenCL device matches "
                                       "'quantum-abacus'"),
                       "%s", err.msg);
    for (size_t i = 0; i < count; i++) {
        char line[512];
        snprintf(line, sizeof line, "\n  %zu: %s (%s, %s)", i, list[i].name,
                 list[i].type, list[i].platform);
        cr_assert_not_null(strstr(err.msg, line), "%s", err.msg);
    }
    remap_devices_free(list);
}

Test(cl_runtime, index_out_of_range_fails)
{
    size_t count = 0;
    remap_device_info *list = list_or_fail(&count);
    remap_device_info chosen;
    cr_assert_eq(remap_device_choose("999", &chosen, &err), REMAP_ENODEVICE);
    cr_assert_not_null(strstr(err.msg, "no OpenCL device has index 999"),
                       "%s", err.msg);
    char line[512];
    snprintf(line, sizeof line, "\n  0: %s", list[0].name);
    cr_assert_not_null(strstr(err.msg, line), "%s", err.msg);
    /* Too many digits for any integer is out of range too, not index 0. */
    cr_assert_eq(remap_device_choose("99999999999999999999999", &chosen,
                                     &err),
                 REMAP_ENODEVICE);
    remap_devices_free(list);
}

Test(cl_runtime, no_platform_names_what_to_install)
{
    char empty[] = "/tmp/remap-no-icd-XXXXXX";
    cr_assert_not_null(mkdtemp(empty));
    int fd[2];
    cr_assert_eq(pipe(fd), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        setenv("OCL_ICD_VENDORS", empty, 1);
        setenv(CHILD_ENV, "1", 1);
        execl("/proc/self/exe", "test_cl_runtime", (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char out[4096] = "";
    size_t used = 0;
    ssize_t n;
    while ((n = read(fd[0], out + used, sizeof out - 1 - used)) > 0)
        used += (size_t)n;
    out[used] = '\0';
    close(fd[0]);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    rmdir(empty);
    cr_assert(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0, "%s", out);

    int status = -1;
    cr_assert_eq(sscanf(out, "%d", &status), 1, "%s", out);
    cr_assert_eq(status, REMAP_ENOPLATFORM, "%s", out);
    cr_assert_not_null(strstr(out, "no OpenCL platform found"), "%s", out);
    cr_assert_not_null(strstr(out, "pocl-opencl-icd"), "%s", out);
    cr_assert_not_null(strstr(out, "ocl-icd-libopencl1"), "%s", out);
    cr_assert_not_null(strstr(out, "OCL_ICD_VENDORS"), "%s", out);
    cr_assert_not_null(strstr(out, empty), "%s", out);
}

Test(cl_runtime, error_names)
{
    cr_assert_str_eq(remap_cl_error_name(CL_SUCCESS), "CL_SUCCESS");
    cr_assert_str_eq(remap_cl_error_name(CL_OUT_OF_RESOURCES),
                     "CL_OUT_OF_RESOURCES");
    cr_assert_str_eq(remap_cl_error_name(-30), "CL_INVALID_VALUE");
    cr_assert_str_eq(remap_cl_error_name(CL_BUILD_PROGRAM_FAILURE),
                     "CL_BUILD_PROGRAM_FAILURE");
    cr_assert_str_eq(remap_cl_error_name(-68),
                     "CL_INVALID_DEVICE_PARTITION_COUNT");
    cr_assert_str_eq(remap_cl_error_name(-1001), "CL_PLATFORM_NOT_FOUND_KHR");
    cr_assert_str_eq(remap_cl_error_name(-9999), "unknown OpenCL error");
    cr_assert_str_eq(remap_cl_error_name(-20), "unknown OpenCL error");
    /* OpenCL 1.2 defines -1..-19 and -30..-68 without gaps. */
    for (cl_int c = -1; c >= -68; c--) {
        if (c < -19 && c > -30)
            continue;
        cr_assert_str_neq(remap_cl_error_name(c), "unknown OpenCL error",
                          "code %d", c);
    }
}

Test(cl_runtime, check_names_the_call_and_code)
{
    remap_error_clear(&err);
    cr_assert_eq(remap_cl_check(CL_SUCCESS, "clFinish", &err), REMAP_OK);
    cr_assert_eq(err.status, REMAP_OK);
    cr_assert_eq(remap_cl_check(CL_INVALID_VALUE, "clSetKernelArg(2)", &err),
                 REMAP_EDEVICE);
    cr_assert_eq(err.status, REMAP_EDEVICE);
    cr_assert_str_eq(err.msg, "clSetKernelArg(2): CL_INVALID_VALUE (-30)");
    cr_assert_eq(remap_cl_check(-4242, "clFoo", &err), REMAP_EDEVICE);
    cr_assert_str_eq(err.msg, "clFoo: unknown OpenCL error (-4242)");
    cr_assert_eq(remap_cl_check(CL_OUT_OF_RESOURCES, "x", NULL),
                 REMAP_EDEVICE);
}

Test(cl_runtime, source_puts_each_file_under_its_name_in_order)
{
    char *src = NULL;
    cr_assert_eq(remap_cl_source(&src, &err), REMAP_OK, "%s", err.msg);
    static const char *const order[] = {"philox_cl.h", "common.h",
                                        "stimulus.cl", "response.cl",
                                        "learn.cl",    "render.cl"};
    const char *at = src;
    for (size_t i = 0; i < 6; i++) {
        char directive[64];
        snprintf(directive, sizeof directive, "#line 1 \"%s\"\n", order[i]);
        const char *found = strstr(at, directive);
        cr_assert_not_null(found, "%s missing or out of order", order[i]);
        cr_assert(found == src || found[-1] == '\n',
                  "%s directive is not at the start of a line", order[i]);
        at = found + 1;
    }
    /* The prelude is Random123's Philox made into OpenCL C. */
    cr_assert_not_null(strstr(src, "philox4x32"));
    free(src);
}

/* A small geometry for the macros the embedded kernels take as build
 * options (listed at the top of kernels/common.h). */
#define KERNEL_OPTIONS                                                       \
    "-DSKIN_N=24 -DCORTEX_N=16 -DCF_R=3 -DCF_SIDE=7 -DCF_LEN=49 "            \
    "-DCF_R2I=9 -DEXC_R=1 -DINH_R=4 -cl-std=CL1.2"

Test(cl_runtime, builds_the_embedded_kernels)
{
    remap_cl cl = {0};
    cr_assert_eq(remap_cl_open(NULL, true, &cl, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_not_null(cl.context);
    cr_assert_not_null(cl.queue);
    cr_assert_neq(cl.info.name[0], '\0');
    cl_command_queue_properties props = 0;
    cr_assert_eq(clGetCommandQueueInfo(cl.queue, CL_QUEUE_PROPERTIES,
                                       sizeof props, &props, NULL),
                 CL_SUCCESS);
    cr_assert(props & CL_QUEUE_PROFILING_ENABLE);
    cr_assert_not(props & CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE);

    cr_assert_eq(remap_cl_build(&cl, KERNEL_OPTIONS, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_not_null(cl.program);
    cl_uint kernels = 0;
    cr_assert_eq(clCreateKernelsInProgram(cl.program, 0, NULL, &kernels),
                 CL_SUCCESS);
    cr_assert_gt(kernels, 0);
    /* Building again replaces the program. */
    cl_program first = cl.program;
    clRetainProgram(first);
    cr_assert_eq(remap_cl_build(&cl, KERNEL_OPTIONS, &err), REMAP_OK, "%s",
                 err.msg);
    cr_assert_not_null(cl.program);
    cr_assert_neq(cl.program, first);
    cl_uint refs = 0;
    cr_assert_eq(clGetProgramInfo(first, CL_PROGRAM_REFERENCE_COUNT,
                                  sizeof refs, &refs, NULL),
                 CL_SUCCESS);
    cr_assert_eq(refs, 1, "the old program was not released");
    clReleaseProgram(first);
    remap_cl_close(&cl);
    cr_assert_null(cl.context);
    cr_assert_null(cl.program);
    remap_cl_close(&cl);
    remap_cl_close(NULL);
}

Test(cl_runtime, open_without_profiling_and_by_bad_spec)
{
    remap_cl cl = {0};
    cr_assert_eq(remap_cl_open("0", false, &cl, &err), REMAP_OK, "%s",
                 err.msg);
    cl_command_queue_properties props = 0;
    cr_assert_eq(clGetCommandQueueInfo(cl.queue, CL_QUEUE_PROPERTIES,
                                       sizeof props, &props, NULL),
                 CL_SUCCESS);
    cr_assert_not(props & CL_QUEUE_PROFILING_ENABLE);
    remap_cl_close(&cl);

    cr_assert_eq(remap_cl_open("quantum-abacus", false, &cl, &err),
                 REMAP_ENODEVICE);
    cr_assert_null(cl.context);
    cr_assert_null(cl.queue);
    cr_assert_not_null(strstr(err.msg, "'quantum-abacus'"), "%s", err.msg);
}

static const char *const good_files[] = {
    "common.h",    "#define SCALE 2.0f\n",
    "stimulus.cl", "/* nothing here */\n",
    "response.cl", "kernel void twice(global float *x)\n"
                   "{\n"
                   "    x[get_global_id(0)] *= SCALE;\n"
                   "}\n",
    "learn.cl",    "/* fine */\n",
    "render.cl",   "/* no newline at the end */",
    NULL};

Test(cl_runtime, kernel_dir_replaces_the_embedded_sources)
{
    char dir[64];
    make_kernel_dir(dir, good_files);
    setenv("REMAP_KERNEL_DIR", dir, 1);
    remap_cl cl = {0};
    cr_assert_eq(remap_cl_open(NULL, false, &cl, &err), REMAP_OK, "%s",
                 err.msg);
    remap_status s = remap_cl_build(&cl, NULL, &err);
    remove_kernel_dir(dir);
    cr_assert_eq(s, REMAP_OK, "%s", err.msg);
    cl_int rc = CL_SUCCESS;
    cl_kernel k = clCreateKernel(cl.program, "twice", &rc);
    cr_assert_eq(rc, CL_SUCCESS, "%s", remap_cl_error_name(rc));
    clReleaseKernel(k);
    remap_cl_close(&cl);
}

Test(cl_runtime, broken_kernel_reports_device_file_and_line)
{
    static const char *const files[] = {
        "common.h",    "#define SCALE 2.0f\n",
        "stimulus.cl", "/* fine */\n",
        "response.cl", "kernel void broken(global float *x)\n"
                       "{\n"
                       "    x[0] = undeclared_thing * SCALE;\n"
                       "}\n",
        "learn.cl",    "/* fine */\n",
        "render.cl",   "/* fine */\n",
        NULL};
    char dir[64];
    make_kernel_dir(dir, files);
    setenv("REMAP_KERNEL_DIR", dir, 1);
    remap_cl cl = {0};
    cr_assert_eq(remap_cl_open(NULL, false, &cl, &err), REMAP_OK, "%s",
                 err.msg);
    remap_status s = remap_cl_build(&cl, "-cl-std=CL1.2", &err);
    remove_kernel_dir(dir);
    cr_assert_eq(s, REMAP_EBUILD, "%s", err.msg);
    cr_assert_eq(err.status, REMAP_EBUILD);
    cr_assert_null(cl.program);
    char head[512];
    snprintf(head, sizeof head, "kernel build failed on %s (%s):\n",
             cl.info.name, cl.info.platform);
    cr_assert_eq(strncmp(err.msg, head, strlen(head)), 0, "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "response.cl:3"), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "undeclared_thing"), "%s", err.msg);
    remap_cl_close(&cl);
}

Test(cl_runtime, long_build_log_is_cut_with_a_note)
{
    /* Thousands of warnings, then an error: a log far over the limit. */
    size_t cap = 400000, used = 0;
    char *body = malloc(cap);
    cr_assert_not_null(body);
    for (int i = 0; i < 3000; i++)
        used += (size_t)snprintf(body + used, cap - used,
                                 "#warning filler warning number %d\n", i);
    snprintf(body + used, cap - used, "this is not OpenCL C;\n");
    const char *files[] = {"common.h",    "\n",   "stimulus.cl", "\n",
                           "response.cl", "\n",   "learn.cl",    "\n",
                           "render.cl",   body,   NULL};
    char dir[64];
    make_kernel_dir(dir, files);
    free(body);
    setenv("REMAP_KERNEL_DIR", dir, 1);
    remap_cl cl = {0};
    cr_assert_eq(remap_cl_open(NULL, false, &cl, &err), REMAP_OK, "%s",
                 err.msg);
    remap_status s = remap_cl_build(&cl, NULL, &err);
    remove_kernel_dir(dir);
    cr_assert_eq(s, REMAP_EBUILD, "%s", err.msg);
    size_t len = strlen(err.msg);
    cr_assert_lt(len, sizeof err.msg);
    cr_assert_gt(len, sizeof err.msg / 2);
    cr_assert_not_null(strstr(err.msg, "filler warning number 0"));
    cr_assert_not_null(strstr(err.msg, "\n[build log truncated: "), "%s",
                       err.msg + len - 200);
    cr_assert_eq(strcmp(err.msg + len - strlen(" more bytes]"),
                        " more bytes]"),
                 0);
    remap_cl_close(&cl);
}

Test(cl_runtime, missing_kernel_file_is_named)
{
    static const char *const files[] = {"common.h", "\n", "response.cl", "\n",
                                        "learn.cl", "\n", NULL};
    char dir[64];
    make_kernel_dir(dir, files);
    setenv("REMAP_KERNEL_DIR", dir, 1);
    remap_cl cl = {0};
    cr_assert_eq(remap_cl_open(NULL, false, &cl, &err), REMAP_OK, "%s",
                 err.msg);
    remap_status s = remap_cl_build(&cl, NULL, &err);
    remove_kernel_dir(dir);
    cr_assert_eq(s, REMAP_EIO, "%s", err.msg);
    char want[128];
    snprintf(want, sizeof want, "%s/stimulus.cl: cannot open kernel source",
             dir);
    cr_assert_eq(strncmp(err.msg, want, strlen(want)), 0, "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "REMAP_KERNEL_DIR"), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "No such file"), "%s", err.msg);
    cr_assert_null(cl.program);
    remap_cl_close(&cl);
}

Test(cl_runtime, buffers_and_their_failures)
{
    remap_cl cl = {0};
    cr_assert_eq(remap_cl_open(NULL, false, &cl, &err), REMAP_OK, "%s",
                 err.msg);
    cl_mem mem = NULL;
    cr_assert_eq(remap_cl_buffer(&cl, CL_MEM_READ_WRITE, 4096, "activity",
                                 &mem, &err),
                 REMAP_OK, "%s", err.msg);
    cr_assert_not_null(mem);
    size_t size = 0;
    cr_assert_eq(clGetMemObjectInfo(mem, CL_MEM_SIZE, sizeof size, &size,
                                    NULL),
                 CL_SUCCESS);
    cr_assert_eq(size, 4096);
    clReleaseMemObject(mem);

    cr_assert_eq(remap_cl_buffer(&cl, CL_MEM_READ_WRITE, 0, "empty weights",
                                 &mem, &err),
                 REMAP_EDEVICE);
    cr_assert_null(mem);
    char want[512];
    snprintf(want, sizeof want,
             "cannot allocate empty weights (0 B) on %s: "
             "CL_INVALID_BUFFER_SIZE (-61)",
             cl.info.name);
    cr_assert_str_eq(err.msg, want);

    size_t huge = (size_t)cl.info.max_alloc + 1;
    cr_assert_eq(remap_cl_buffer(&cl, CL_MEM_READ_WRITE, huge,
                                 "afferent weights", &mem, &err),
                 REMAP_EDEVICE);
    cr_assert_not_null(strstr(err.msg, "cannot allocate afferent weights"),
                       "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "allows at most"), "%s", err.msg);
    remap_cl_close(&cl);

    cr_assert_eq(remap_cl_buffer(&cl, CL_MEM_READ_WRITE, 16, "x", &mem,
                                 &err),
                 REMAP_EINVAL);
}

Test(cl_runtime, format_bytes)
{
    char buf[32];
    static const struct {
        uint64_t bytes;
        const char *text;
    } cases[] = {
        {0, "0 B"},
        {1023, "1023 B"},
        {1024, "1 KiB"},
        {1536, "1.5 KiB"},
        {1048575, "1 MiB"},
        {(uint64_t)3 << 29, "1.5 GiB"},
        {(uint64_t)12 << 30, "12 GiB"},
        {13529146982ull, "12.6 GiB"},
        {UINT64_MAX, "16 EiB"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        remap_format_bytes(cases[i].bytes, buf, sizeof buf);
        cr_assert_str_eq(buf, cases[i].text, "%llu",
                         (unsigned long long)cases[i].bytes);
    }
    char small[4];
    remap_format_bytes((uint64_t)3 << 29, small, sizeof small);
    cr_assert_str_eq(small, "1.5");
}

/* A model of 100 bytes per unit whose largest buffer holds 90 of them;
 * units grow as density squared. */
static void need_quadratic(float density, const void *ctx, uint64_t *total,
                           uint64_t *largest)
{
    int *calls = (int *)(uintptr_t)ctx;
    (*calls)++;
    double units = (double)density * (double)density;
    *total = (uint64_t)(units * 100.0);
    *largest = (uint64_t)(units * 90.0);
}

static remap_device_info fake_device(uint64_t global, uint64_t alloc)
{
    remap_device_info dev = {0};
    snprintf(dev.name, sizeof dev.name, "Tiny GPU");
    snprintf(dev.platform, sizeof dev.platform, "Fake");
    dev.type = "GPU";
    dev.global_mem = global;
    dev.max_alloc = alloc;
    return dev;
}

Test(cl_runtime, check_fit_finds_the_largest_density_that_fits)
{
    /* Global memory allows density 1000 (100e6 bytes), the single
     * allocation limit only sqrt(45e6 / 90) = 707.1. */
    remap_device_info dev = fake_device(100000000, 45000000);
    int calls = 0;
    remap_status s = remap_device_check_fit(&dev, 4000.0f, need_quadratic,
                                            &calls, &err);
    cr_assert_eq(s, REMAP_ETOOBIG);
    cr_assert_eq(err.status, REMAP_ETOOBIG);
    cr_assert_str_eq(err.msg,
                     "cortex density 4000 needs 1.5 GiB (largest buffer "
                     "1.3 GiB) but Tiny GPU has 95.4 MiB global memory and "
                     "allows 42.9 MiB in one allocation; the largest cortex "
                     "density that fits is 707");
    cr_assert_lt(calls, 20, "binary search took %d calls", calls);

    calls = 0;
    cr_assert_eq(remap_device_check_fit(&dev, 707.0f, need_quadratic, &calls,
                                        &err),
                 REMAP_OK);
    cr_assert_eq(calls, 1);
    cr_assert_eq(remap_device_check_fit(&dev, 708.0f, need_quadratic, &calls,
                                        &err),
                 REMAP_ETOOBIG);
    cr_assert_not_null(strstr(err.msg, "that fits is 707"), "%s", err.msg);
}

Test(cl_runtime, check_fit_when_nothing_fits_and_bad_arguments)
{
    remap_device_info dev = fake_device(1000, 1000);
    int calls = 0;
    cr_assert_eq(remap_device_check_fit(&dev, 64.0f, need_quadratic, &calls,
                                        &err),
                 REMAP_ETOOBIG);
    cr_assert_not_null(strstr(err.msg, "not even cortex density 4 fits"),
                       "%s", err.msg);
    cr_assert_eq(remap_device_check_fit(&dev, 0.0f, need_quadratic, &calls,
                                        &err),
                 REMAP_EINVAL);
    cr_assert_eq(remap_device_check_fit(&dev, 10.0f, NULL, &calls, &err),
                 REMAP_EINVAL);
    cr_assert_eq(remap_device_check_fit(NULL, 10.0f, need_quadratic, &calls,
                                        &err),
                 REMAP_EINVAL);
}

Test(cl_runtime, real_device_fits_a_small_model)
{
    remap_device_info dev;
    cr_assert_eq(remap_device_choose(NULL, &dev, &err), REMAP_OK, "%s",
                 err.msg);
    int calls = 0;
    cr_assert_eq(remap_device_check_fit(&dev, 48.0f, need_quadratic, &calls,
                                        &err),
                 REMAP_OK, "%s", err.msg);
}
