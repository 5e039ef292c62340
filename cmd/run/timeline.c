/* SPDX-License-Identifier: MIT */
/* timeline.c - the --timeline chart (timeline.h).
 *
 * Each row is a list of state changes (time, state) built from the recorder's
 * entries: a thread runs from its start (the main thread from 0), is blocked from a
 * WAIT_BEGIN to its WAIT_END, sleeps when that wait is a sleep (primitive "sleep":
 * time.sleep, asyncio.sleep, a Timer's interval, a monitor's interval: a wait for
 * the clock that only a stop or a cancel cuts short, not a wait on another
 * thread), and is gone after its exit; a coroutine runs from a resume to the next
 * suspend, after which a generator is idle (blank) and an asyncio task blocked (it
 * awaits) or, in asyncio.sleep, sleeping. A name too long for its column is cut in
 * the middle, so the suffix that tells rows apart stays (ThreadPoolExecutor-0_0 and
 * _1, Thread-1 (wait_for_event) and Thread-2 (wait_for_event_timeout)). A column
 * covers span/columns seconds and shows the state that filled most of it, any
 * state beating "not there" (so a thread that lived a microsecond still shows); a
 * line printed in that stretch overrides it with the line marker.
 */
#include "timeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum state { GONE, RUN, BLOCK, SLEEP, IDLE, STATES };

struct change {
    double t;
    enum state state;
};

struct row {
    char *name;
    bool coroutine, seen;
    struct change *changes;
    size_t n, cap;
    double *marks;
    size_t n_marks, cap_marks;
};

struct chart {
    struct row *rows;
    size_t n_rows;
    double end;
    int err;
};

/* ---- from entries to rows ------------------------------------------------------------ */

static int grow(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap * 2 : 16;
    while (cap2 < need)
        cap2 *= 2;
    void *grown = realloc(*items, cap2 * size);
    if (!grown)
        return -ENOMEM;
    *items = grown;
    *cap = cap2;
    return 0;
}

/* The state a row is in now (GONE before anything happened). */
static enum state current(const struct row *row)
{
    return row->n > 0 ? row->changes[row->n - 1].state : GONE;
}

/* What a coroutine is after it suspends: a generator idle, an asyncio task blocked
 * on what it awaits, or still sleeping when what it awaits is asyncio.sleep. */
static enum state suspended(const struct row *row, const td_trace_entry_t *e)
{
    if (e->result == TD_ESTOP)
        return GONE;
    if (strcmp(e->primitive, "task") != 0)
        return IDLE;
    return current(row) == SLEEP ? SLEEP : BLOCK;
}

static void change(struct chart *c, size_t r, double t, enum state state)
{
    struct row *row = &c->rows[r];
    if (row->n > 0 && row->changes[row->n - 1].state == state)
        return;
    if (grow((void **)&row->changes, &row->cap, row->n + 1, sizeof *row->changes) != 0) {
        c->err = -ENOMEM;
        return;
    }
    row->changes[row->n++] = (struct change){ t, state };
}

static void mark(struct chart *c, size_t r, double t)
{
    struct row *row = &c->rows[r];
    if (grow((void **)&row->marks, &row->cap_marks, row->n_marks + 1, sizeof *row->marks) != 0) {
        c->err = -ENOMEM;
        return;
    }
    row->marks[row->n_marks++] = t;
}

static int on_tracks(const td_trace_track_t *tracks, size_t n, void *ctx)
{
    struct chart *c = ctx;
    c->rows = calloc(n ? n : 1, sizeof *c->rows);
    if (!c->rows)
        return -ENOMEM;
    c->n_rows = n;
    for (size_t i = 0; i < n; i++) {
        c->rows[i].coroutine = tracks[i].coroutine;
        if (!(c->rows[i].name = strdup(tracks[i].name)))
            return -ENOMEM;
    }
    return 0;
}

static int on_entry(const td_trace_entry_t *e, void *ctx)
{
    struct chart *c = ctx;
    size_t r = e->track;
    if (r >= c->n_rows)
        return 0;
    c->end = e->time > c->end ? e->time : c->end;
    struct row *row = &c->rows[r];
    if (!row->seen && !row->coroutine && e->kind != TD_OBS_THREAD_START)
        change(c, r, r == 0 ? 0 : e->time, RUN); /* already running when first seen */
    row->seen = true;
    switch (e->kind) {
    case TD_OBS_THREAD_START: change(c, r, e->time, RUN); break;
    case TD_OBS_THREAD_EXIT: change(c, r, e->time, GONE); break;
    case TD_OBS_WAIT_BEGIN:
        change(c, r, e->time, strcmp(e->primitive, "sleep") == 0 ? SLEEP : BLOCK);
        break;
    case TD_OBS_WAIT_END: change(c, r, e->time, RUN); break;
    case TD_OBS_LINE: mark(c, r, e->time); break;
    case TD_OBS_CORO_RESUME:
        if (e->coroutine < c->n_rows)
            change(c, e->coroutine, e->time, RUN);
        break;
    case TD_OBS_CORO_SUSPEND:
        if (e->coroutine < c->n_rows)
            change(c, e->coroutine, e->time, suspended(&c->rows[e->coroutine], e));
        break;
    default: break;
    }
    return c->err;
}

