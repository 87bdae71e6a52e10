/*
 * engine.c — the HI model on the DES kernel.
 *
 * Events and what they do:
 *
 *   start(i)        device begins the S-ML on sample i; sml_done at +τed
 *   sml_done(i)     the policy decides; an accepted sample is answered; an
 *                   offloaded one joins the batch's transmission.  At the
 *                   end of a batch the transmission leaves (uplink FIFO).
 *                   The next sample starts now, unless the policy waits
 *                   for feedback: then the batch's feedback starts it.
 *   tx_arrive(i)    the transmission whose first sample is i reaches the
 *                   server; its samples join the server's FIFO queue
 *   server_done(i)  the L-ML answered sample i; the answer reaches the
 *                   device after the downlink delay
 *   feedback(b)     every outcome of the batch starting at sample b is
 *                   known at the device; the policy learns from them
 *
 * Samples live in a ring indexed by idx from the oldest sample not yet
 * retired; a sample is retired (logged, counted) in idx order once it is
 * answered and its batch's feedback was delivered, so memory is bounded
 * by the samples in flight, not by the run length.
 */
#include "sim/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "policies/policy.h"
#include "sim/kernel.h"
#include "sim/regret.h"
#include "sim/rng.h"
#include "traces/cost.h"

#define NONE ((size_t)-1)

struct job {
    size_t row;
    double p;
    double q_off;
    double t_start;
    double response;
    double cost;
    size_t next;          /* next sample of the same transmission, or NONE */
    size_t pending;       /* on a batch's first sample: offloads not answered */
    unsigned char offload;
    unsigned char answered;
    unsigned char fed;
};

struct model {
    const struct hi_config *cfg;
    const struct hi_trace *tr;
    struct hi_policy *policy;
    struct hi_cost cost;
    gsl_rng *rng_order;
    gsl_rng *rng_policy;
    int waits;
    size_t n, M;

    /* times, seconds */
    double tau_ed, tau_es, tau_nw, downlink, rate_bps;

    /* sample source */
    size_t *perm;         /* shuffle order of the current epoch */

    /* samples in flight: ring over [head, head + cap) */
    struct job *jobs;
    size_t cap, head, next_idx;

    /* the batch being decided */
    size_t batch_first, tx_first, tx_last;
    double tx_bytes;

    /* uplink and server */
    double link_free;
    size_t *queue;        /* server FIFO of sample idx */
    size_t q_cap, q_head, q_len;
    int server_busy;

    struct hi_outcome *outcomes;   /* scratch for one batch */

    /* results */
    engine_record_fn on_record;
    void (*on_progress)(void *ctx, size_t done, size_t total);
    void *ctx;
    int failed;
    volatile sig_atomic_t *interrupt;
    uint64_t next_poll;   /* the event count of the next poll of interrupt */
    int interrupted;
    struct engine_result *res;
    double *responses;
    struct regret regret; /* hindsight optimum, updated in decision order */
    size_t next_checkpoint;
    double tx_seconds;
    size_t relevant, relevant_kept;   /* relevant samples, and those offloaded */
};

static void ev_start(struct kernel *k, void *obj, size_t idx);
static void ev_sml_done(struct kernel *k, void *obj, size_t idx);
static void ev_tx_arrive(struct kernel *k, void *obj, size_t idx);
static void ev_server_done(struct kernel *k, void *obj, size_t idx);
static void ev_feedback(struct kernel *k, void *obj, size_t first);

/* cap is a power of two (1024, doubled as needed) */
static inline struct job *
job(struct model *m, size_t idx)
{
    return &m->jobs[idx & (m->cap - 1)];
}

/* Makes room for sample idx in the ring, doubling it when full. */
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

/* Fisher–Yates shuffle of 0..n-1 with the order stream. */
static void
shuffle(struct model *m)
{
    size_t n = m->tr->n, i;
    for (i = 0; i < n; i++)
        m->perm[i] = i;
    for (i = n - 1; i > 0; i--) {
        size_t j = (size_t)gsl_rng_uniform_int(m->rng_order, i + 1);
        size_t t = m->perm[i];
        m->perm[i] = m->perm[j];
        m->perm[j] = t;
    }
}

