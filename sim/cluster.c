/* cluster.c — requests on a cluster, as task graphs on FIFO resources (cluster.h). */
#include "sim/cluster.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/kernel.h"
#include "sim/rng.h"

/* ---- workloads ---- */

void
cluster_model_of(struct cluster_model *m, const struct hi_layers *L, const char *name)
{
    m->name = name;
    m->n = L->n;
    m->flops = L->flops;
    m->out_bytes = L->output_bytes;
    m->type = L->type;
    m->in_bytes = L->raw_bytes;
}

int
cluster_workloads_load(struct cluster_workloads *w, const struct cluster_config *cc, struct hi_error *err)
{
    size_t s, k, i, total = 0;
    int rc = HI_OK;
    memset(w, 0, sizeof *w);
    for (s = 0; s < cc->n_streams; s++)
        total += cc->stream[s].n_profiles;
    w->layers = calloc(total, sizeof *w->layers);
    w->model = calloc(total, sizeof *w->model);
    w->name = calloc(total, sizeof *w->name);
    if (!w->layers || !w->model || !w->name) {
        rc = error_set(err, HI_EINTERNAL, "out of memory");
        goto fail;
    }
    for (s = 0; s < cc->n_streams; s++) {
        const struct cluster_stream *st = &cc->stream[s];
        if (!(w->of[s] = calloc(st->n_profiles, sizeof *w->of[s]))) {
            rc = error_set(err, HI_EINTERNAL, "out of memory");
            goto fail;
        }
        for (k = 0; k < st->n_profiles; k++) {
            const char *path = st->profile[k], *base, *meta;
            char *dot;
            for (i = 0; i < w->n && strcmp(w->layers[i].path, path) != 0; i++)
                ;
            if (i == w->n) {
                if ((rc = layers_load(&w->layers[i], path, err)))
                    goto fail;
                w->n++;
                meta = layers_meta(&w->layers[i], "model");
                base = strrchr(path, '/');
                base = base ? base + 1 : path;
                if (!(w->name[i] = strdup(meta && *meta ? meta : base))) {
                    rc = error_set(err, HI_EINTERNAL, "out of memory");
                    goto fail;
                }
                if (!(meta && *meta) && (dot = strrchr(w->name[i], '.')) && dot != w->name[i])
                    *dot = '\0';
                cluster_model_of(&w->model[i], &w->layers[i], w->name[i]);
            }
            w->of[s][k] = i;
        }
    }
    return HI_OK;
fail:
    cluster_workloads_free(w);
    return rc;
}

void
cluster_workloads_free(struct cluster_workloads *w)
{
    size_t i;
    for (i = 0; i < w->n; i++) {
        layers_free(&w->layers[i]);
        free(w->name[i]);
    }
    for (i = 0; i < CLUSTER_MAX_STREAMS; i++)
        free(w->of[i]);
    free(w->layers);
    free(w->model);
    free(w->name);
    memset(w, 0, sizeof *w);
}

int
cluster_plan_for(const struct hi_config *cfg, const struct cluster_config *cc, const struct cluster_workloads *w,
                 size_t k, int strategy, struct cluster_plan *plan, struct hi_error *err)
{
    struct hi_config c2 = *cfg;
    struct cluster_env env;
    struct cluster_costs costs;
    int rc;
    assert(k < w->n);
    c2.cluster.strategy = strategy;
    if ((rc = cluster_env_init(&env, cc, &c2, err)) || (rc = cluster_costs_init(&costs, &env, &w->model[k], err)))
        return rc;
    rc = cluster_plan_make(&costs, plan, err);
    cluster_costs_free(&costs);
    return rc;
}

/* ---- the simulation ---- */

enum task_kind { T_WAIT, T_PROC, T_LINK };

