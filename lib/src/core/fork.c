/* SPDX-License-Identifier: MIT */
/* fork.c - the library's mutexes across fork().
 *
 * fork() copies only the thread that calls it: a mutex another thread held at that
 * moment stays locked in the child for good, and the first library call there that
 * needs it hangs (issue 21: a child's td_timer_new naming its timer under the names'
 * mutex). So, as glibc does for malloc and stdio and CPython for its own locks, one
 * pthread_atfork handler takes every guarded mutex before the copy, in slot order
 * (the order the library nests them in, so it cannot deadlock against a thread that
 * holds one and wants a later one), and lets them go after it: the parent unlocks
 * them; the child, where no other thread exists any more, runs each slot's in_child
 * hook and then makes them free (td__mutex_reset_in_child). No thread was inside
 * the state a mutex guards when the process was copied, so the child finds it whole.
 *
 * One handler rather than one per file: one order for all the mutexes, and a
 * mutex that comes and goes (a trace's, while it records) can join and leave.
 * `guards` is guarded by guards_mutex, which the handler holds from before the first
 * mutex until after the last, so a slot cannot be emptied, and its mutex destroyed,
 * while a fork holds it.
 */
#include "core.h"

struct guard {
    pthread_mutex_t *mutex;
    void (*in_child)(void);
};

static pthread_mutex_t guards_mutex = TD__MUTEX_INITIALIZER;
static struct guard guards[TD__FORK_SLOTS]; /* guarded by guards_mutex */
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;

static void take_all(void)
{
    td__mutex_lock(&guards_mutex);
    for (int i = 0; i < TD__FORK_SLOTS; i++)
        if (guards[i].mutex)
            td__mutex_lock(guards[i].mutex);
}

static void release_in_parent(void)
{
    for (int i = TD__FORK_SLOTS - 1; i >= 0; i--)
        if (guards[i].mutex)
            td__mutex_unlock(guards[i].mutex);
    td__mutex_unlock(&guards_mutex);
}

static void free_in_child(void)
{
    for (int i = 0; i < TD__FORK_SLOTS; i++)
        if (guards[i].in_child)
            guards[i].in_child();
    for (int i = TD__FORK_SLOTS - 1; i >= 0; i--)
        if (guards[i].mutex)
            td__mutex_reset_in_child(guards[i].mutex);
    td__mutex_reset_in_child(&guards_mutex);
}

static void install_handler(void)
{
    if (pthread_atfork(take_all, release_in_parent, free_in_child) != 0)
        td__out_of_memory("pthread_atfork, for the library's fork handler");
}

void td__fork_guard(td__fork_slot_t slot, pthread_mutex_t *mutex, void (*in_child)(void))
{
    pthread_once(&handler_once, install_handler);
    td__mutex_lock(&guards_mutex);
    guards[slot] = (struct guard){ mutex, mutex ? in_child : NULL };
    td__mutex_unlock(&guards_mutex);
}

void td__fork_unguard(td__fork_slot_t slot, const pthread_mutex_t *mutex)
{
    td__mutex_lock(&guards_mutex);
    if (guards[slot].mutex == mutex)
        guards[slot] = (struct guard){ NULL, NULL };
    td__mutex_unlock(&guards_mutex);
}