/* The trace row of sample idx: sequential (wrapping), shuffled afresh
 * every pass, or drawn i.i.d. (bootstrap). */
static size_t
next_row(struct model *m, size_t idx)
{
    size_t n = m->tr->n;
    switch (m->cfg->trace.order) {
    case ORDER_SHUFFLE:
        if (idx % n == 0)
            shuffle(m);
        return m->perm[idx % n];
    case ORDER_BOOTSTRAP:
        return (size_t)gsl_rng_uniform_int(m->rng_order, n);
    default:
        return idx % n;
    }
}

static int
is_batch_end(const struct model *m, size_t idx)
{
    return (idx + 1) % m->M == 0 || idx + 1 == m->n;
}

/* The checkpoint after t samples: about 200 log-spaced points from 1 to
 * n, always ending at n. */
static size_t
checkpoint_after(size_t t, size_t n)
{
    double step = pow((double)n, 1.0 / 239.0);  /* ~200 distinct points after rounding */
    size_t next = (size_t)ceil((double)t * step);
    if (next <= t)
        next = t + 1;
    return next < n ? next : n;
}

static void
checkpoint(struct model *m)
{
    struct engine_curves *c = &m->res->curves;
    double best = regret_best(&m->regret, NULL);
    if (c->n < ENGINE_MAX_POINTS) {
        c->t[c->n] = (double)(m->head + 1);
        c->expected[c->n] = m->res->expected_cost;
        c->cost[c->n] = m->res->total_cost;
        c->best[c->n] = best;
        c->regret[c->n] = m->res->expected_cost - best;
        c->n++;
    }
    m->next_checkpoint = checkpoint_after(m->head + 1, m->n);
}

/* Retires answered and fed samples from the head of the ring, in order. */
static void
retire(struct model *m)
{
    while (m->head < m->next_idx) {
        struct job *j = job(m, m->head);
        struct engine_result *r = m->res;
        const struct hi_trace *tr = m->tr;
        if (!j->answered || !j->fed)
            break;
        r->correct += cost_correct(&m->cost, tr, j->row, j->offload);
        if (tr->relevant && tr->relevant[j->row]) {
            m->relevant++;
            m->relevant_kept += j->offload;
        }
        r->offloaded += j->offload;
        r->total_cost += j->cost;
        r->expected_cost += j->q_off * cost_offload(&m->cost, tr, j->row)
                          + (1.0 - j->q_off) * cost_accept(&m->cost, tr, j->row);
        m->responses[m->head] = j->response;
        regret_add(&m->regret, j->row);
        if (m->head + 1 == m->next_checkpoint)
            checkpoint(m);
        if (m->on_record && !m->failed) {
            struct engine_record rec;
            rec.idx = m->head;
            rec.row = j->row;
            rec.id = trace_id(tr, j->row);
            rec.p = j->p;
            rec.q_off = j->q_off;
            rec.offload = j->offload;
            rec.y_sml = tr->y_sml[j->row];
            rec.y_lml = tr->y_lml[j->row];
            rec.cost = j->cost;
            rec.response_s = j->response;
            if (m->on_record(m->ctx, &rec))
                m->failed = 1;
        }
        m->head++;
        if (m->on_progress && (m->head & 0xFFFF) == 0)
            m->on_progress(m->ctx, m->head, m->n);
    }
}

static void
ev_start(struct kernel *k, void *obj, size_t idx)
{
    struct model *m = obj;
    struct job *j;
    if (m->interrupt && k->events >= m->next_poll) {
        m->next_poll = k->events + 65536;
        if (*m->interrupt) {
            m->interrupted = 1;
            kernel_stop(k);
            return;
        }
    }
    if (ring_reserve(m, idx)) {
        m->failed = 1;
        kernel_stop(k);
        return;
    }
    j = job(m, idx);
    memset(j, 0, sizeof *j);
    j->row = next_row(m, idx);
    j->p = m->tr->sml_conf[j->row];
    j->t_start = k->now;
    j->next = NONE;
    m->next_idx = idx + 1;
    if (idx % m->M == 0) {
        m->batch_first = idx;
        m->tx_first = m->tx_last = NONE;
        m->tx_bytes = 0.0;
    }
    kernel_after(k, m->tau_ed, ev_sml_done, m, idx);
}