struct task {
    unsigned char kind;
    uint16_t res;                    /* T_PROC, T_LINK: the resource */
    uint32_t npred;                  /* predecessors not yet done */
    uint32_t succ0, nsucc;           /* successors: req->succ[succ0 .. succ0 + nsucc) */
    double dur;                      /* service (T_PROC, T_LINK) or delay (T_WAIT) */
    double prop;                     /* T_LINK: latency after the transmission */
    double flops;                    /* T_PROC: useful FLOPs */
    double start;
};

struct sim;

struct req {
    struct sim *sim;
    size_t stream, workload;
    double arrival;
    uint32_t n, last;                /* tasks; the final one */
    struct task *t;
    uint32_t *succ;
};

struct job {
    struct req *r;
    uint32_t task;
};

struct res {                          /* a FIFO resource: a processor or a link */
    struct job *q;
    size_t head, len, cap;
    int busy;
    struct job cur;
    double busy_s;
};

struct stream_state {
    const struct cluster_stream *cfg;
    gsl_rng *rng;
    size_t sent, count;              /* count: SIZE_MAX = until the horizon */
};

struct sim {
    struct kernel k;
    const struct hi_config *cfg;
    const struct cluster_config *cc;
    const struct cluster_env *env;
    const struct cluster_workloads *w;
    const struct cluster_plan *plan;    /* per workload */
    struct res *res;                    /* n_nodes * CLUSTER_MAX_PROCS processors, then n_nodes links */
    size_t n_res;
    struct stream_state st[CLUSTER_MAX_STREAMS];
    double horizon;
    /* statistics */
    size_t arrived, done;
    double *lat, *lat_x;
    size_t lat_cap;
    double last_done;
    double *model_sum;
    size_t *model_n;
    double bin_w, *bins;
    size_t n_bins;
    int oom;
};

#define RES_PROC(j, p) ((j) * CLUSTER_MAX_PROCS + (p))
#define RES_LINK(s, j) ((s)->env->n_nodes * CLUSTER_MAX_PROCS + (j))

static void ready(struct req *r, uint32_t i);

/* -- building a request's task graph from its plan -- */

struct builder {
    struct task *t;
    size_t n, cap;
    uint32_t (*e)[2];
    size_t ne, cape;
    int oom;
};

static uint32_t
add(struct builder *B, int kind, size_t res, double dur, double prop, double flops)
{
    struct task *t;
    if (B->n == B->cap) {
        size_t c = B->cap ? 2 * B->cap : 32;
        struct task *p = realloc(B->t, c * sizeof *p);
        if (!p) {
            B->oom = 1;
            return 0;
        }
        B->t = p;
        B->cap = c;
    }
    assert(dur >= 0 && prop >= 0);
    t = &B->t[B->n];
    memset(t, 0, sizeof *t);
    t->kind = (unsigned char)kind;
    t->res = (uint16_t)res;
    t->dur = dur;
    t->prop = prop;
    t->flops = flops;
    return (uint32_t)B->n++;
}

static void
edge(struct builder *B, uint32_t from, uint32_t to)
{
    if (B->oom)
        return;
    if (B->ne == B->cape) {
        size_t c = B->cape ? 2 * B->cape : 32;
        uint32_t(*p)[2] = realloc(B->e, c * sizeof *p);
        if (!p) {
            B->oom = 1;
            return;
        }
        B->e = p;
        B->cape = c;
    }
    B->e[B->ne][0] = from;
    B->e[B->ne][1] = to;
    B->ne++;
}

/* after `cur`, a task; returns it */
static uint32_t
then(struct builder *B, uint32_t cur, int kind, size_t res, double dur, double prop, double flops)
{
    uint32_t t = add(B, kind, res, dur, prop, flops);
    edge(B, cur, t);
    return t;
}

