/* SPDX-License-Identifier: MIT */
/* cli.c - strict option parsing, the time scale, the stop event, number formats.
 *
 * Parsing never prints on stdout and never starts anything: a usage error is found
 * before a scenario writes its first line, so bad input leaves stdout empty.
 */
#include "cli.h"

#include <stdatomic.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <thrdemo/lock.h>

cli_globals_t cli_globals = { .scale = 1.0 };

int cli_usage_error(const char *scenario, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("thrdemo: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (scenario)
        fprintf(stderr, " (see 'thrdemo %s --help')\n", scenario);
    else
        fputs(" (see 'thrdemo --help')\n", stderr);
    return EXIT_USAGE;
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("thrdemo: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- numbers ----------------------------------------------------------------------- */

static bool starts_like_a_number(const char *text)
{
    /* strtod also takes leading blanks, "inf", "nan" and hex: none is a number here. */
    const char *p = text + (*text == '-' || *text == '+');
    return isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]));
}

int cli_parse_double(const char *text, double *out)
{
    if (!text || !starts_like_a_number(text) || strpbrk(text, "xXpP"))
        return -1;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int cli_parse_int(const char *text, long long *out)
{
    if (!text || !starts_like_a_number(text) || strchr(text, '.'))
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_u64(const char *text, uint64_t *out)
{
    if (!text || !isdigit((unsigned char)*text))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

/* ---- the option table -------------------------------------------------------------- */

static bool word_in(const char *word, const char *list)
{
    size_t len = strlen(word);
    if (len == 0)
        return false;
    for (const char *p = list; (p = strstr(p, word)) != NULL; p += len) {
        bool starts = p == list || p[-1] == ' ';
        bool ends = p[len] == '\0' || p[len] == ' ';
        if (starts && ends)
            return true;
    }
    return false;
}

static bool applies_to(const cli_option_t *opt, const char *variant)
{
    return !opt->variants || (variant && word_in(variant, opt->variants));
}

/* The entry called name (len bytes), preferring the one of variant when two share
 * the name; NULL if there is none. */
static const cli_option_t *find_option(const scenario_t *sc, const char *variant,
                                       const char *name, size_t len, size_t *index)
{
    const cli_option_t *found = NULL;
    for (size_t i = 0; sc->options && sc->options[i].name; i++) {
        const cli_option_t *o = &sc->options[i];
        if (strlen(o->name) != len || strncmp(o->name, name, len) != 0)
            continue;
        if (!found || applies_to(o, variant)) {
            found = o;
            *index = i;
        }
        if (applies_to(o, variant))
            break;
    }
    return found;
}

static int check_value(const scenario_t *sc, const cli_option_t *opt, const char *value)
{
    double v;
    long long n;
    switch (opt->type) {
    case OPT_NUMBER:
        if (cli_parse_double(value, &v) != 0)
            return cli_usage_error(sc->name, "--%s: '%s' is not a number", opt->name, value);
        break;
    case OPT_INT:
        if (cli_parse_int(value, &n) != 0)
            return cli_usage_error(sc->name, "--%s: '%s' is not a whole number", opt->name,
                                   value);
        v = (double)n;
        break;
    case OPT_CHOICE:
        if (!word_in(value, opt->choices))
            return cli_usage_error(sc->name, "--%s: '%s' is not one of: %s", opt->name,
                                   value, opt->choices);
        return 0;
    default:
        return 0;
    }
    if ((opt->min_open ? v <= opt->min : v < opt->min) || v > opt->max) {
        char lo[32], hi[32];
        return cli_usage_error(sc->name, "--%s: %s is out of range (%s %s .. %s)", opt->name,
                               value, opt->min_open ? "over" : "from",
                               cli_pynum(opt->min, lo), cli_pynum(opt->max, hi));
    }
    return 0;
}

static const char *find_variant(const scenario_t *sc, const char *word)
{
    for (const cli_variant_t *v = sc->variants; v && v->name; v++)
        if (strcmp(v->name, word) == 0)
            return v->name;
    return NULL;
}

int cli_global_option(const char *scenario, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    const char *names[] = { "--scale", "--seed" };
    for (size_t k = 0; k < 2; k++) {
        size_t len = strlen(names[k]);
        if (strncmp(arg, names[k], len) != 0 || (arg[len] != '\0' && arg[len] != '='))
            continue;
        const char *value = arg[len] == '=' ? arg + len + 1 : NULL;
        if (!value) {
            if (*i + 1 >= argc)
                return -cli_usage_error(scenario, "%s needs a value", names[k]);
            value = argv[++*i];
        }
        if (k == 0) {
            double s;
            if (cli_parse_double(value, &s) != 0 || !(s > 0))
                return -cli_usage_error(scenario, "--scale: '%s' is not a number over 0",
                                        value);
            cli_globals.scale = s;
        } else {
            if (cli_parse_u64(value, &cli_globals.seed) != 0)
                return -cli_usage_error(scenario, "--seed: '%s' is not a whole number >= 0",
                                        value);
            cli_globals.seed_given = true;
        }
        return 1;
    }
    if (strcmp(arg, "--stats") == 0) {
        cli_globals.stats = true;
        return 1;
    }
    if (strcmp(arg, "--quiet") == 0) {
        cli_globals.quiet = true;
        return 1;
    }
    return 0;
}

/* One "--name value" or "--name=value" at argv[*i]: 0 or EXIT_USAGE. */
static int parse_option(const scenario_t *sc, int argc, char **argv, int *i, cli_args_t *args)
{
    const char *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    size_t index;
    const cli_option_t *opt = find_option(sc, args->variant, arg, len, &index);
    if (!opt)
        return cli_usage_error(sc->name, "unknown option '--%.*s' for %s", (int)len, arg,
                               sc->name);
    const char *value = eq ? eq + 1 : NULL;
    if (opt->type == OPT_FLAG) {
        if (value)
            return cli_usage_error(sc->name, "--%s takes no value", opt->name);
        value = "1";
    } else if (!value) {
        if (*i + 1 >= argc)
            return cli_usage_error(sc->name, "--%s needs a value", opt->name);
        value = argv[++*i];
    }
    int rc = check_value(sc, opt, value);
    if (rc != 0)
        return rc;
    args->text[index] = value;
    args->given[index] = true;
    return 0;
}

/* After parsing: every option given must belong to the chosen variant. */
static int check_variant_options(const scenario_t *sc, const cli_args_t *args)
{
    for (size_t i = 0; sc->options && sc->options[i].name; i++)
        if (args->given[i] && !applies_to(&sc->options[i], args->variant))
            return cli_usage_error(sc->name, "--%s is an option of %s %s, not of %s %s",
                                   sc->options[i].name, sc->name, sc->options[i].variants,
                                   sc->name, args->variant ? args->variant : "");
    return 0;
}

int cli_parse(const scenario_t *sc, int argc, char **argv, cli_args_t *args, bool *help)
{
    memset(args, 0, sizeof *args);
    args->scenario = sc;
    args->variant = sc->variants ? sc->variants[0].name : NULL;
    *help = false;
    bool variant_seen = false, option_seen = false;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        int g = cli_global_option(sc->name, argc, argv, &i);
        if (g < 0)
            return -g;
        if (g > 0)
            continue;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            *help = true;
            return 0;
        }
        if (strncmp(arg, "--", 2) == 0 && arg[2] != '\0') {
            int rc = parse_option(sc, argc, argv, &i, args);
            if (rc != 0)
                return rc;
            option_seen = true;
        } else if (sc->variants && !variant_seen && !option_seen && args->n_positional == 0 &&
                   arg[0] != '-') {
            /* SCENARIO [VARIANT] [OPTIONS]: the variant decides which options exist. */
            const char *v = find_variant(sc, arg);
            if (!v)
                return cli_usage_error(sc->name, "unknown variant '%s' of %s", arg, sc->name);
            args->variant = v;
            variant_seen = true;
        } else if (sc->positional && args->n_positional < CLI_MAX_POSITIONAL) {
            args->positional[args->n_positional++] = arg;
        } else {
            return cli_usage_error(sc->name, "unexpected argument '%s'", arg);
        }
    }
    for (size_t i = 0; sc->options && sc->options[i].name; i++)
        if (!args->given[i])
            args->text[i] = sc->options[i].def;
    return check_variant_options(sc, args);
}

void cli_print_help(const scenario_t *sc)
{
    printf("usage: thrdemo [--scale F] [--seed N] [--stats] [--quiet] %s", sc->name);
    if (sc->variants)
        printf(" [VARIANT]");
    printf(" [OPTIONS]%s%s\n\n", sc->positional ? " " : "", sc->positional ? sc->positional : "");
    printf("%s", sc->help);
    if (sc->variants) {
        printf("\nVariants (the first is the default):\n");
        for (const cli_variant_t *v = sc->variants; v->name; v++)
            printf("  %-12s %s\n", v->name, v->summary);
    }
    printf("\nOptions:\n");
    for (const cli_option_t *o = sc->options; o && o->name; o++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s", o->name, o->type == OPT_FLAG ? "" : " X");
        printf("  %-22s %s", left, o->help);
        if (o->def && o->type != OPT_FLAG)
            printf(" (default %s)", o->def);
        if (o->variants)
            printf(" [%s]", o->variants);
        printf("\n");
    }
    printf("  %-22s %s\n", "--scale F", "multiply every duration by F > 0 (default 1, env THRDEMO_SCALE)");
    printf("  %-22s %s\n", "--seed N", "seed every random choice (env THRDEMO_SEED)");
    printf("  %-22s %s\n", "--stats", "print wall time, threads and counts on stderr after the run");
    printf("  %-22s %s\n", "--quiet", "leave out per-item lines (prodcons, tcp-echo), keep milestones");
    printf("  %-22s %s\n", "--help", "show this help");
}

static size_t option_index(const cli_args_t *args, const char *name)
{
    size_t i;
    if (find_option(args->scenario, args->variant, name, strlen(name), &i))
        return i;
    fprintf(stderr, "thrdemo: internal error: no option --%s in %s\n", name,
            args->scenario->name);
    abort();
}

double cli_number(const cli_args_t *args, const char *name)
{
    double v = 0;
    cli_parse_double(args->text[option_index(args, name)], &v);
    return v;
}

long long cli_int(const cli_args_t *args, const char *name)
{
    long long v = 0;
    cli_parse_int(args->text[option_index(args, name)], &v);
    return v;
}

bool cli_flag(const cli_args_t *args, const char *name)
{
    return args->given[option_index(args, name)];
}

const char *cli_text(const cli_args_t *args, const char *name)
{
    return args->text[option_index(args, name)];
}

bool cli_variant_is(const cli_args_t *args, const char *variant)
{
    return args->variant && strcmp(args->variant, variant) == 0;
}

int cli_start_thread(td_thread_t **thread, const td_thread_attr_t *attr)
{
    int rc = td_thread_new(thread, attr);
    if (rc == 0 && (rc = td_thread_start(*thread)) != 0)
        td_thread_free(*thread);
    if (rc == 0)
        return 0;
    *thread = NULL;
    cli_error("cannot start a thread: %s", td_strerror(rc));
    return EXIT_RUNTIME;
}

/* ---- time and the stop ------------------------------------------------------------- */

static td_event_t stop_event;
static atomic_int stop_signal;
static td_lock_t on_stop_lock;
enum { MAX_ON_STOP = 16 };
static struct {
    cli_stop_fn fn;
    void *arg;
} on_stop[MAX_ON_STOP]; /* guarded by on_stop_lock */

double cli_seconds(double nominal)
{
    return nominal * cli_globals.scale;
}

bool cli_sleep(double nominal)
{
    return td_event_wait(&stop_event, cli_seconds(nominal));
}

bool cli_stopping(void)
{
    return td_event_is_set(&stop_event);
}

td_event_t *cli_stop_event(void)
{
    return &stop_event;
}

int cli_stop_signal(void)
{
    return atomic_load(&stop_signal);
}

void cli_on_stop(cli_stop_fn fn, void *arg)
{
    td_lock_acquire(&on_stop_lock, true, TD_FOREVER);
    for (size_t i = 0; i < MAX_ON_STOP; i++) {
        if (!on_stop[i].fn) {
            on_stop[i].fn = fn;
            on_stop[i].arg = arg;
            break;
        }
    }
    td_lock_release(&on_stop_lock);
    if (cli_stopping())
        fn(arg);
}

void cli_forget_on_stop(cli_stop_fn fn, void *arg)
{
    td_lock_acquire(&on_stop_lock, true, TD_FOREVER);
    for (size_t i = 0; i < MAX_ON_STOP; i++)
        if (on_stop[i].fn == fn && on_stop[i].arg == arg)
            on_stop[i].fn = NULL;
    td_lock_release(&on_stop_lock);
}

static void set_event(void *event)
{
    td_event_set(event);
}

void cli_wake_on_stop(td_event_t *event)
{
    cli_on_stop(set_event, event);
}

void cli_forget_wake(td_event_t *event)
{
    cli_forget_on_stop(set_event, event);
}

static void request_stop(int signo)
{
    atomic_store(&stop_signal, signo);
    td_event_set(&stop_event);
    /* Called with the lock held, so forget() cannot return while a call is under way. */
    td_lock_acquire(&on_stop_lock, true, TD_FOREVER);
    for (size_t i = 0; i < MAX_ON_STOP; i++)
        if (on_stop[i].fn)
            on_stop[i].fn(on_stop[i].arg);
    td_lock_release(&on_stop_lock);
}

/* A plain pthread, not a library thread: it is plumbing, not part of any scenario,
 * so it stays out of enumerate() as Python's own signal handling does. */
static void *signal_thread(void *set)
{
    for (;;) {
        int signo = 0;
        if (sigwait(set, &signo) != 0)
            continue;
        if (cli_stopping())
            _exit(128 + signo); /* a second Ctrl-C: the user insists */
        request_stop(signo);
    }
    return NULL;
}

void cli_install_signals(void)
{
    static sigset_t set;
    td_event_init(&stop_event);
    td_lock_init(&on_stop_lock);
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* inherited by every thread started later */
    pthread_t tid;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&tid, &attr, signal_thread, &set) != 0)
        pthread_sigmask(SIG_UNBLOCK, &set, NULL); /* then Ctrl-C simply kills us */
    pthread_attr_destroy(&attr);
}

