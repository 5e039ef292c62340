/* SPDX-License-Identifier: MIT */
/* bench_machine.c - what a figure was measured on: the CPU, the cores, the kernel,
 * the C library, the compiler and build type of this binary, and the date (UTC),
 * so a number read later, or on another machine, can be put in its place. */
#include "bench.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

#include <thrdemo/common.h>

#ifndef THRDEMO_BUILD_TYPE
#define THRDEMO_BUILD_TYPE ""
#endif
#ifndef THRDEMO_SANITIZER
#define THRDEMO_SANITIZER ""
#endif

/* The value of a "key<tabs>: value" line of /proc/cpuinfo, trying keys in order
 * (x86 says "model name", some ARM kernels "Hardware" or "Processor"). */
static bool cpuinfo(const char *const *keys, char *out, size_t size)
{
    char line[512];
    for (; *keys; keys++) {
        FILE *f = fopen("/proc/cpuinfo", "r");
        bool found = false;
        while (f && !found && fgets(line, sizeof line, f)) {
            char *colon = strchr(line, ':');
            if (!colon)
                continue;
            size_t key_len = (size_t)(colon - line);
            while (key_len > 0 && (line[key_len - 1] == ' ' || line[key_len - 1] == '\t'))
                key_len--;
            if (key_len != strlen(*keys) || strncmp(line, *keys, key_len) != 0)
                continue;
            char *value = colon + 1 + strspn(colon + 1, " \t");
            value[strcspn(value, "\n")] = '\0';
            snprintf(out, size, "%s", value);
            found = true;
        }
        if (f)
            fclose(f);
        if (found)
            return true;
    }
    return false;
}

static void compiler(char *out, size_t size)
{
#if defined(__clang__)
    snprintf(out, size, "clang %s", __clang_version__);
#elif defined(__GNUC__)
    snprintf(out, size, "gcc %s", __VERSION__);
#else
    snprintf(out, size, "unknown");
#endif
    size_t n = strlen(out); /* __clang_version__ may end in a space */
    while (n > 0 && out[n - 1] == ' ')
        out[--n] = '\0';
}

void bench_machine(bench_machine_t *m)
{
    static const char *const cpu_keys[] = { "model name", "Hardware", "Processor", "cpu model", NULL };
    struct utsname u;
    time_t now = time(NULL);
    struct tm tm;
    memset(m, 0, sizeof *m);
    strftime(m->date, sizeof m->date, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    bool have_uname = uname(&u) == 0;
    if (!cpuinfo(cpu_keys, m->cpu, sizeof m->cpu))
        snprintf(m->cpu, sizeof m->cpu, "%s", have_uname ? u.machine : "unknown");
    m->cores = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    m->cores_allowed = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : m->cores;
    if (have_uname)
        snprintf(m->kernel, sizeof m->kernel, "%s %s %s", u.sysname, u.release, u.machine);
    else
        snprintf(m->kernel, sizeof m->kernel, "unknown");
#ifdef __GLIBC__
    snprintf(m->libc, sizeof m->libc, "glibc %s", gnu_get_libc_version());
#else
    snprintf(m->libc, sizeof m->libc, "unknown (not glibc)");
#endif
    compiler(m->compiler, sizeof m->compiler);
    snprintf(m->build_type, sizeof m->build_type, "%s%s%s",
             THRDEMO_BUILD_TYPE[0] ? THRDEMO_BUILD_TYPE : "unknown",
             THRDEMO_SANITIZER[0] ? ", sanitizer " : "", THRDEMO_SANITIZER);
    snprintf(m->version, sizeof m->version, "%s", td_version());
}