/* ---- drawing ---------------------------------------------------------------------- */

struct style {
    const char *glyph[STATES], *line, *border, *cut;
    const char *color[STATES], *line_color, *reset;
};

static const struct style unicode_style = {
    { " ", "\u2588", "\u2592", "\u2581", " " }, "\u25c6", "\u2502", "\u2026",
    { "", "", "", "", "" }, "", "",
};
static const struct style ascii_style = {
    { " ", "#", "-", ".", " " }, "*", "|", "~", { "", "", "", "", "" }, "", "",
};

/* The state filling most of each column (any beats GONE), or the line marker. */
static void fill_columns(const struct row *row, double end, int columns, int *cells)
{
    double dt = end / columns;
    double (*spent)[STATES] = calloc((size_t)columns, sizeof *spent);
    if (!spent) {
        for (int k = 0; k < columns; k++)
            cells[k] = GONE;
        return;
    }
    for (size_t i = 0; i < row->n; i++) {
        double a = row->changes[i].t, b = i + 1 < row->n ? row->changes[i + 1].t : end;
        int first = (int)(a / dt), last = (int)(b / dt);
        first = first < columns ? first : columns - 1;
        last = last < columns ? last : columns - 1;
        for (int k = first; k <= last; k++) {
            double lo = a > k * dt ? a : k * dt, hi = b < (k + 1) * dt ? b : (k + 1) * dt;
            /* A stretch too short to measure still counts a little: it happened. */
            spent[k][row->changes[i].state] += hi > lo ? hi - lo : dt * 1e-9;
        }
    }
    for (int k = 0; k < columns; k++) {
        int best = GONE;
        for (int s = RUN; s < STATES; s++)
            if (spent[k][s] > 0 && (best == GONE || spent[k][s] > spent[k][best]))
                best = s;
        cells[k] = best;
    }
    for (size_t i = 0; i < row->n_marks; i++) {
        int k = (int)(row->marks[i] / dt);
        cells[k < columns ? k : columns - 1] = STATES; /* the line marker */
    }
    free(spent);
}

struct out {
    char *buf;
    size_t len, cap;
    int err;
};

static void add(struct out *o, const char *s)
{
    size_t n = strlen(s);
    if (o->err == 0 && grow((void **)&o->buf, &o->cap, o->len + n + 1, 1) != 0)
        o->err = -ENOMEM;
    if (o->err != 0)
        return;
    memcpy(o->buf + o->len, s, n + 1);
    o->len += n;
}

/* The display width of UTF-8 text (one column per character). */
static int display_width(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* Where the character after the first n characters of s starts (whole UTF-8
 * characters). */
static const char *skip_chars(const char *s, int n)
{
    for (int k = 0; k < n && *s; k++)
        do
            s++;
        while (((unsigned char)*s & 0xc0) == 0x80);
    return s;
}

/* How many characters the first word of name has (up to a space). */
static int first_word(const char *name)
{
    const char *space = strchr(name, ' ');
    return space ? display_width(name) - display_width(space) : display_width(name);
}

/* name in exactly width columns: padded, or cut in the middle with the style's
 * mark, keeping its head (at least its first word, "Thread-12", when that leaves a
 * tail) and its tail: rows differ at the end as often as at the start (a pool's _0
 * and _1), and a cut end would make them look the same. */
static void add_name(struct out *o, const char *name, int width, const struct style *st)
{
    char buf[512];
    int w = display_width(name);
    if (w <= width) {
        snprintf(buf, sizeof buf, "%s%*s", name, width - w, "");
        add(o, buf);
        return;
    }
    int head = width / 2, word = first_word(name);
    head = word > head && word < width - 4 ? word : head;
    int tail = width - 1 - head;
    const char *head_end = skip_chars(name, head), *tail_start = skip_chars(name, w - tail);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(head_end - name), name, st->cut, tail_start);
    add(o, buf);
}

