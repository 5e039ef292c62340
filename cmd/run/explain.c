/* SPDX-License-Identifier: MIT */
/* explain.c - --explain: record a scheduled run's steps, print them with source lines.
 *
 * The hook runs on the thread that takes the step, and one thread runs at a time
 * under a schedule (the hand-off orders one thread's writes before the next one's
 * reads), so E is plain memory with no lock. A step is kept with its thread's and
 * object's names (taken at once: the objects may be gone when the run ends) and a
 * backtrace; the first EXPLAIN_KEEP steps stay, the last EXPLAIN_KEEP turn in a ring.
 *
 * Source lines come after the run: each distinct code address is resolved once, with
 * one `addr2line -a -f -i` per object file (return addresses, so the call is at the
 * address minus one; the load bias of a PIE or a shared library subtracted). Where
 * the step's own line is in cmd/support/ or cmd/run/ (race.c, the runner), the first
 * frame outside them says which line of the scenario it serves ("from ..."). Without
 * addr2line or debug information a step shows its function ("add+0x1c"), or nothing.
 */
#include "explain.h"

#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <inttypes.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <thrdemo/common.h>
#include <thrdemo/observer.h>
#include <thrdemo/thread.h>

#include "cli/cli.h"
#include "schedrun.h"

enum { FRAMES = 12, NAME = 64, WHERE = 160 };

struct step {
    const char *verb;
    unsigned number;
    char object[NAME]; /* "" for none */
    bool has_value;
    long long value;
    const void *caller;
    void *frames[FRAMES];
    int n_frames;
};

static struct {
    bool on, printed;
    struct step first[EXPLAIN_KEEP], last[EXPLAIN_KEEP];
    uint64_t count;
    struct step *latest;
    char (*threads)[NAME]; /* names by number - 1, taken when first seen */
    size_t n_threads;
    const void **unnamed; /* objects without a name, numbered in order of appearance */
    size_t n_unnamed, cap_unnamed;
} E;

/* ---- recording ------------------------------------------------------------------------ */

static const char *thread_name(unsigned number, td_thread_t *thread)
{
    if (number > E.n_threads) {
        char(*grown)[NAME] = realloc(E.threads, number * sizeof *grown);
        if (!grown)
            return "a thread";
        memset(grown + E.n_threads, 0, (number - E.n_threads) * sizeof *grown);
        E.threads = grown;
        E.n_threads = number;
    }
    char *name = E.threads[number - 1];
    if (!name[0] && thread)
        td_thread_get_name(thread, name, NAME);
    return name[0] ? name : "a thread";
}

/* "#k" for an object without a name: k in order of first appearance. */
static size_t unnamed_number(const void *object)
{
    for (size_t k = 0; k < E.n_unnamed; k++)
        if (E.unnamed[k] == object)
            return k + 1;
    if (E.n_unnamed == E.cap_unnamed) {
        size_t cap = E.cap_unnamed ? E.cap_unnamed * 2 : 32;
        const void **grown = realloc(E.unnamed, cap * sizeof *grown);
        if (!grown)
            return 0;
        E.unnamed = grown;
        E.cap_unnamed = cap;
    }
    E.unnamed[E.n_unnamed++] = object;
    return E.n_unnamed;
}

void explain_object_name(const void *object, const char *noun, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!object)
        return;
    if (noun && strcmp(noun, "thread") == 0)
        td_thread_get_name((td_thread_t *)object, buf, size);
    else
        td_object_get_name(object, buf, size);
    if (!buf[0])
        snprintf(buf, size, "%s #%zu", noun ? noun : "object", unnamed_number(object));
}

/* Where step number n (from 0) is kept. */
static struct step *slot(uint64_t n)
{
    return n < EXPLAIN_KEEP ? &E.first[n] : &E.last[(n - EXPLAIN_KEEP) % EXPLAIN_KEEP];
}

static void on_step(const td_sched_step_t *s, void *ctx)
{
    (void)ctx;
    struct step *k = slot(E.count++);
    thread_name(s->number, s->thread);
    *k = (struct step){ .verb = s->verb, .number = s->number, .caller = s->caller };
    explain_object_name(s->object, s->noun, k->object, sizeof k->object);
    k->n_frames = backtrace(k->frames, FRAMES);
    E.latest = k;
}

void explain_begin(td_sched_config_t *config)
{
    if (!cli_globals.explain)
        return;
    void *warm[1];
    backtrace(warm, 1); /* its first call loads libgcc: not in the middle of a run */
    E.on = true;
    config->on_step = on_step;
}

void explain_value(long long value)
{
    if (!E.on || !E.latest || E.latest->number != td_get_ident())
        return;
    E.latest->has_value = true;
    E.latest->value = value;
}

/* ---- code addresses to source lines ---------------------------------------------------- */