static double
sample_bytes(const struct model *m, size_t row)
{
    return m->tr->bytes ? m->tr->bytes[row] : m->cfg->network.bytes;
}

static void
ev_sml_done(struct kernel *k, void *obj, size_t idx)
{
    struct model *m = obj;
    struct job *j = job(m, idx);
    struct hi_sample s;
    enum hi_choice a;

    s.t = idx;
    s.row = j->row;
    s.p = j->p;
    s.trace = m->tr;
    a = policy_decide(m->policy, &s, &j->q_off);
    j->offload = a == HI_OFFLOAD;
    if (j->offload) {
        j->cost = cost_offload(&m->cost, m->tr, j->row);
        if (m->tx_last == NONE)
            m->tx_first = idx;
        else
            job(m, m->tx_last)->next = idx;
        m->tx_last = idx;
        m->tx_bytes += sample_bytes(m, j->row);
        job(m, m->batch_first)->pending++;
    } else {
        j->cost = cost_accept(&m->cost, m->tr, j->row);
        j->answered = 1;
        j->response = k->now - j->t_start;
    }

    if (is_batch_end(m, idx)) {
        size_t first = m->batch_first;
        if (m->tx_first != NONE) {
            /* one transmission for the batch: FIFO on the uplink, then τnw */
            double tx = m->tx_bytes * 8.0 / m->rate_bps;
            double begin = m->link_free > k->now ? m->link_free : k->now;
            m->link_free = begin + tx;
            m->tx_seconds += tx;
            m->res->transmissions++;
            kernel_at(k, m->link_free + m->tau_nw, ev_tx_arrive, m, m->tx_first);
        } else {
            kernel_at(k, k->now, ev_feedback, m, first);
        }
        if (!m->waits && idx + 1 < m->n)
            kernel_at(k, k->now, ev_start, m, idx + 1);
    } else {
        kernel_at(k, k->now, ev_start, m, idx + 1);
    }
}

static void
server_next(struct kernel *k, struct model *m)
{
    size_t idx;
    if (m->q_len == 0) {
        m->server_busy = 0;
        return;
    }
    idx = m->queue[m->q_head];
    m->q_head = (m->q_head + 1) % m->q_cap;
    m->q_len--;
    m->server_busy = 1;
    kernel_after(k, m->tau_es, ev_server_done, m, idx);
}

static void
ev_tx_arrive(struct kernel *k, void *obj, size_t idx)
{
    struct model *m = obj;
    for (; idx != NONE; idx = job(m, idx)->next) {
        if (m->q_len == m->q_cap) {
            size_t cap = m->q_cap * 2, i;
            size_t *q = malloc(cap * sizeof *q);
            if (!q) {
                m->failed = 1;
                kernel_stop(k);
                return;
            }
            for (i = 0; i < m->q_len; i++)
                q[i] = m->queue[(m->q_head + i) % m->q_cap];
            free(m->queue);
            m->queue = q;
            m->q_cap = cap;
            m->q_head = 0;
        }
        m->queue[(m->q_head + m->q_len) % m->q_cap] = idx;
        m->q_len++;
    }
    if (!m->server_busy)
        server_next(k, m);
}

static void
ev_server_done(struct kernel *k, void *obj, size_t idx)
{
    struct model *m = obj;
    struct job *j = job(m, idx);
    size_t first = idx - idx % m->M;
    j->answered = 1;
    j->response = k->now + m->downlink - j->t_start;
    if (--job(m, first)->pending == 0)
        kernel_at(k, k->now + m->downlink, ev_feedback, m, first);
    server_next(k, m);
}

