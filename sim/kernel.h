/*
 * kernel.h — the simulation clock and event loop.
 *
 * A kernel owns a calendar and the clock.  Handlers receive the kernel,
 * the object they act on and an integer argument, and schedule further
 * events with kernel_at or kernel_after.  There is no global state: many
 * kernels may run at once in different threads.
 */
#ifndef HISIM_KERNEL_H
#define HISIM_KERNEL_H

#include <assert.h>
#include <signal.h>
#include <stdint.h>
#include "sim/calendar.h"

struct kernel {
    struct calendar cal;
    double now;          /* simulation time, seconds */
    uint64_t seq;        /* next insertion sequence number */
    uint64_t events;     /* events dispatched so far */
    int stopped;
    int failed;          /* set when scheduling ran out of memory */
    volatile sig_atomic_t *interrupt;   /* polled every 65536 events; NULL: none */
    int interrupted;     /* the run stopped because *interrupt was set */
};

void kernel_init(struct kernel *k);
void kernel_fini(struct kernel *k);

/* Schedules fn(k, obj, arg) at absolute time t (t >= now).  Inline: it
 * is the hot path of every model. */
static inline void
kernel_at(struct kernel *k, double t, event_fn fn, void *obj, size_t arg)
{
    struct event e;
    assert(t >= k->now);     /* scheduling into the past is a model bug */
    e.time = t;
    e.seq = k->seq++;
    e.fn = fn;
    e.obj = obj;
    e.arg = arg;
    if (calendar_push(&k->cal, &e))
        k->failed = 1, k->stopped = 1;
}

static inline void
kernel_after(struct kernel *k, double dt, event_fn fn, void *obj, size_t arg)
{
    kernel_at(k, k->now + dt, fn, obj, arg);
}

/* Dispatches events in (time, seq) order until none is left or
 * kernel_stop is called.  Returns 0, or -1 when memory ran out. */
int kernel_run(struct kernel *k);
void kernel_stop(struct kernel *k);

#endif