/* bytes from node `from` to node `to`: over from's link, then to's (the leader has none) */
static uint32_t
transfer(struct builder *B, const struct sim *s, uint32_t cur, size_t from, size_t to, double bytes)
{
    const struct cluster_env *env = s->env;
    if (from == to)
        return cur;
    if (from != env->leader)
        cur = then(B, cur, T_LINK, RES_LINK(s, from), 8.0 * bytes / env->node[from].link_bps,
                   env->node[from].latency_s, 0);
    if (to != env->leader)
        cur = then(B, cur, T_LINK, RES_LINK(s, to), 8.0 * bytes / env->node[to].link_bps, env->node[to].latency_s,
                   0);
    return cur;
}

static double
block_flops(const struct cluster_model *m, size_t a, size_t b)
{
    double f = 0;
    size_t i;
    for (i = a; i < b; i++)
        f += m->flops[i];
    return f;
}

/* a part's local plan after `cur`; returns its last task */
static uint32_t
local(struct builder *B, const struct sim *s, const struct cluster_model *m, uint32_t cur,
      const struct cluster_part *pt)
{
    const struct cluster_local *L = &pt->local;
    uint32_t join = 0;
    size_t k;
    if (L->mode == CLUSTER_DATA)
        join = add(B, T_WAIT, 0, 0, 0, 0);
    for (k = 0; k < L->n; k++) {
        const struct cluster_stage *st = &L->st[k];
        uint32_t c = cur;
        double f = pt->share * st->share * block_flops(m, st->a, st->b);
        if (st->in > 0)
            c = then(B, c, T_WAIT, 0, pt->scale * st->in, 0, 0);
        c = then(B, c, T_PROC, RES_PROC(pt->node, st->proc), pt->scale * st->run, 0, f);
        if (st->out > 0)
            c = then(B, c, T_WAIT, 0, pt->scale * st->out, 0, 0);
        if (L->mode == CLUSTER_DATA)
            edge(B, c, join);
        else
            cur = c;
    }
    return L->mode == CLUSTER_DATA ? join : cur;
}

static struct req *
build(struct sim *s, size_t stream, size_t workload)
{
    const struct cluster_plan *P = &s->plan[workload];
    const struct cluster_model *m = &s->w->model[workload];
    const struct cluster_env *env = s->env;
    struct builder B;
    struct req *r;
    uint32_t start, cur, end;
    size_t k, i;

    memset(&B, 0, sizeof B);
    start = add(&B, T_WAIT, 0, P->overhead, 0, 0);
    if (P->mode == CLUSTER_MODEL) {
        size_t prev = env->leader;
        cur = start;
        for (k = 0; k < P->n; k++) {
            const struct cluster_part *pt = &P->part[k];
            cur = transfer(&B, s, cur, prev, pt->node, cluster_bytes(m, pt->a));
            cur = local(&B, s, m, cur, pt);
            prev = pt->node;
        }
        cur = transfer(&B, s, cur, prev, env->leader, cluster_bytes(m, m->n));
        end = then(&B, cur, T_WAIT, 0, 0, 0, 0);
    } else {
        end = add(&B, T_WAIT, 0, 0, 0, 0);
        for (k = 0; k < P->n; k++) {
            const struct cluster_part *pt = &P->part[k];
            cur = transfer(&B, s, start, env->leader, pt->node, pt->scale * cluster_bytes(m, 0));
            cur = local(&B, s, m, cur, pt);
            cur = transfer(&B, s, cur, pt->node, env->leader, pt->share * cluster_bytes(m, m->n));
            edge(&B, cur, end);
        }
    }
    r = B.oom ? NULL : malloc(sizeof *r);
    if (r)
        r->succ = malloc((B.ne ? B.ne : 1) * sizeof *r->succ);
    if (!r || !r->succ) {
        free(r);
        free(B.t);
        free(B.e);
        s->oom = 1;
        return NULL;
    }
    r->sim = s;
    r->stream = stream;
    r->workload = workload;
    r->arrival = s->k.now;
    r->n = (uint32_t)B.n;
    r->last = end;
    r->t = B.t;
    /* successor lists in CSR form; predecessors counted */
    for (i = 0; i < B.ne; i++) {
        r->t[B.e[i][0]].nsucc++;
        r->t[B.e[i][1]].npred++;
    }
    {
        uint32_t off = 0;
        for (i = 0; i < B.n; i++) {
            r->t[i].succ0 = off;
            off += r->t[i].nsucc;
            r->t[i].nsucc = 0;
        }
    }
    for (i = 0; i < B.ne; i++) {
        struct task *t = &r->t[B.e[i][0]];
        r->succ[t->succ0 + t->nsucc++] = B.e[i][1];
    }
    free(B.e);
    assert(r->t[start].npred == 0);
    return r;
}