static void
ev_feedback(struct kernel *k, void *obj, size_t first)
{
    struct model *m = obj;
    size_t last = first + m->M < m->n ? first + m->M : m->n;
    size_t i, c = 0;
    for (i = first; i < last; i++) {
        struct job *j = job(m, i);
        struct hi_outcome *o = &m->outcomes[c++];
        o->t = i;
        o->row = j->row;
        o->p = j->p;
        o->offloaded = j->offload;
        o->q_off = j->q_off;
        o->y_sml = m->tr->y_sml[j->row];
        o->y_lml = m->tr->y_lml[j->row];
        o->cost_accept = cost_accept(&m->cost, m->tr, j->row);
        o->cost_offload = cost_offload(&m->cost, m->tr, j->row);
        j->fed = 1;
    }
    policy_feedback(m->policy, m->outcomes, c);
    retire(m);
    if (m->waits && last < m->n)
        kernel_at(k, k->now, ev_start, m, last);
}

static int
build(struct model *m, const struct hi_config *cfg, const struct hi_trace *tr,
      const struct hi_policy_type *type, struct engine_result *res, struct hi_error *err)
{
    struct hi_policy_env env;

    m->cfg = cfg;
    m->tr = tr;
    m->res = res;
    m->cost.beta = cfg->cost.beta;
    m->cost.lml_error = cfg->cost.lml_error;
    m->cost.model = cfg->cost.model;
    if (m->cost.model == COST_FILTER && !tr->relevant)
        return error_set(err, HI_EINPUT, "cost.model: 'filter' needs a trace with a 'relevant' column; %s has none",
                         tr->path ? tr->path : "the trace");
    m->n = cfg->trace.samples ? cfg->trace.samples : tr->n;
    m->M = cfg->policy.batch;
    if (!type)
        return error_set(err, HI_EINPUT, "policy.name: unknown policy '%s'", cfg->policy.name);
    if (m->M == 0)
        return error_set(err, HI_EINPUT, "policy.batch: 'auto' must be resolved to M* before the run "
                         "(hisim run does; batchsize_resolve)");
    m->waits = (type->flags & POLICY_WAITS_FEEDBACK) != 0;
    m->tau_ed = cfg->device.tau_ed_ms * 1e-3;
    m->tau_es = cfg->server.tau_es_ms * 1e-3;
    m->tau_nw = cfg->network.delay_ms * 1e-3;
    m->downlink = cfg->network.downlink_ms * 1e-3;
    m->rate_bps = cfg->network.rate_mbps * 1e6;

    m->rng_order = rng_stream(cfg->seed, RNG_ORDER);
    m->rng_policy = rng_stream(cfg->seed, RNG_POLICY);
    m->cap = 1024;
    m->jobs = malloc(m->cap * sizeof *m->jobs);
    m->q_cap = 1024;
    m->queue = malloc(m->q_cap * sizeof *m->queue);
    m->outcomes = malloc((m->M < m->n ? m->M : m->n) * sizeof *m->outcomes);
    m->responses = malloc(m->n * sizeof *m->responses);
    m->next_checkpoint = 1;
    if (cfg->trace.order == ORDER_SHUFFLE)
        m->perm = malloc(tr->n * sizeof *m->perm);
    if (!m->rng_order || !m->rng_policy || !m->jobs || !m->queue || !m->outcomes
        || !m->responses || regret_init(&m->regret, tr, &m->cost) || (cfg->trace.order == ORDER_SHUFFLE && !m->perm))
        return error_set(err, HI_EINTERNAL, "out of memory (%zu samples)", m->n);

    env.trace = tr;
    env.cost = m->cost;
    env.n = m->n;
    env.theta = cfg->policy.theta;
    env.eta = cfg->policy.eta;
    env.batch = m->M;
    env.rng = m->rng_policy;
    m->policy = policy_new(type, &env, err);
    if (!m->policy)
        return err ? err->status : HI_EINTERNAL;
    snprintf(res->policy, sizeof res->policy, "%s", type->name);
    if (type->describe)
        type->describe(m->policy->state, res->policy_desc, sizeof res->policy_desc);
    return HI_OK;
}

static void
teardown(struct model *m)
{
    policy_free(m->policy);
    if (m->rng_order)
        gsl_rng_free(m->rng_order);
    if (m->rng_policy)
        gsl_rng_free(m->rng_policy);
    free(m->jobs);
    free(m->queue);
    free(m->outcomes);
    free(m->responses);
    regret_fini(&m->regret);
    free(m->perm);
}

