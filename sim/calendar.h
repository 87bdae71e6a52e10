/*
 * calendar.h — the future event list: a binary min-heap of events.
 *
 * Events are ordered by (time, sequence): `seq` is a counter the kernel
 * stamps at scheduling time, so events at the same time fire in the order
 * they were scheduled and a run never depends on memory addresses.
 * push and pop are O(log k) for k pending events; the heap grows by
 * doubling.
 */
#ifndef HISIM_CALENDAR_H
#define HISIM_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

struct kernel;
typedef void (*event_fn)(struct kernel *k, void *obj, size_t arg);

struct event {
    double time;
    uint64_t seq;
    event_fn fn;
    void *obj;
    size_t arg;
};

struct calendar {
    struct event *heap;
    size_t n, cap;
};

void calendar_init(struct calendar *c);
void calendar_fini(struct calendar *c);
/* 0, or -1 when memory runs out. */
int calendar_push(struct calendar *c, const struct event *e);
/* Removes the earliest event into *e; 0, or -1 when empty. */
int calendar_pop(struct calendar *c, struct event *e);

static inline size_t calendar_size(const struct calendar *c) { return c->n; }

#endif