/* -- statistics -- */

static void
bins_add(struct sim *s, double t0, double t1, double flops)
{
    size_t b0 = (size_t)(t0 / s->bin_w), b1 = (size_t)(t1 / s->bin_w), b;
    if (b1 >= s->n_bins) {
        size_t n = b1 + 1 > 2 * s->n_bins ? b1 + 1 : 2 * s->n_bins;
        double *p = realloc(s->bins, n * sizeof *p);
        if (!p) {
            s->oom = 1;
            return;
        }
        memset(p + s->n_bins, 0, (n - s->n_bins) * sizeof *p);
        s->bins = p;
        s->n_bins = n;
    }
    if (t1 <= t0) {
        s->bins[b0] += flops;
        return;
    }
    /* spread uniformly over [t0, t1] */
    for (b = b0; b <= b1; b++) {
        double lo = b * s->bin_w, hi = lo + s->bin_w;
        double x0 = t0 > lo ? t0 : lo, x1 = t1 < hi ? t1 : hi;
        if (x1 > x0)
            s->bins[b] += flops * (x1 - x0) / (t1 - t0);
    }
}

/* -- resources -- */

static void res_end(struct kernel *k, void *obj, size_t arg);

static void
res_start(struct sim *s, size_t i)
{
    struct res *R = &s->res[i];
    struct task *t;
    assert(!R->busy && R->len > 0);
    R->cur = R->q[R->head];
    R->head = (R->head + 1) % R->cap;
    R->len--;
    R->busy = 1;
    t = &R->cur.r->t[R->cur.task];
    t->start = s->k.now;
    kernel_after(&s->k, t->dur, res_end, s, i);
}

static void
res_submit(struct sim *s, size_t i, struct req *r, uint32_t task)
{
    struct res *R = &s->res[i];
    if (R->len == R->cap) {
        size_t c = R->cap ? 2 * R->cap : 8, k;
        struct job *q = malloc(c * sizeof *q);
        if (!q) {
            s->oom = 1;
            kernel_stop(&s->k);
            return;
        }
        for (k = 0; k < R->len; k++)
            q[k] = R->q[(R->head + k) % R->cap];
        free(R->q);
        R->q = q;
        R->head = 0;
        R->cap = c;
    }
    R->q[(R->head + R->len) % R->cap] = (struct job){r, task};
    R->len++;
    if (!R->busy)
        res_start(s, i);
}

static void task_done(struct kernel *k, void *obj, size_t arg);

static void
res_end(struct kernel *k, void *obj, size_t arg)
{
    struct sim *s = obj;
    struct res *R = &s->res[arg];
    struct job j = R->cur;
    struct task *t = &j.r->t[j.task];
    assert(R->busy);
    R->busy = 0;
    R->busy_s += t->dur;
    if (t->kind == T_PROC)
        bins_add(s, t->start, k->now, t->flops);
    if (t->kind == T_LINK && t->prop > 0)
        kernel_after(k, t->prop, task_done, j.r, j.task);
    else
        task_done(k, j.r, j.task);
    if (!R->busy && R->len > 0)
        res_start(s, arg);
}

/* -- requests -- */

static void arrival(struct kernel *k, void *obj, size_t arg);

static int
may_send(const struct sim *s, const struct stream_state *st, double t)
{
    return st->sent < st->count && (s->horizon <= 0 || t < s->horizon);
}

