// SPDX-License-Identifier: MIT
// headers.cpp - every public header compiles as C++ (11 and 17: ctest builds both)
// and the library is usable from a C++ program: a thread, a lock, an event, a queue.
#include <thrdemo/thrdemo.h>

#include <cstdio>

namespace {

struct Shared {
    td_lock_t lock;
    td_event_t done;
    td_queue_t *queue;
    int count;
};

extern "C" void worker(void *arg)
{
    Shared *s = static_cast<Shared *>(arg);
    for (int i = 0; i < 1000; i++) {
        td_lock_acquire(&s->lock, true, TD_FOREVER);
        s->count++;
        td_lock_release(&s->lock);
    }
    td_queue_put(s->queue, s, true, TD_FOREVER);
    td_event_set(&s->done);
}

} // namespace

int main()
{
    Shared s;
    td_lock_init(&s.lock);
    td_event_init(&s.done);
    s.count = 0;
    if (td_queue_new(&s.queue, 4, nullptr) != 0)
        return 1;
    td_thread_attr_t attr = {};
    attr.target = worker;
    attr.arg = &s;
    attr.name = "cxx-worker";
    td_thread_t *t = nullptr;
    if (td_thread_new(&t, &attr) != 0 || td_thread_start(t) != 0)
        return 1;
    void *item = nullptr;
    int rc = td_queue_get(s.queue, &item, true, TD_FOREVER, nullptr);
    bool set = td_event_wait(&s.done, TD_FOREVER);
    td_thread_join(t, TD_FOREVER);
    char name[32];
    td_thread_get_name(t, name, sizeof name);
    td_thread_free(t);
    td_queue_free(s.queue);
    std::printf("%s counted %d, got %s, event %s\n", name, s.count,
                rc == 0 && item == &s ? "its item" : "nothing", set ? "set" : "clear");
    return s.count == 1000 && rc == 0 && set ? 0 : 1;
}
