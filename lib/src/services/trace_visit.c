/* SPDX-License-Identifier: MIT */
/* trace_visit.c - td_trace_visit: a recording handed to a program as the JSON file
 * shows it, through the view (trace_view.c): the shown tracks in start order, then
 * every shown entry in time order, each with its object's name and, for a wake-up,
 * its cause. The view is built for the visit and freed after it; the strings the
 * visitor gets live until its callback returns.
 */
#include <errno.h>
#include <stdlib.h>

#include "services/trace_internal.h"

static int visit_tracks(td__trace_view_t *v, const td_trace_visitor_t *visitor)
{
    if (!visitor->tracks)
        return 0;
    td_trace_track_t *tracks = malloc((v->n_shown ? v->n_shown : 1) * sizeof *tracks);
    if (!tracks)
        return -ENOMEM;
    for (size_t p = 0; p < v->n_shown; p++) {
        const td__trace_track_t *t = &v->tracks[v->order[p]];
        tracks[p] = (td_trace_track_t){ .name = t->name, .coroutine = t->coroutine };
    }
    int rc = visitor->tracks(tracks, v->n_shown, visitor->ctx);
    free(tracks);
    return rc;
}

/* The entry an item stands for. */
static void entry_of(td__trace_view_t *v, const td__trace_item_t *item, td_trace_entry_t *e)
{
    const td__trace_record_t *rec = td__trace_view_record(v, item);
    bool coro = rec->kind == TD_OBS_CORO_RESUME || rec->kind == TD_OBS_CORO_SUSPEND;
    uint32_t co = coro ? td__trace_view_track(v, rec->extra) : UINT32_MAX;
    *e = (td_trace_entry_t){
        .kind = (td_obs_kind_t)rec->kind,
        .track = td__trace_view_track(v, rec->track),
        .coroutine = co == UINT32_MAX ? SIZE_MAX : co,
        .time = item->ts,
        .seq = item->seq,
        .primitive = td__trace_prim_name(v->trace, rec->prim),
        .object = td__trace_view_object(v, item),
        .result = rec->result,
        .timeout = rec->kind == TD_OBS_WAIT_BEGIN ? rec->aux.timeout : -1,
        .cause = rec->kind == TD_OBS_WAIT_END ? item->cause : 0,
    };
    if (rec->kind == TD_OBS_LINE) {
        e->text = td__trace_view_text(v, rec);
        e->len = e->text ? rec->extra : 0;
    }
}

int td_trace_visit(td_trace_t *trace, const td_trace_visitor_t *visitor)
{
    td__trace_view_t v;
    int rc = td__trace_view_open(&v, trace);
    if (rc == 0)
        rc = visit_tracks(&v, visitor);
    for (size_t i = 0; rc == 0 && visitor->entry && i < v.n_items; i++) {
        const td__trace_item_t *item = &v.items[v.in_time[i]];
        const td__trace_record_t *rec = td__trace_view_record(&v, item);
        if ((item->flags & TD__ITEM_HIDDEN) || td__trace_view_track(&v, rec->track) == UINT32_MAX)
            continue;
        td_trace_entry_t e;
        entry_of(&v, item, &e);
        rc = visitor->entry(&e, visitor->ctx);
    }
    td__trace_view_close(&v);
    return rc;
}