static void
complete(struct sim *s, struct req *r)
{
    struct stream_state *st = &s->st[r->stream];
    double lat = s->k.now - r->arrival;
    if (s->done == s->lat_cap) {
        size_t c = s->lat_cap ? 2 * s->lat_cap : 64;
        double *a = realloc(s->lat, c * sizeof *a), *b;
        if (a)
            s->lat = a;
        b = a ? realloc(s->lat_x, c * sizeof *b) : NULL;
        if (!a || !b) {
            s->oom = 1;
            kernel_stop(&s->k);
            return;
        }
        s->lat_x = b;
        s->lat_cap = c;
    }
    s->lat[s->done] = lat;
    s->lat_x[s->done] = r->arrival;
    s->done++;
    s->last_done = s->k.now;
    s->model_sum[r->workload] += lat;
    s->model_n[r->workload]++;
    if (st->cfg->arrivals == CLUSTER_CLOSED) {
        double t = s->k.now + st->cfg->think_ms * 1e-3;
        if (may_send(s, st, t))
            kernel_at(&s->k, t, arrival, s, r->stream);
    }
    free(r->t);
    free(r->succ);
    free(r);
}

static void
task_done(struct kernel *k, void *obj, size_t arg)
{
    struct req *r = obj;
    struct task *t = &r->t[arg];
    uint32_t i;
    (void)k;
    for (i = 0; i < t->nsucc; i++) {
        uint32_t n = r->succ[t->succ0 + i];
        assert(r->t[n].npred > 0);
        if (--r->t[n].npred == 0)
            ready(r, n);
    }
    if (arg == r->last)
        complete(r->sim, r);
}

static void
ready(struct req *r, uint32_t i)
{
    struct sim *s = r->sim;
    struct task *t = &r->t[i];
    switch (t->kind) {
    case T_WAIT:
        /* The final task frees the request: it runs as an event of its own,
         * never inside a caller that still walks the request's tasks. */
        if (t->dur > 0 || i == r->last)
            kernel_after(&s->k, t->dur, task_done, r, i);
        else
            task_done(&s->k, r, i);
        break;
    default:
        res_submit(s, t->res, r, i);
    }
}

static void
arrival(struct kernel *k, void *obj, size_t arg)
{
    struct sim *s = obj;
    struct stream_state *st = &s->st[arg];
    const struct cluster_stream *c = st->cfg;
    size_t pick, workload;
    struct req *r;
    double next = 0;

    assert(st->sent < st->count);
    pick = c->pick == CLUSTER_RANDOM ? (size_t)gsl_rng_uniform_int(st->rng, c->n_profiles)
                                     : st->sent % c->n_profiles;
    workload = s->w->of[arg][pick];
    st->sent++;
    s->arrived++;
    switch (c->arrivals) {
    case CLUSTER_PERIODIC: next = c->start_ms * 1e-3 + (double)st->sent * c->period_ms * 1e-3; break;
    case CLUSTER_POISSON: next = k->now + gsl_ran_exponential(st->rng, 1.0 / c->rate_hz); break;
    default: break;   /* closed: the next one starts when this one completes */
    }
    if (c->arrivals != CLUSTER_CLOSED && may_send(s, st, next))
        kernel_at(k, next, arrival, s, arg);
    r = build(s, arg, workload);
    if (!r) {
        kernel_stop(k);
        return;
    }
    ready(r, 0);
}

/* -- the run -- */

static int
check_stream(const struct cluster_stream *c, size_t s, double horizon, size_t *count, struct hi_error *err)
{
    if (c->off) {
        *count = 0;
        return HI_OK;
    }
    *count = c->count ? c->count : horizon > 0 ? SIZE_MAX : c->n_profiles;
    if (c->arrivals == CLUSTER_POISSON && !(c->rate_hz > 0))
        return error_set(err, HI_EINPUT, "cluster.requests[%zu]: poisson arrivals need rate_hz > 0", s);
    if (c->arrivals == CLUSTER_PERIODIC && *count > 1 && !(c->period_ms > 0))
        return error_set(err, HI_EINPUT, "cluster.requests[%zu]: periodic arrivals of %s requests need period_ms > 0",
                         s, *count == SIZE_MAX ? "unbounded" : "several");
    return HI_OK;
}

