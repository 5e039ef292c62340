/* SPDX-License-Identifier: MIT */
/* net_server.c - what tcp-echo's servers keep besides their sockets: each
 * connection's limits (idle and line timeouts), the messages that can repeat fast
 * (said once, then folded into one line a second with a count, so a flood of
 * refusals cannot flood stderr), the connection slots a server hands out and waits
 * on, and how received bytes are shown (as Python's backslashreplace decode shows
 * them). Each structure is guarded by its own lock; see net.h for which. */
#include "net.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <thrdemo/common.h>
#include <thrdemo/log.h>

#include "run/runner.h"
#include "core/utf8.h"

/* ---- what a connection may take ------------------------------------------------------- */

double net_limit(double given)
{
    return given > 0 ? runner_seconds(given) : TD_FOREVER;
}

void net_limits_init(net_limits_t *l, double idle, double line)
{
    l->idle = idle;
    l->line = line;
    l->line_began = -1;
}

void net_limits_received(net_limits_t *l, const void *data, size_t n)
{
    /* memrchr: an echo server's round trip scans every message it receives */
    const unsigned char *last = n ? memrchr(data, '\n', n) : NULL;
    size_t after_last_newline = last ? (size_t)(last - (const unsigned char *)data) + 1 : 0;
    if (after_last_newline == n)
        l->line_began = -1; /* ends with a newline: no line open */
    else if (after_last_newline > 0 || l->line_began < 0)
        l->line_began = td_monotonic(); /* a new line opened by this read */
}

double net_limits_wait(const net_limits_t *l, int *which)
{
    *which = -ETIMEDOUT;
    if (l->line == TD_FOREVER || l->line_began < 0)
        return l->idle;
    double line_left = l->line_began + l->line - td_monotonic();
    line_left = line_left < 0 ? 0 : line_left;
    if (l->idle >= 0 && l->idle < line_left)
        return l->idle;
    *which = -ETIME;
    return line_left;
}

/* ---- messages that can repeat fast ---------------------------------------------------- */

void net_repeats_init(net_repeats_t *r)
{
    memset(r, 0, sizeof *r);
    td_lock_init(&r->lock);
}

/* The line of an entry standing for n occurrences; the entry shown now. */
static void show(net_repeats_t *r, size_t i, unsigned long n, double now)
{
    if (n > 1)
        cli_error("%s (repeated %lu times)", r->entry[i].text, n);
    else
        cli_error("%s", r->entry[i].text);
    r->entry[i].shown = now;
    r->entry[i].folded = 0;
}

/* The entry for text: the one that holds it, else a free one, else the one shown
 * longest ago (its folded occurrences printed first). Sets *fresh when new. */
static size_t entry_for(net_repeats_t *r, const char *text, double now, bool *fresh)
{
    *fresh = false;
    for (size_t i = 0; i < NET_REPEATS; i++)
        if (strcmp(r->entry[i].text, text) == 0)
            return i;
    size_t victim = 0;
    for (size_t i = 0; i < NET_REPEATS && *r->entry[victim].text; i++)
        if (!*r->entry[i].text || r->entry[i].shown < r->entry[victim].shown)
            victim = i;
    if (r->entry[victim].folded > 0)
        show(r, victim, r->entry[victim].folded, now);
    snprintf(r->entry[victim].text, sizeof r->entry[victim].text, "%s", text);
    *fresh = true;
    return victim;
}

