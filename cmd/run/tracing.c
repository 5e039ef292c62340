/* SPDX-License-Identifier: MIT */
/* tracing.c - the recorder around a run (tracing.h).
 *
 * The chart goes to stdout when stdout is a terminal, else to stderr, so that
 * `thrdemo ... --timeline | grep X` keeps the bare trace on the pipe; under
 * `--trace -` stdout is the JSON alone, and the lines and the chart go to stderr; colour only on
 * a terminal, and never when NO_COLOR is set (no-color.org); Unicode unless --ascii
 * or a locale that is not UTF-8.
 */
#include "tracing.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <thrdemo/log.h>
#include <thrdemo/trace.h>

#include "timeline.h"

static td_trace_t *recorder;
static int trace_fd = -1;
static char process_name[96];

/* --trace -: the JSON goes to stdout. */
static bool trace_to_stdout(void)
{
    return cli_globals.trace_file && strcmp(cli_globals.trace_file, "-") == 0;
}

int tracing_begin(const cli_args_t *args)
{
    if (!cli_globals.trace_file && !cli_globals.timeline)
        return 0;
    char q[CLI_QUOTE_SIZE];
    if (trace_to_stdout()) {
        /* The JSON and the trace lines on one stream would be neither a trace file
         * nor the trace: the lines go to stderr, where a person still sees them. */
        trace_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
        td_log_set_fd(STDERR_FILENO);
    } else if (cli_globals.trace_file) {
        trace_fd = open(cli_globals.trace_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    }
    if (cli_globals.trace_file && trace_fd < 0) {
        cli_error("--trace: cannot write '%s': %s", cli_quote(cli_globals.trace_file, q),
                  strerror(errno));
        return EXIT_RUNTIME;
    }
    int rc = td_trace_new(&recorder, cli_globals.trace_limit);
    if (rc == 0 && (rc = td_trace_start(recorder)) != 0) {
        td_trace_free(recorder);
        recorder = NULL;
    }
    if (rc != 0) {
        cli_error("cannot record the run: %s", td_strerror(rc));
        return EXIT_RUNTIME;
    }
    const char *variant = args->variant && args->variant->name ? args->variant->name : NULL;
    snprintf(process_name, sizeof process_name, "thrdemo %s%s%s", args->command->name,
             variant ? " " : "", variant ? variant : "");
    return 0;
}

/* Whether the locale (LC_ALL, else LC_CTYPE, else LANG) is UTF-8: read from the
 * environment, so that thrdemo itself never switches locale. */
static bool utf8_locale(void)
{
    const char *names[] = { "LC_ALL", "LC_CTYPE", "LANG" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        if (v && *v)
            return strcasestr(v, "UTF-8") || strcasestr(v, "utf8");
    }
    return false;
}

static int terminal_width(int fd)
{
    struct winsize ws;
    if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

static void draw(void)
{
    int fd = isatty(STDOUT_FILENO) && !trace_to_stdout() ? STDOUT_FILENO : STDERR_FILENO;
    const char *no_color = getenv("NO_COLOR");
    timeline_options_t options = {
        .width = cli_globals.width ? cli_globals.width : terminal_width(fd),
        .unicode = !cli_globals.ascii && utf8_locale(),
        .color = isatty(fd) && !(no_color && *no_color),
    };
    int rc = timeline_draw(recorder, fd, &options);
    if (rc != 0)
        cli_error("--timeline: cannot draw the chart: %s", td_strerror(rc));
}

/* Write the file: 0, or -errno. */
static int write_file(uint64_t *dropped)
{
    int rc = td_trace_write_json(recorder, trace_fd, process_name, dropped);
    if (close(trace_fd) != 0 && rc == 0)
        rc = -errno;
    trace_fd = -1;
    return rc;
}

int tracing_end(int rc)
{
    if (!recorder)
        return rc;
    td_trace_stop(recorder);
    uint64_t dropped = td_trace_dropped(recorder);
    char q[CLI_QUOTE_SIZE];
    if (trace_fd >= 0) {
        int err = write_file(&dropped);
        if (err != 0) {
            cli_error("--trace: cannot write '%s': %s", cli_quote(cli_globals.trace_file, q),
                      strerror(-err));
            rc = rc == EXIT_OK ? EXIT_RUNTIME : rc;
        }
    }
    if (cli_globals.timeline)
        draw();
    if (dropped > 0)
        cli_error("--trace-limit %s reached: %llu events dropped, so the %s stops early "
                  "(a larger --trace-limit keeps them)",
                  cli_globals.trace_limit_text ? cli_globals.trace_limit_text : "64M",
                  (unsigned long long)dropped, cli_globals.trace_file ? "trace" : "chart");
    return rc;
}