/* One distinct address: the object file it is in, its link-time address, and what
 * addr2line said of it (its line, then the lines it is inlined into). */
struct place {
    const void *addr;
    char file[512];
    uintptr_t link_addr;
    int n_lines;
    char lines[4][WHERE];    /* "race.c:169" */
    bool in_support[4];      /* in cmd/support/ or cmd/run/ */
    char symbol[WHERE];      /* without lines: "add+0x1c", or "" */
    bool resolved;           /* addr2line has been asked (explain_source_line asks again
                                for new places only) */
};

static struct place *places;
static size_t n_places;

static int find_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct place *p = data;
    uintptr_t a = (uintptr_t)p->addr;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type != PT_LOAD || a < start || a >= start + ph->p_memsz)
            continue;
        p->link_addr = a - info->dlpi_addr - 1; /* the call, just before the return */
        if (info->dlpi_name && info->dlpi_name[0]) {
            snprintf(p->file, sizeof p->file, "%s", info->dlpi_name);
        } else {
            ssize_t n = readlink("/proc/self/exe", p->file, sizeof p->file - 1);
            p->file[n > 0 ? n : 0] = '\0';
        }
        return 1;
    }
    return 0;
}

static struct place *place_of(const void *addr)
{
    for (size_t i = 0; i < n_places; i++)
        if (places[i].addr == addr)
            return &places[i];
    return NULL;
}

static void add_place(const void *addr)
{
    if (!addr || place_of(addr))
        return;
    struct place *grown = realloc(places, (n_places + 1) * sizeof *grown);
    if (!grown)
        return;
    places = grown;
    struct place *p = &places[n_places++];
    memset(p, 0, sizeof *p);
    p->addr = addr;
    dl_iterate_phdr(find_object, p);
    Dl_info info;
    if (dladdr(addr, &info) && info.dli_sname)
        snprintf(p->symbol, sizeof p->symbol, "%s+0x%tx", info.dli_sname,
                 (const char *)addr - (const char *)info.dli_saddr);
}

static bool have_addr2line(void)
{
    const char *path = getenv("PATH");
    char candidate[4096];
    while (path && *path) {
        size_t len = strcspn(path, ":");
        snprintf(candidate, sizeof candidate, "%.*s/addr2line", (int)len, path);
        if (len && access(candidate, X_OK) == 0)
            return true;
        path += len + (path[len] == ':');
    }
    return false;
}

/* "race.c:169" from "/src/cmd/support/race.c:169 (discriminator 2)", for place p. */
static void add_line(struct place *p, const char *location)
{
    if (!p || p->n_lines == 4 || strncmp(location, "??", 2) == 0)
        return;
    const char *base = strrchr(location, '/');
    int n = p->n_lines++;
    snprintf(p->lines[n], WHERE, "%.*s", (int)strcspn(base ? base + 1 : location, " \n"),
             base ? base + 1 : location);
    p->in_support[n] = strstr(location, "/cmd/support/") || strstr(location, "/cmd/run/");
}

/* One addr2line for the places in file: "-a" heads each address's answer with it. */
static void resolve_file(const char *file)
{
    size_t size = 256 + strlen(file) * 4 + n_places * 24;
    char *command = malloc(size), quoted[2048];
    if (!command)
        return;
    char *words[] = { (char *)file };
    schedrun_shell_words(quoted, sizeof quoted, 1, words);
    size_t len = (size_t)snprintf(command, size, "addr2line -a -f -i -e %s", quoted);
    for (size_t i = 0; i < n_places; i++) {
        if (strcmp(places[i].file, file) != 0 || places[i].resolved)
            continue;
        places[i].resolved = true;
        len += (size_t)snprintf(command + len, size - len, " %#" PRIxPTR, places[i].link_addr);
    }
    snprintf(command + len, size - len, " 2>/dev/null");
    FILE *out = popen(command, "r");
    free(command);
    if (!out)
        return;
    char line[1024];
    struct place *p = NULL;
    bool function_next = true;
    while (fgets(line, sizeof line, out)) {
        if (strncmp(line, "0x", 2) == 0) {
            uintptr_t a = (uintptr_t)strtoull(line, NULL, 16);
            p = NULL;
            for (size_t i = 0; i < n_places && !p; i++)
                if (places[i].link_addr == a && strcmp(places[i].file, file) == 0 &&
                    places[i].n_lines == 0)
                    p = &places[i];
            function_next = true;
        } else if (!function_next) {
            add_line(p, line);
            function_next = true;
        } else {
            function_next = false;
        }
    }
    pclose(out);
}

static void resolve_places(void)
{
    if (!have_addr2line())
        return;
    for (size_t i = 0; i < n_places; i++) /* one addr2line per file, for its new places */
        if (places[i].file[0] != '\0' && !places[i].resolved)
            resolve_file(places[i].file);
}

