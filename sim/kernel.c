/* kernel.c — clock and event loop over the calendar. */
#include "sim/kernel.h"

#include <assert.h>

void
kernel_init(struct kernel *k)
{
    calendar_init(&k->cal);
    k->now = 0.0;
    k->seq = 0;
    k->events = 0;
    k->stopped = 0;
    k->failed = 0;
    k->interrupt = NULL;
    k->interrupted = 0;
}

void
kernel_fini(struct kernel *k)
{
    calendar_fini(&k->cal);
}

int
kernel_run(struct kernel *k)
{
    struct event e;
    k->stopped = 0;
    while (!k->stopped && calendar_pop(&k->cal, &e) == 0) {
        k->now = e.time;
        k->events++;
        e.fn(k, e.obj, e.arg);
        if ((k->events & 0xFFFF) == 0 && k->interrupt && *k->interrupt) {
            k->interrupted = 1;
            break;
        }
    }
    return k->failed ? -1 : 0;
}

void
kernel_stop(struct kernel *k)
{
    k->stopped = 1;
}
