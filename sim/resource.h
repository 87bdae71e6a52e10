/*
 * resource.h — a resource that serves jobs: K workers and a FIFO queue.
 *
 * The device, the uplink and the edge server are all "a resource that
 * serves jobs" (SimPy's Resource, Cimba's cmb_resource).  This is the
 * bookkeeping they share: the FIFO of waiting job ids, the busy-worker
 * count, and the time integrals that give utilisation and queue length.
 * What a service takes and what happens at its end belongs to the entity
 * (sim/device.c, sim/link.c, sim/server.c), which schedules the kernel.
 *
 * Invariants (asserted): 0 ≤ busy ≤ workers; time never goes backwards.
 * push, pop, start and release are O(1) amortised.
 */
#ifndef HISIM_RESOURCE_H
#define HISIM_RESOURCE_H

#include <assert.h>
#include <stddef.h>

struct resource {
    unsigned workers;        /* K */
    unsigned busy;           /* workers serving now */
    size_t *q;               /* ring of waiting job ids, capacity a power of two */
    size_t q_cap, q_head, q_len;
    double t_last;           /* time of the last change, for the integrals */
    double busy_area;        /* ∫ busy dt: busy worker-seconds */
    double q_area;           /* ∫ queue length dt */
    size_t q_max;
    /* submissions, for the offered load */
    size_t submits;
    double first_submit, last_submit;
};

/* 0, or -1 when memory runs out. */
int resource_init(struct resource *r, unsigned workers);
void resource_fini(struct resource *r);

static inline void
resource_advance(struct resource *r, double now)
{
    assert(now >= r->t_last);
    r->busy_area += (double)r->busy * (now - r->t_last);
    r->q_area += (double)r->q_len * (now - r->t_last);
    r->t_last = now;
}

/* Counts a new job offered to the resource at `now` (for the offered
 * load), whether it queues or starts at once. */
static inline void
resource_offered(struct resource *r, double now)
{
    if (r->submits++ == 0)
        r->first_submit = now;
    r->last_submit = now;
}

/* Appends job to the queue: 0, or -1 when memory runs out. */
int resource_push(struct resource *r, double now, size_t job);

static inline size_t
resource_peek(const struct resource *r)
{
    assert(r->q_len > 0);
    return r->q[r->q_head];
}

/* Removes and returns the oldest waiting job. */
static inline size_t
resource_pop(struct resource *r, double now)
{
    size_t j;
    assert(r->q_len > 0);
    resource_advance(r, now);
    j = r->q[r->q_head];
    r->q_head = (r->q_head + 1) & (r->q_cap - 1);
    r->q_len--;
    return j;
}

static inline int
resource_idle_worker(const struct resource *r)
{
    return r->busy < r->workers;
}

static inline void
resource_start(struct resource *r, double now)
{
    resource_advance(r, now);
    assert(r->busy < r->workers);
    r->busy++;
}

static inline void
resource_release(struct resource *r, double now)
{
    resource_advance(r, now);
    assert(r->busy > 0);
    r->busy--;
}

/* Busy fraction of the workers over [0, horizon]. */
double resource_utilisation(const struct resource *r, double horizon);

/* The offered load: busy worker-seconds per worker-second of the span in
 * which jobs were offered, (jobs − 1)/jobs of it so that a stream of
 * equally spaced jobs each of service S every S reads exactly 1.  Above 1
 * the queue grows with the run length.  0 with fewer than two jobs. */
double resource_offered_load(const struct resource *r);

#endif