int
cluster_check(const struct hi_config *cfg, const struct cluster_config *cc, struct hi_error *err)
{
    struct cluster_env env;
    size_t i, count;
    if (cluster_env_init(&env, cc, cfg, err))
        return err->status;
    for (i = 0; i < cc->n_streams; i++)
        if (check_stream(&cc->stream[i], i, cfg->cluster.duration_s, &count, err))
            return err->status;
    return HI_OK;
}

int
cluster_run(const struct hi_config *cfg, const struct cluster_config *cc, const struct cluster_workloads *w,
            struct cluster_result *r, struct hi_error *err)
{
    struct sim *s;
    struct cluster_env env;
    size_t i, j, p;
    int rc;

    memset(r, 0, sizeof *r);
    if ((rc = cluster_env_init(&env, cc, cfg, err)))
        return rc;
    if (!(s = calloc(1, sizeof *s)))
        return error_set(err, HI_EINTERNAL, "out of memory");
    s->cfg = cfg;
    s->cc = cc;
    s->env = &env;
    s->w = w;
    s->horizon = cfg->cluster.duration_s;
    s->bin_w = cfg->cluster.bin_ms * 1e-3;
    kernel_init(&s->k);

    /* plans, once per DNN */
    r->plan = calloc(w->n ? w->n : 1, sizeof *r->plan);
    s->model_sum = calloc(w->n ? w->n : 1, sizeof *s->model_sum);
    s->model_n = calloc(w->n ? w->n : 1, sizeof *s->model_n);
    s->n_res = env.n_nodes * (CLUSTER_MAX_PROCS + 1);
    s->res = calloc(s->n_res, sizeof *s->res);
    if (!r->plan || !s->model_sum || !s->model_n || !s->res) {
        rc = error_set(err, HI_EINTERNAL, "out of memory");
        goto out;
    }
    r->n_models = w->n;
    for (i = 0; i < w->n; i++) {
        struct cluster_costs costs;
        if ((rc = cluster_costs_init(&costs, &env, &w->model[i], err)))
            goto out;
        rc = cluster_plan_make(&costs, &r->plan[i], err);
        cluster_costs_free(&costs);
        if (rc)
            goto out;
    }
    s->plan = r->plan;

    /* streams */
    for (i = 0; i < cc->n_streams; i++) {
        struct stream_state *st = &s->st[i];
        st->cfg = &cc->stream[i];
        if ((rc = check_stream(st->cfg, i, s->horizon, &st->count, err)))
            goto out;
        if (!(st->rng = rng_stream(cfg->seed, RNG_CLUSTER + i))) {
            rc = error_set(err, HI_EINTERNAL, "out of memory");
            goto out;
        }
        if (may_send(s, st, st->cfg->start_ms * 1e-3))
            kernel_at(&s->k, st->cfg->start_ms * 1e-3, arrival, s, i);
    }

    if (kernel_run(&s->k) || s->oom) {
        rc = error_set(err, HI_EINTERNAL, "out of memory");
        goto out;
    }
    assert(s->done == s->arrived);

