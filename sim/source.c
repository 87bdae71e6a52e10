/*
 * source.c — arrival processes: when a sample enters a device
 * (arrivals.process; docs/system-model.md "Arrivals").
 *
 *   closed       the device takes its next sample when it is free: the
 *                previous decision is taken (000 §3, 002's HI loop)
 *   blocking     the same, but a batch starts only when the previous
 *                batch's answers are known (000 §5, 001 eq. (3))
 *   periodic     sample t of a device arrives at t·period
 *   poisson      exponential gaps of mean 1/rate, from the device's own
 *                arrivals stream; the first arrival after one gap
 *   trace        sample t arrives at the trace's t_arrival of row t
 *                (every device replays the same times, from row 0)
 *   all-at-once  every sample is there at t = 0 (makespan problems)
 *
 * Which row a device's sample t reads (trace.order): sequential from the
 * device's offset (device d of N starts at row ⌊d·n/N⌋), a fresh shuffle
 * of the device's own order stream on every pass, or bootstrap draws.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "sim/model.h"

static void ev_arrival(struct kernel *k, void *obj, size_t dev);

int
source_init(struct model *m, struct device *d)
{
    size_t n = m->tr->n;
    /* trace arrivals replay t_arrival from the first row on every device */
    d->offset = m->n_dev > 1 && d->cfg->arrivals.process != ARRIVALS_TRACE
        ? (size_t)((double)d->id * (double)n / (double)m->n_dev) : 0;
    if (d->cfg->trace.order == ORDER_BOOTSTRAP) {
        rng_uint_init(&d->boot, n);
        rng_block_init(&d->order_words, d->rng_order);
        d->ahead = (size_t)rng_block_uint(&d->order_words, &d->boot);
    }
    rng_block_init(&d->arrival_words, d->rng_arrivals);
    if (d->cfg->trace.order == ORDER_SHUFFLE) {
        d->perm = malloc(n * sizeof *d->perm);
        if (!d->perm)
            return -1;
    }
    return 0;
}

/* Fisher–Yates shuffle of 0..n-1 with the device's order stream. */
static void
shuffle(const struct model *m, struct device *d)
{
    size_t n = m->tr->n, i;
    for (i = 0; i < n; i++)
        d->perm[i] = i;
    for (i = n - 1; i > 0; i--) {
        size_t j = (size_t)gsl_rng_uniform_int(d->rng_order, i + 1);
        size_t t = d->perm[i];
        d->perm[i] = d->perm[j];
        d->perm[j] = t;
    }
}

/* Asks the cache for what a sample of row reads (a hint: the rows of a
 * bootstrap are random, and each column is another miss). */
static void
prefetch_row(const struct model *m, size_t row)
{
    const struct hi_trace *tr = m->tr;
    __builtin_prefetch(&tr->sml_conf[row]);
    __builtin_prefetch(&tr->sml_pred[row]);
    __builtin_prefetch(&tr->y_sml[row]);
    __builtin_prefetch(&tr->y_lml[row]);
    __builtin_prefetch(&tr->label[row]);
    if (tr->bytes)
        __builtin_prefetch(&tr->bytes[row]);
    if (tr->sml_p2)
        __builtin_prefetch(&tr->sml_p2[row]);
    regret_prefetch(&m->regret, row);
}

size_t
source_next_row(struct model *m, struct device *d, size_t t)
{
    size_t n = m->tr->n, row;
    switch (d->cfg->trace.order) {
    case ORDER_SHUFFLE:
        if (t % n == 0)
            shuffle(m, d);
        return d->perm[t % n];
    case ORDER_BOOTSTRAP:
        /* the draws of gsl_rng_uniform_int(rng_order, n), one ahead: the
         * next sample's row is in the cache when it comes */
        row = d->ahead;
        d->ahead = (size_t)rng_block_uint(&d->order_words, &d->boot);
        prefetch_row(m, d->ahead);
        return row;
    default:
        return (d->offset + t) % n;
    }
}

/* Makes room for job idx in the ring, doubling it when full. */
static int
ring_reserve(struct model *m, size_t idx)
{
    size_t cap, i;
    struct job *nj;
    if (idx - m->head < m->cap)
        return 0;
    cap = m->cap * 2;
    nj = malloc(cap * sizeof *nj);
    if (!nj)
        return -1;
    for (i = m->head; i < idx; i++)
        nj[i & (cap - 1)] = m->jobs[i & (m->cap - 1)];
    free(m->jobs);
    m->jobs = nj;
    m->cap = cap;
    return 0;
}

static const struct job job_zero;