/* A duration in the unit that shows it best: "10 s", "502 us", "8.79 ms". */
static const char *seconds(double s, char *buf, size_t size)
{
    static const char *const units[] = { "s", "ms", "us", "ns" };
    size_t u = 0;
    while (u < 3 && s < 0.9995) {
        s *= 1e3;
        u++;
    }
    snprintf(buf, size, "%.3g %s", s, units[u]);
    return buf;
}

static void add_row(struct out *o, const struct row *row, double end, int name_w, int columns,
                    const struct style *st)
{
    int *cells = malloc((size_t)columns * sizeof *cells);
    if (!cells) {
        o->err = -ENOMEM;
        return;
    }
    fill_columns(row, end, columns, cells);
    add_name(o, row->name, name_w, st);
    add(o, " ");
    add(o, st->border);
    const char *color = "";
    for (int k = 0; k < columns; k++) {
        const char *want = cells[k] == STATES ? st->line_color : st->color[cells[k]];
        if (strcmp(want, color) != 0) {
            add(o, *color ? st->reset : "");
            add(o, want);
            color = want;
        }
        add(o, cells[k] == STATES ? st->line : st->glyph[cells[k]]);
    }
    add(o, *color ? st->reset : "");
    add(o, st->border);
    add(o, "\n");
    free(cells);
}

static void add_header(struct out *o, double end, int name_w, int columns)
{
    char span[32], step[32], left[96], right[32], axis[32];
    snprintf(left, sizeof left, "timeline: %s, one column = %s\n", seconds(end, span, sizeof span),
             seconds(end / columns, step, sizeof step));
    add(o, left);
    snprintf(left, sizeof left, "%*s0", name_w + 2, "");
    add(o, left);
    snprintf(right, sizeof right, "%s", seconds(end, span, sizeof span));
    for (int gap = columns - 1 - (int)strlen(right); gap > 0; gap -= (int)strlen(axis)) {
        snprintf(axis, sizeof axis, "%*s", gap < 16 ? gap : 16, "");
        add(o, axis);
    }
    add(o, right);
    add(o, "\n");
}

static void add_legend(struct out *o, const struct style *st)
{
    char text[256];
    snprintf(text, sizeof text,
             "legend: %s%s%s running  %s%s%s blocked  %s%s%s sleeping  %s%s%s line printed\n",
             st->color[RUN], st->glyph[RUN], *st->color[RUN] ? st->reset : "",
             st->color[BLOCK], st->glyph[BLOCK], *st->color[BLOCK] ? st->reset : "",
             st->color[SLEEP], st->glyph[SLEEP], *st->color[SLEEP] ? st->reset : "",
             st->line_color, st->line, *st->line_color ? st->reset : "");
    add(o, text);
}

static int write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, s, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return k < 0 ? -errno : -EIO;
        s += k;
        n -= (size_t)k;
    }
    return 0;
}

static int render(const struct chart *c, int fd, const timeline_options_t *opt)
{
    struct style st = opt->unicode ? unicode_style : ascii_style;
    if (opt->color) {
        const char *colors[STATES] = { "", "\033[32m", "\033[31m", "\033[34m", "" };
        memcpy(st.color, colors, sizeof colors);
        st.line_color = "\033[1;33m";
        st.reset = "\033[0m";
    }
    int longest = 4;
    for (size_t r = 0; r < c->n_rows; r++)
        longest = display_width(c->rows[r].name) > longest ? display_width(c->rows[r].name)
                                                           : longest;
    int name_w = opt->width / 4 > 8 ? opt->width / 4 : 8;
    name_w = longest < name_w ? longest : name_w;
    int columns = opt->width - name_w - 3;
    double end = c->end > 0 ? c->end : 1e-6;
    struct out o = { 0 };
    add_header(&o, end, name_w, columns);
    for (size_t r = 0; r < c->n_rows; r++)
        add_row(&o, &c->rows[r], end, name_w, columns, &st);
    add_legend(&o, &st);
    int rc = o.err ? o.err : write_all(fd, o.buf, o.len);
    free(o.buf);
    return rc;
}

int timeline_draw(td_trace_t *trace, int fd, const timeline_options_t *options)
{
    struct chart c = { 0 };
    int rc = td_trace_visit(trace, &(td_trace_visitor_t){ on_tracks, on_entry, &c });
    if (rc == 0)
        rc = render(&c, fd, options);
    for (size_t r = 0; r < c.n_rows; r++) {
        free(c.rows[r].name);
        free(c.rows[r].changes);
        free(c.rows[r].marks);
    }
    free(c.rows);
    return rc;
}