/* ---- which frames a step shows ----------------------------------------------------------- */

static bool in_library(const void *addr)
{
    static const void *library_base;
    Dl_info info;
    /* The library's own text (ISO C has no function pointer to compare as data). */
    if (!library_base && dladdr(td_strerror(-EINVAL), &info))
        library_base = info.dli_fbase;
    return dladdr(addr, &info) && info.dli_fbase == library_base;
}

/* The frames past the library's own (the first is the call into it, or NULL): where
 * in k->frames the program's code resumes, or n_frames. */
static int first_program_frame(const struct step *k)
{
    int i = 0;
    while (i < k->n_frames && !in_library(k->frames[i]))
        i++; /* this file's own frames */
    while (i < k->n_frames && in_library(k->frames[i]))
        i++;
    return i;
}

/* The address of the call the step made into the library, or NULL. */
static const void *call_of(const struct step *k, int *next)
{
    int i = first_program_frame(k);
    *next = i + 1;
    if (k->caller && !in_library(k->caller))
        return k->caller;
    return k->caller && i < k->n_frames ? k->frames[i] : NULL;
}

static void note_places(const struct step *k)
{
    int next;
    const void *call = call_of(k, &next);
    add_place(call);
    for (int i = next; call && i < k->n_frames; i++)
        add_place(k->frames[i]);
}

/* " (race.c:169, from lock_counter.c:60)", " (add+0x1c)" or "". */
static void where(const struct step *k, char *buf, size_t size)
{
    int next;
    const struct place *p = place_of(call_of(k, &next));
    buf[0] = '\0';
    if (!p)
        return;
    if (!p->n_lines) {
        if (p->symbol[0])
            snprintf(buf, size, " (%s)", p->symbol);
        return;
    }
    const char *from = NULL;
    for (int j = 1; j < p->n_lines && p->in_support[0] && !from; j++)
        if (!p->in_support[j])
            from = p->lines[j];
    for (int i = next; i < k->n_frames && p->in_support[0] && !from; i++) {
        const struct place *q = place_of(k->frames[i]);
        for (int j = 0; q && j < q->n_lines && !from; j++)
            if (!q->in_support[j])
                from = q->lines[j];
    }
    if (from)
        snprintf(buf, size, " (%s, from %s)", p->lines[0], from);
    else
        snprintf(buf, size, " (%s)", p->lines[0]);
}

void explain_source_line(const void *caller, void *const *frames, int n_frames, char *buf,
                         size_t size)
{
    struct step k = { .caller = caller, .n_frames = n_frames < FRAMES ? n_frames : FRAMES };
    memcpy(k.frames, frames, (size_t)k.n_frames * sizeof *frames);
    note_places(&k);
    resolve_places();
    char at[2 * WHERE + 16];
    where(&k, at, sizeof at);
    /* " (race.c:169, from lock_counter.c:60)": the scenario's line is the last one */
    const char *from = strstr(at, ", from ");
    const char *line = from ? from + 7 : at + (at[0] ? 2 : 0);
    snprintf(buf, size, "%.*s", (int)strcspn(line, ")"), line);
}

/* ---- printing ------------------------------------------------------------------------ */

static void print_step(const struct step *k)
{
    char at[2 * WHERE + 16], value[32] = "";
    where(k, at, sizeof at);
    if (k->has_value)
        snprintf(value, sizeof value, " = %lld", k->value);
    fprintf(stderr, "  %s %s%s%s%s%s\n", thread_name(k->number, NULL), k->verb,
            k->object[0] ? " " : "", k->object, value, at);
}

/* Calls fn for each kept step, in the order they ran, and says how many were left
 * out between the two ends. */
static void each_kept(void (*fn)(const struct step *k))
{
    uint64_t firsts = E.count < EXPLAIN_KEEP ? E.count : EXPLAIN_KEEP;
    uint64_t lasts = E.count - firsts < EXPLAIN_KEEP ? E.count - firsts : EXPLAIN_KEEP;
    for (uint64_t n = 0; n < firsts; n++)
        fn(slot(n));
    if (fn == print_step && E.count > firsts + lasts)
        fprintf(stderr, "  ... %" PRIu64 " steps ...\n", E.count - firsts - lasts);
    for (uint64_t n = E.count - lasts; n < E.count; n++)
        fn(slot(n));
}

void explain_print(void)
{
    if (!E.on || E.printed)
        return;
    E.printed = true;
    each_kept(note_places);
    resolve_places();
    fflush(stdout);
    fprintf(stderr, "thrdemo: the run step by step (%" PRIu64 " steps):\n", E.count);
    each_kept(print_step);
    fflush(stderr);
}