/* Rearranges a[0..n) so that a[k] is the k-th smallest, smaller ones
 * before it and larger after (Hoare's selection, median-of-three
 * pivots): O(n) on average, where a full sort is O(n log n). */
static double
select_kth(double *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
        double x = a[lo], y = a[mid], z = a[hi], pivot;
        pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        while (i <= j) {
            double t;
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return a[k];
}

/* The q-quantile with linear interpolation between order statistics
 * (what gsl_stats_quantile_from_sorted_data gives on sorted data). */
static double
quantile(double *a, size_t n, double q)
{
    double pos = q * (double)(n - 1), lo_v, hi_v;
    size_t lo = (size_t)floor(pos), i;
    lo_v = select_kth(a, n, lo);
    if (lo + 1 >= n)
        return lo_v;
    hi_v = a[lo + 1];
    for (i = lo + 2; i < n; i++)      /* the next order statistic: the
                                       * smallest of the upper part */
        if (a[i] < hi_v)
            hi_v = a[i];
    return lo_v + (pos - (double)lo) * (hi_v - lo_v);
}

static void
finish(struct model *m, const struct kernel *k)
{
    struct engine_result *r = m->res;
    const struct hi_config *cfg = m->cfg;
    size_t n = m->n;

    r->n = n;
    r->batch = m->M;
    r->system_time_s = k->now / (double)n;
    r->events = k->events;
    r->makespan_s = k->now;
    r->accuracy = (double)r->correct / (double)n;
    r->offload_fraction = (double)r->offloaded / (double)n;
    r->mean_cost = r->total_cost / (double)n;
    r->mean_response_s = gsl_stats_mean(m->responses, 1, n);
    r->p95_response_s = quantile(m->responses, n, 0.95);
    r->energy_mj = (double)n * cfg->device.energy_sml_mj
                 + (double)r->offloaded * cfg->device.energy_offload_mj
                 + cfg->device.tx_power_w * m->tx_seconds * 1e3;
    r->best_cost = regret_best(&m->regret, &r->best_theta);
    r->regret = r->expected_cost - r->best_cost;
    /* the two sums add the same costs in different orders: a difference
     * within their rounding is no regret */
    if (fabs(r->regret) <= 1e-12 * (double)n)
        r->regret = 0.0;
    r->lambda_min = cost_lambda_min(m->tr);
    r->relevant_recall = m->tr->relevant && m->relevant ? (double)m->relevant_kept / (double)m->relevant : NAN;
}

int
engine_run(const struct hi_config *cfg, const struct hi_trace *trace,
           const struct engine_hooks *hooks,
           struct engine_result *res, struct hi_error *err)
{
    const struct hi_policy_type *type;
    struct model m;
    struct kernel k;
    int rc;

    memset(&m, 0, sizeof m);
    memset(res, 0, sizeof *res);
    if (hooks) {
        m.on_record = hooks->on_record;
        m.on_progress = hooks->on_progress;
        m.ctx = hooks->ctx;
        m.interrupt = hooks->interrupt;
    }
    type = hooks && hooks->policy ? hooks->policy : policy_lookup(cfg->policy.name);
    rc = build(&m, cfg, trace, type, res, err);
    if (rc) {
        teardown(&m);
        return rc;
    }
    kernel_init(&k);
    kernel_at(&k, 0.0, ev_start, &m, 0);
    if (kernel_run(&k))
        m.failed = 1;
    if (!m.failed && m.interrupted) {
        size_t total = m.n;
        m.n = m.head;  /* the figures of the samples retired so far */
        if (m.n)
            finish(&m, &k);
        res->interrupted = 1;
        if (m.on_progress)
            m.on_progress(m.ctx, total, total);
        kernel_fini(&k);
        teardown(&m);
        return error_set(err, HI_EINTR, "interrupted after %zu of %zu samples", res->n, total);
    }
    if (!m.failed && m.head != m.n)
        m.failed = 1;  /* every sample must be retired */
    if (!m.failed)
        finish(&m, &k);
    if (m.on_progress)
        m.on_progress(m.ctx, m.head, m.n);
    kernel_fini(&k);
    teardown(&m);
    if (m.failed)
        return error_set(err, HI_EINTERNAL, "run failed: out of memory or a write error");
    return HI_OK;
}
