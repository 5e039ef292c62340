/* SPDX-License-Identifier: MIT */
/* trace_json_out.c - the JSON writer's bytes: a buffer of BUF_SIZE written to the
 * file descriptor when full (the first write error is kept and stops the rest),
 * strings escaped with invalid UTF-8 replaced and cut to a length, numbers as Python
 * prints them, timestamps in microseconds with three decimals.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/utf8.h"
#include "services/trace_json.h"

void td__json_flush(struct writer *w)
{
    for (size_t done = 0; done < w->len && w->err == 0;) {
        ssize_t n = write(w->fd, w->buf + done, w->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            w->err = n < 0 ? -errno : -EIO;
        else
            done += (size_t)n;
    }
    w->written += w->len;
    w->len = 0;
}

void td__json_put(struct writer *w, const char *s, size_t n)
{
    while (n > 0) {
        if (w->len == BUF_SIZE)
            td__json_flush(w);
        size_t k = BUF_SIZE - w->len < n ? BUF_SIZE - w->len : n;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
    }
}

void td__json_putf(struct writer *w, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    td__json_put(w, text, n < 0 ? 0 : (size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
}

/* The JSON escape of the character at s (n bytes left) into piece: its length;
 * *used: the bytes of s it stands for. Plain characters give 0 (copy them). */
static size_t escape_char(const unsigned char *s, size_t n, char piece[8], size_t *used)
{
    size_t len = td__utf8_length(s, n);
    *used = len ? len : 1;
    if (len == 0) {
        memcpy(piece, "\\ufffd", 6); /* not UTF-8: the replacement character */
        return 6;
    }
    if (s[0] == '"' || s[0] == '\\') {
        piece[0] = '\\';
        piece[1] = (char)s[0];
        return 2;
    }
    if (s[0] < 0x20 || s[0] == 0x7f)
        return (size_t)snprintf(piece, 8, "\\u%04x", s[0]);
    return 0;
}

void td__json_string(struct writer *w, const char *text, size_t len, size_t max)
{
    TD__JSON_PUT(w, "\"");
    const unsigned char *s = (const unsigned char *)text;
    size_t out = 0, i = 0, plain = 0; /* s[plain..i) waits to be copied as it is */
    while (i < len) {
        char piece[8];
        size_t used, plen = escape_char(s + i, len - i, piece, &used);
        size_t grows = plen ? plen : used;
        if (out + grows > max) {
            td__json_put(w, (const char *)s + plain, i - plain);
            TD__JSON_PUT(w, "...");
            plain = i = len;
            break;
        }
        if (plen) {
            td__json_put(w, (const char *)s + plain, i - plain);
            td__json_put(w, piece, plen);
            plain = i + used;
        }
        out += grows;
        i += used;
    }
    td__json_put(w, (const char *)s + plain, i - plain);
    TD__JSON_PUT(w, "\"");
}

void td__json_name(struct writer *w, const char *name)
{
    td__json_string(w, name, strlen(name), NAME_OUT);
}

const char *td__json_float(double x, char buf[40])
{
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, 40, "%.*g", digits, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    if (!strpbrk(buf, ".eni"))
        strcat(buf, ".0");
    return buf;
}

static const char *ts_text(double ts, char buf[40])
{
    long long ns = llround(ts * 1e9);
    snprintf(buf, 40, "%lld.%03lld", ns / 1000, ns % 1000);
    return buf;
}

void td__json_head(struct writer *w, const char *ph, uint32_t pos, double ts)
{
    char t[40];
    td__json_put(w, w->first ? "\n" : ",\n", w->first ? 1 : 2);
    w->first = false;
    td__json_putf(w, "{\"ph\":\"%s\",\"pid\":1,\"tid\":%u,\"ts\":%s", ph, pos + 1, ts_text(ts, t));
}