    /* results */
    r->requests = s->arrived;
    r->completed = s->done;
    r->events = s->k.events;
    r->makespan_s = s->last_done;
    r->mean_response_s = r->p95_response_s = NAN;
    if (s->done) {
        double *sorted = malloc(s->done * sizeof *sorted);
        if (!sorted) {
            rc = error_set(err, HI_EINTERNAL, "out of memory");
            goto out;
        }
        memcpy(sorted, s->lat, s->done * sizeof *sorted);
        gsl_sort(sorted, 1, s->done);
        r->mean_response_s = gsl_stats_mean(s->lat, 1, s->done);
        r->p95_response_s = gsl_stats_quantile_from_sorted_data(sorted, 1, s->done, 0.95);
        free(sorted);
    }
    r->throughput = r->makespan_s > 0 ? (double)r->completed / r->makespan_s : NAN;
    r->model_count = calloc(w->n ? w->n : 1, sizeof *r->model_count);
    r->model_mean_s = calloc(w->n ? w->n : 1, sizeof *r->model_mean_s);
    r->unit = calloc(s->n_res, sizeof *r->unit);
    if (!r->model_count || !r->model_mean_s || !r->unit) {
        rc = error_set(err, HI_EINTERNAL, "out of memory");
        goto out;
    }
    for (i = 0; i < w->n; i++) {
        r->model_count[i] = s->model_n[i];
        r->model_mean_s[i] = s->model_n[i] ? s->model_sum[i] / (double)s->model_n[i] : NAN;
    }
    /* energy and utilisation of the nodes taking part */
    {
        double energy = 0, flops = 0;
        for (j = 0; j < env.n_nodes; j++) {
            const struct cluster_node *n = &cc->node[j];
            if (!(env.usable & (1u << j)))
                continue;
            for (p = 0; p < n->n_procs; p++) {
                const struct res *R = &s->res[RES_PROC(j, p)];
                struct cluster_unit_stat *u = &r->unit[r->n_units++];
                snprintf(u->name, sizeof u->name, "%s.%s", n->name, n->proc[p].name);
                u->busy_s = R->busy_s;
                u->util = r->makespan_s > 0 ? R->busy_s / r->makespan_s : 0;
                energy += n->proc[p].idle_w * r->makespan_s + (n->proc[p].active_w - n->proc[p].idle_w) * R->busy_s;
            }
        }
        for (j = 0; j < env.n_nodes; j++) {
            const struct cluster_node *n = &cc->node[j];
            const struct res *R = &s->res[RES_LINK(s, j)];
            struct cluster_unit_stat *u;
            if (!(env.usable & (1u << j)) || j == env.leader)
                continue;
            u = &r->unit[r->n_units++];
            snprintf(u->name, sizeof u->name, "%s.link", n->name);
            u->busy_s = R->busy_s;
            u->util = r->makespan_s > 0 ? R->busy_s / r->makespan_s : 0;
            energy += n->tx_w * R->busy_s;
        }
        r->energy_j = energy;
        /* the series: bins up to the makespan */
        r->n_bins = s->bin_w > 0 ? (size_t)ceil(r->makespan_s / s->bin_w) : 0;
        if (r->n_bins > s->n_bins)
            r->n_bins = s->n_bins;
        r->bin_x = malloc((r->n_bins ? r->n_bins : 1) * sizeof *r->bin_x);
        r->bin_gflops = malloc((r->n_bins ? r->n_bins : 1) * sizeof *r->bin_gflops);
        if (!r->bin_x || !r->bin_gflops) {
            rc = error_set(err, HI_EINTERNAL, "out of memory");
            goto out;
        }
        for (i = 0; i < s->n_bins; i++)
            flops += s->bins[i];
        for (i = 0; i < r->n_bins; i++) {
            r->bin_x[i] = (i + 0.5) * s->bin_w;
            r->bin_gflops[i] = s->bins[i] / s->bin_w / 1e9;
        }
        r->gflops = r->makespan_s > 0 ? flops / r->makespan_s / 1e9 : NAN;
    }
    r->resp_x = s->lat_x;
    r->resp_ms = s->lat;
    for (i = 0; i < s->done; i++)
        r->resp_ms[i] *= 1e3;
    s->lat = s->lat_x = NULL;
    rc = HI_OK;
out:
    kernel_fini(&s->k);
    for (i = 0; i < cc->n_streams; i++)
        if (s->st[i].rng)
            gsl_rng_free(s->st[i].rng);
    for (i = 0; s->res && i < s->n_res; i++)
        free(s->res[i].q);
    free(s->res);
    free(s->lat);
    free(s->lat_x);
    free(s->model_sum);
    free(s->model_n);
    free(s->bins);
    free(s);
    if (rc)
        cluster_result_free(r);
    return rc;
}

