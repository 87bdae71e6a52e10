/* resource.c — the FIFO and integrals shared by device, link and server. */
#include "sim/resource.h"

#include <stdlib.h>
#include <string.h>

int
resource_init(struct resource *r, unsigned workers)
{
    memset(r, 0, sizeof *r);
    assert(workers >= 1);
    r->workers = workers;
    r->q_cap = 16;
    r->q = malloc(r->q_cap * sizeof *r->q);
    return r->q ? 0 : -1;
}

void
resource_fini(struct resource *r)
{
    free(r->q);
    r->q = NULL;
}

int
resource_push(struct resource *r, double now, size_t job)
{
    resource_advance(r, now);
    if (r->q_len == r->q_cap) {
        size_t cap = r->q_cap * 2, i;
        size_t *q = malloc(cap * sizeof *q);
        if (!q)
            return -1;
        for (i = 0; i < r->q_len; i++)
            q[i] = r->q[(r->q_head + i) & (r->q_cap - 1)];
        free(r->q);
        r->q = q;
        r->q_cap = cap;
        r->q_head = 0;
    }
    r->q[(r->q_head + r->q_len) & (r->q_cap - 1)] = job;
    r->q_len++;
    if (r->q_len > r->q_max)
        r->q_max = r->q_len;
    return 0;
}

double
resource_utilisation(const struct resource *r, double horizon)
{
    double busy = r->busy_area + (double)r->busy * (horizon - r->t_last);
    return horizon > 0.0 ? busy / ((double)r->workers * horizon) : 0.0;
}

double
resource_offered_load(const struct resource *r)
{
    double span = r->last_submit - r->first_submit;
    if (r->submits < 2 || span <= 0.0)
        return 0.0;
    return r->busy_area / ((double)r->workers * span) * (double)(r->submits - 1) / (double)r->submits;
}