void net_say(net_repeats_t *r, const char *fmt, ...)
{
    char text[NET_REPEAT_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    double now = td_monotonic();
    bool fresh;
    td_lock_acquire(&r->lock, true, TD_FOREVER);
    size_t i = entry_for(r, text, now, &fresh);
    if (fresh || now - r->entry[i].shown >= 1.0)
        show(r, i, r->entry[i].folded + 1, now);
    else
        r->entry[i].folded++;
    td_lock_release(&r->lock);
}

double net_repeats_due(net_repeats_t *r)
{
    double due = -1, now = td_monotonic();
    td_lock_acquire(&r->lock, true, TD_FOREVER);
    for (size_t i = 0; i < NET_REPEATS; i++) {
        if (r->entry[i].folded == 0)
            continue;
        double left = r->entry[i].shown + 1.0 - now;
        left = left < 0 ? 0 : left;
        due = due < 0 || left < due ? left : due;
    }
    td_lock_release(&r->lock);
    return due;
}

void net_repeats_flush(net_repeats_t *r, bool all)
{
    double now = td_monotonic();
    td_lock_acquire(&r->lock, true, TD_FOREVER);
    for (size_t i = 0; i < NET_REPEATS; i++)
        if (r->entry[i].folded > 0 && (all || now - r->entry[i].shown >= 1.0))
            show(r, i, r->entry[i].folded, now);
    td_lock_release(&r->lock);
}

void net_print_bytes(const char *prefix, const unsigned char *data, size_t len)
{
    if (len > 0 && data[len - 1] == '\n')
        len -= len > 1 && data[len - 2] == '\r' ? 2 : 1;
    char *text = malloc(4 * len + 1);
    if (!text)
        return;
    net_backslashreplace(data, len, text);
    td_print("%s%s", prefix, text);
    free(text);
}

/* ---- connection slots ----------------------------------------------------------------- */

int net_slots_init(net_slots_t *slots, size_t n)
{
    td_lock_init(&slots->lock);
    td_cond_init(&slots->ended, &slots->lock);
    net_repeats_init(&slots->repeats);
    slots->spare_fd = net_spare_fd();
    slots->slot = calloc(n, sizeof *slots->slot);
    slots->n = slots->slot ? n : 0;
    slots->refused = 0;
    return slots->slot ? 0 : -ENOMEM;
}

/* A free slot marked active, or NULL. */
static net_slot_t *take(net_slots_t *slots)
{
    net_slot_t *found = NULL;
    td_lock_acquire(&slots->lock, true, TD_FOREVER);
    for (size_t i = 0; i < slots->n && !found; i++)
        if (!slots->slot[i].active)
            found = &slots->slot[i];
    if (found)
        found->active = true;
    td_lock_release(&slots->lock);
    return found;
}

net_slot_t *net_slots_accept(net_slots_t *slots, int listen_fd, const net_stop_t *stop)
{
    for (;;) {
        char peer[96];
        int fd = net_accept(listen_fd, peer, sizeof peer, stop, &slots->spare_fd, &slots->repeats);
        if (fd == -ECANCELED)
            return NULL;
        net_slot_t *slot = fd < 0 ? NULL : take(slots);
        if (slot) {
            slot->fd = fd;
            snprintf(slot->peer, sizeof slot->peer, "%s", peer);
            return slot;
        }
        if (fd >= 0) {
            close(fd);
            net_say_refused(&slots->repeats, slots->n);
        }
        if (fd >= 0 || fd == -EMFILE)
            slots->refused++;
    }
}

void net_slots_release(net_slots_t *slots, net_slot_t *slot)
{
    close(slot->fd);
    td_lock_acquire(&slots->lock, true, TD_FOREVER);
    slot->active = false;
    td_cond_notify_all(&slots->ended);
    td_lock_release(&slots->lock);
}

void net_slots_wait_idle(net_slots_t *slots)
{
    td_lock_acquire(&slots->lock, true, TD_FOREVER);
    for (size_t i = 0; i < slots->n; i++)
        while (slots->slot[i].active)
            td_cond_wait(&slots->ended, TD_FOREVER);
    td_lock_release(&slots->lock);
}

void net_slots_free(net_slots_t *slots)
{
    net_slots_wait_idle(slots);
    free(slots->slot);
    slots->slot = NULL;
    slots->n = 0;
    net_repeats_flush(&slots->repeats, true);
    if (slots->spare_fd >= 0)
        close(slots->spare_fd);
    slots->spare_fd = -1;
}

void net_format_peer(const struct sockaddr_storage *addr, char *buf, size_t size)
{
    char host[INET6_ADDRSTRLEN];
    if (addr->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)addr;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        snprintf(buf, size, "('%s', %u, %u, %u)", host, ntohs(a->sin6_port),
                 ntohl(a->sin6_flowinfo), a->sin6_scope_id);
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)addr;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        snprintf(buf, size, "('%s', %u)", host, ntohs(a->sin_port));
    }
}

size_t net_backslashreplace(const unsigned char *data, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = td__utf8_length(data + i, len - i);
        if (n == 0) {
            o += (size_t)sprintf(out + o, "\\x%02x", data[i]);
            i++;
        } else {
            memcpy(out + o, data + i, n);
            o += n;
            i += n;
        }
    }
    out[o] = '\0';
    return o;
}