void
cluster_result_free(struct cluster_result *r)
{
    free(r->model_count);
    free(r->model_mean_s);
    free(r->unit);
    free(r->bin_x);
    free(r->bin_gflops);
    free(r->resp_x);
    free(r->resp_ms);
    free(r->plan);
    memset(r, 0, sizeof *r);
}

/* ---- what a run reports ---- */

static const char *const fixed_metrics[] = {
    "requests", "completed", "makespan_s", "mean_response_ms", "p95_response_ms", "throughput",
    "inferences_per_100s", "energy_mj", "energy_per_request_mj", "gflops", "events", NULL,
};
static const char *const model_prefixes[] = {"mean_response_ms.", "requests.", "plan_ms.", NULL};

size_t
cluster_n_metrics(const struct cluster_result *r)
{
    return sizeof fixed_metrics / sizeof fixed_metrics[0] - 1 + 3 * r->n_models + r->n_units;
}

static void
metric(struct cluster_metric *m, size_t *k, const char *prefix, const char *name, double v)
{
    snprintf(m[*k].name, sizeof m[*k].name, "%s%s", prefix, name);
    m[*k].value = v;
    (*k)++;
}

size_t
cluster_metrics(const struct cluster_result *r, const struct cluster_workloads *w, struct cluster_metric *m)
{
    size_t k = 0, i;
    const double v[] = {
        (double)r->requests, (double)r->completed, r->makespan_s, r->mean_response_s * 1e3, r->p95_response_s * 1e3,
        r->throughput, r->throughput * 100, r->energy_j * 1e3,
        r->completed ? r->energy_j * 1e3 / (double)r->completed : NAN, r->gflops, (double)r->events,
    };
    assert(sizeof v / sizeof v[0] == sizeof fixed_metrics / sizeof fixed_metrics[0] - 1);
    assert(r->n_models == w->n);
    for (i = 0; fixed_metrics[i]; i++)
        metric(m, &k, "", fixed_metrics[i], v[i]);
    for (i = 0; i < r->n_models; i++) {
        metric(m, &k, model_prefixes[0], w->name[i], r->model_mean_s[i] * 1e3);
        metric(m, &k, model_prefixes[1], w->name[i], (double)r->model_count[i]);
        metric(m, &k, model_prefixes[2], w->name[i], (r->plan[i].time + r->plan[i].overhead) * 1e3);
    }
    for (i = 0; i < r->n_units; i++)
        metric(m, &k, "util.", r->unit[i].name, r->unit[i].util);
    assert(k == cluster_n_metrics(r));
    return k;
}

int
cluster_metric_known(const char *name)
{
    size_t i, l;
    for (i = 0; fixed_metrics[i]; i++)
        if (strcmp(name, fixed_metrics[i]) == 0)
            return 1;
    for (i = 0; model_prefixes[i]; i++) {
        l = strlen(model_prefixes[i]);
        if (strncmp(name, model_prefixes[i], l) == 0 && name[l])
            return 1;
    }
    return strncmp(name, "util.", 5) == 0 && name[5];
}

void
cluster_describe(const struct hi_config *cfg, const struct cluster_config *cc, char *buf, size_t len)
{
    snprintf(buf, len, "cluster %s (halo %g, %zu nodes, efficiency %g)", cluster_strategy_name(cfg->cluster.strategy),
             cfg->cluster.halo, cfg->cluster.node_count ? cfg->cluster.node_count : cc->n_nodes,
             cfg->cluster.efficiency);
}
