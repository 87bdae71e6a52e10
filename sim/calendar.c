/* calendar.c — binary min-heap keyed by (time, seq). */
#include "sim/calendar.h"

#include <stdlib.h>

static inline int
before(const struct event *a, const struct event *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

void
calendar_init(struct calendar *c)
{
    c->heap = NULL;
    c->n = c->cap = 0;
}

void
calendar_fini(struct calendar *c)
{
    free(c->heap);
    calendar_init(c);
}

int
calendar_push(struct calendar *c, const struct event *e)
{
    size_t i;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct event *h = realloc(c->heap, cap * sizeof *h);
        if (!h)
            return -1;
        c->heap = h;
        c->cap = cap;
    }
    /* sift up: move the hole toward the root while the parent is later */
    i = c->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(e, &c->heap[parent]))
            break;
        c->heap[i] = c->heap[parent];
        i = parent;
    }
    c->heap[i] = *e;
    return 0;
}

int
calendar_pop(struct calendar *c, struct event *e)
{
    struct event last;
    size_t i, n;
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
        if (child + 1 < n && before(&c->heap[child + 1], &c->heap[child]))
            child++;
        if (!before(&c->heap[child], &last))
            break;
        c->heap[i] = c->heap[child];
        i = child;
    }
    c->heap[i] = last;
    return 0;
}