size_t
source_new_job(struct model *m, struct device *d)
{
    size_t idx = m->next_idx;
    struct job *j;
    assert(d->created < d->n);
    if (ring_reserve(m, idx)) {
        m->failed = 1;
        kernel_stop(m->k);
        return JOB_NONE;
    }
    m->next_idx++;
    j = model_job(m, idx);
    /* the cold part is the offload's (decided); a copy of zeros, as GCC
     * makes a 128-byte memset a `rep stos`, slow to start */
    memcpy(j, &job_zero, JOB_HOT_BYTES);
#ifdef HISIM_POISON_COLD
    /* a check of that rule: `make check CFLAGS='-O2 -DHISIM_POISON_COLD'`
     * fills the cold part with garbage, and the suite must still pass */
    memset((char *)j + JOB_HOT_BYTES, 0xA5, sizeof *j - JOB_HOT_BYTES);
#endif
    j->dev = (uint32_t)d->id;
    j->t = d->created++;
    j->row = source_next_row(m, d, j->t);
    j->p = m->tr->sml_conf[j->row];
    j->t_arrive = m->k->now;
    j->local_pred = -1;
    j->bnext = j->bhead = JOB_NONE;
    /* batches are fixed at entry: M consecutive samples of the device */
    if (d->batch_pos == 0) {
        d->batch_head = idx;
        j->b_pending = 0;
    } else {
        model_job(m, d->batch_last)->bnext = idx;
    }
    d->batch_last = idx;
    if (++d->batch_pos == d->M)
        d->batch_pos = 0;
    j->batch_end = d->batch_pos == 0 || d->created == d->n;
    j->bhead = d->batch_head;
    model_job(m, d->batch_head)->b_pending++;
    return idx;
}

static double
next_gap(struct model *m, struct device *d)
{
    const struct hi_config *c = d->cfg;
    (void)m;
    if (c->arrivals.process == ARRIVALS_PERIODIC)
        return c->arrivals.period_ms * 1e-3;
    return rng_block_exponential(&d->arrival_words, 1.0 / c->arrivals.rate_hz);   /* = gsl_ran_exponential */
}

/* An open arrival: the sample queues at the device. */
static void
arrive(struct model *m, struct device *d)
{
    size_t idx = source_new_job(m, d);
    if (idx == JOB_NONE)
        return;
    /* a decision before any local inference is taken on entry: a sample
     * sent raw never waits for the processor */
    if (d->at_arrival && device_arrival_decision(m, d, idx))
        return;
    if (resource_push(&d->res, m->k->now, idx)) {
        m->failed = 1;
        kernel_stop(m->k);
        return;
    }
    resource_offered(&d->res, m->k->now);
    device_arrived(m, d);
}

static void
schedule_next(struct model *m, struct device *d)
{
    const struct hi_config *c = d->cfg;
    if (d->created >= d->n)
        return;
    switch (c->arrivals.process) {
    case ARRIVALS_PERIODIC:
    case ARRIVALS_POISSON:
        kernel_after(m->k, next_gap(m, d), ev_arrival, m, d->id);
        break;
    case ARRIVALS_TRACE: {
        double t = m->tr->t_arrival[source_next_row(m, d, d->created) % m->tr->n];
        /* the row of the next sample is fixed by sequential order: peek it
         * without consuming a draw (validated: order is sequential) */
        kernel_at(m->k, t > m->k->now ? t : m->k->now, ev_arrival, m, d->id);
        break;
    }
    default:
        break;
    }
}

static void
ev_arrival(struct kernel *k, void *obj, size_t dev)
{
    struct model *m = obj;
    struct device *d = &m->dev[dev];
    (void)k;
    arrive(m, d);
    schedule_next(m, d);
}

void
source_start(struct model *m, struct device *d)
{
    size_t i;
    switch (d->cfg->arrivals.process) {
    case ARRIVALS_CLOSED:
    case ARRIVALS_BLOCKING:
        device_try_start(m, d);     /* jobs are made on demand */
        break;
    case ARRIVALS_PERIODIC:
        kernel_at(m->k, 0.0, ev_arrival, m, d->id);
        break;
    case ARRIVALS_POISSON:
        kernel_after(m->k, next_gap(m, d), ev_arrival, m, d->id);
        break;
    case ARRIVALS_TRACE:
        schedule_next(m, d);
        break;
    case ARRIVALS_ALL_AT_ONCE:
        for (i = 0; i < d->n && !m->failed; i++)
            arrive(m, d);
        break;
    default:
        assert(!"unknown arrival process");
    }
}
