/* calendar.c — binary min-heap keyed by (time, seq): the cold paths. */
#include "sim/calendar.h"

#include <stdlib.h>

void
calendar_init(struct calendar *c)
{
    c->heap = NULL;
    c->n = c->cap = 0;
    c->has_front = 0;
}

void
calendar_fini(struct calendar *c)
{
    free(c->heap);
    calendar_init(c);
}

int
calendar_grow(struct calendar *c)
{
    size_t cap = c->cap ? 2 * c->cap : 64;
    struct event *h = realloc(c->heap, cap * sizeof *h);
    if (!h)
        return -1;
    c->heap = h;
    c->cap = cap;
    return 0;
}