/* ---- random numbers: splitmix64, one atomic step per number ----------------------- */

static atomic_uint_fast64_t random_state;
static atomic_bool random_seeded;

uint64_t cli_random(void)
{
    if (!atomic_exchange(&random_seeded, true)) {
        uint64_t seed = cli_globals.seed;
        if (!cli_globals.seed_given) {
            double now = td_time(); /* the library's one clock */
            seed = (uint64_t)(now * 1e6) * 1000000007u ^ (uint64_t)getpid();
        }
        atomic_store(&random_state, seed);
    }
    uint64_t z = atomic_fetch_add(&random_state, 0x9e3779b97f4a7c15u) + 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

long long cli_randint(long long lo, long long hi)
{
    return lo + (long long)(cli_random() % (uint64_t)(hi - lo + 1));
}

/* ---- Python's number formats ------------------------------------------------------- */

/* The shortest digits that read back as value, in %e form: "d.ddde±x". */
static void shortest_e(double value, char *buf, size_t size)
{
    for (int precision = 0; precision < 17; precision++) {
        snprintf(buf, size, "%.*e", precision, value);
        if (strtod(buf, NULL) == value)
            return;
    }
    snprintf(buf, size, "%.16e", value);
}

const char *cli_pyfloat(double value, char buf[32])
{
    char e[40];
    shortest_e(value, e, sizeof e);
    char *mark = strchr(e, 'e');
    int exp = atoi(mark + 1);
    *mark = '\0';
    bool negative = e[0] == '-';
    char digits[24];
    size_t nd = 0;
    for (const char *p = e + negative; *p; p++)
        if (isdigit((unsigned char)*p))
            digits[nd++] = *p;
    digits[nd] = '\0';
    char *out = buf;
    if (negative)
        *out++ = '-';
    if (exp < -4 || exp >= 16) { /* Python's repr switches to exponent form here */
        out += sprintf(out, "%c", digits[0]);
        if (nd > 1)
            out += sprintf(out, ".%s", digits + 1);
        sprintf(out, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
    } else if (exp < 0) {
        sprintf(out, "0.%0*d%s", -exp - 1, 0, digits);
        if (-exp - 1 == 0)
            sprintf(out, "0.%s", digits);
    } else if ((size_t)exp + 1 >= nd) {
        sprintf(out, "%s%0*d.0", digits, exp + 1 - (int)nd, 0);
        if (exp + 1 == (int)nd)
            sprintf(out, "%s.0", digits);
    } else {
        sprintf(out, "%.*s.%s", exp + 1, digits, digits + exp + 1);
    }
    return buf;
}

const char *cli_pynum(double value, char buf[32])
{
    if (value == floor(value) && fabs(value) < 1e15) {
        snprintf(buf, 32, "%.0f", value);
        return buf;
    }
    return cli_pyfloat(value, buf);
}

const char *cli_thread_name(td_thread_t *thread, char buf[CLI_NAME_MAX])
{
    td_thread_get_name(thread, buf, CLI_NAME_MAX);
    return buf;
}
