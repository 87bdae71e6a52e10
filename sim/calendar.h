/*
 * calendar.h — the future event list: a binary min-heap of events.
 *
 * Events are ordered by (time, sequence): `seq` is a counter the kernel
 * stamps at scheduling time, so events at the same time fire in the order
 * they were scheduled and a run never depends on memory addresses.
 * push and pop are O(log k) for k pending events; the heap grows by
 * doubling.
 *
 * The earliest event may wait in a slot in front of the heap: an event
 * pushed before every pending one goes there, and the next pop returns it
 * without touching the heap.  A model whose next event is usually its
 * own next step (a device running sample after sample while offloads are
 * in flight) thus pays for no sifting; the order is the same (time, seq)
 * order as the heap's.
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
    struct event front;    /* when has_front: before every event of the heap */
    int has_front;
    struct event *heap;
    size_t n, cap;         /* events in the heap (the front not counted) */
};

void calendar_init(struct calendar *c);
void calendar_fini(struct calendar *c);
/* Doubles the heap's capacity; 0, or -1 when memory runs out. */
int calendar_grow(struct calendar *c);

/* push and pop are inline: they are the kernel's inner loop. */

static inline int
calendar_before(const struct event *a, const struct event *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline int
calendar_heap_push(struct calendar *c, const struct event *e)
{
    size_t i;
    if (c->n == c->cap && calendar_grow(c))
        return -1;
    /* sift up: move the hole toward the root while the parent is later */
    i = c->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!calendar_before(e, &c->heap[parent]))
            break;
        c->heap[i] = c->heap[parent];
        i = parent;
    }
    c->heap[i] = *e;
    return 0;
}

/* Adds an event: 0, or -1 when memory runs out.  O(log k). */
static inline int
calendar_push(struct calendar *c, const struct event *e)
{
    if (!c->has_front) {
        if (c->n > 0 && !calendar_before(e, &c->heap[0]))
            return calendar_heap_push(c, e);
        c->front = *e;
        c->has_front = 1;
        return 0;
    }
    if (!calendar_before(e, &c->front))
        return calendar_heap_push(c, e);
    /* e is the new earliest: the old front joins the heap */
    if (calendar_heap_push(c, &c->front))
        return -1;
    c->front = *e;
    return 0;
}

/* Removes the earliest event into *e: 0, or -1 when empty.  O(log k). */
static inline int
calendar_pop(struct calendar *c, struct event *e)
{
    struct event last;
    size_t i, n;
    if (c->has_front) {
        *e = c->front;
        c->has_front = 0;
        return 0;
    }
    if (c->n == 0)
        return -1;
    *e = c->heap[0];
    n = --c->n;
    if (n == 0)
        return 0;
    last = c->heap[n];
    /* sift down the hole at the root */
    i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= n)
            break;
        if (child + 1 < n && calendar_before(&c->heap[child + 1], &c->heap[child]))
            child++;
        if (!calendar_before(&c->heap[child], &last))
            break;
        c->heap[i] = c->heap[child];
        i = child;
    }
    c->heap[i] = last;
    return 0;
}

static inline size_t calendar_size(const struct calendar *c) { return c->n + (size_t)c->has_front; }

#endif
