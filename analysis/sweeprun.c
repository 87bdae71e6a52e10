/* sweeprun.c — jobs, the thread executor and the coordinator (sweeprun.h). */
#define _GNU_SOURCE
#include "analysis/sweeprun.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/batchsize.h"
#include "analysis/summary.h"
#include "analysis/sweepstore.h"
#include "sim/cluster.h"
#include "sim/json.h"
#include "sim/rng.h"

static void
now_iso(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static double
clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double mono(void) { return clock_s(CLOCK_MONOTONIC); }
/* CPU time of the calling thread: the writer's own work, whatever the
 * workers do on the other cores */
static double cpu(void) { return clock_s(CLOCK_THREAD_CPUTIME_ID); }

static volatile sig_atomic_t *interrupt_flag;

void
sweeprun_set_interrupt(volatile sig_atomic_t *flag)
{
    interrupt_flag = flag;
}

static int
interrupted(void)
{
    return interrupt_flag && *interrupt_flag;
}

/* ---- one job ---- */

static int
closed_form(const struct hi_config *cfg, const struct hi_trace *t, double *v, struct hi_error *err)
{
    struct batchsize_in in;
    struct batchsize_out out;
    double M;
    size_t k = 0;
    if (batchsize_from_config(cfg, t, &in, err))
        return err->status;
    batchsize_optimal(&in, &out);
    M = cfg->policy.batch ? (double)cfg->policy.batch : out.m_star;
    /* the order of sweep_batchsize_metrics */
    v[k++] = in.rho;
    v[k++] = in.alpha;
    v[k++] = in.tau_ed;
    v[k++] = in.tau_es;
    v[k++] = in.tau_tx;
    v[k++] = in.tau_nw;
    v[k++] = in.tau_es > 0 ? in.tau_ed / in.tau_es : NAN;
    v[k++] = out.m_dagger;
    v[k++] = out.m_star;
    v[k++] = out.f;
    v[k++] = out.t_s;
    v[k++] = out.t_r;
    v[k++] = M;
    v[k++] = batchsize_f(&in, M);     /* 002 eq. (8) */
    v[k++] = batchsize_ts(&in, M);    /* 002 eq. (6) */
    v[k++] = batchsize_tr(&in, M);    /* 002 eq. (7) */
    assert(sweep_batchsize_metrics[k] == NULL);
    return HI_OK;
}

/* ---- a cluster run, packed ----
 *
 * res->extra holds, in order: three size_t (metrics m, bins b, responses
 * q); the doubles of the m metric values, the b bin centres and GFLOP/s,
 * the q arrival times and latencies (ms); then m metric names and the
 * policy line, each NUL-terminated.  One buffer, so that an MPI rank
 * sends it as bytes (analysis/sweepmpi.c). */
struct packed {
    size_t m, b, q;
    const double *value, *bin_x, *bin_y, *resp_x, *resp_y;
    const char *names;             /* the first name; the next follows its NUL */
    const char *policy;
};

static int
pack(struct sweeprun_result *res, const struct cluster_metric *cm, size_t m, const struct cluster_result *r,
     const char *policy)
{
    size_t b = r->n_bins, q = r->completed, i, len = 3 * sizeof(size_t) + (m + 2 * b + 2 * q) * sizeof(double);
    size_t text = strlen(policy) + 1;
    unsigned char *buf;
    double *d;
    char *c;
    for (i = 0; i < m; i++)
        text += strlen(cm[i].name) + 1;
    if (!(buf = malloc(len + text)))
        return HI_EINTERNAL;
    ((size_t *)buf)[0] = m;
    ((size_t *)buf)[1] = b;
    ((size_t *)buf)[2] = q;
    d = (double *)(buf + 3 * sizeof(size_t));
    for (i = 0; i < m; i++)
        *d++ = cm[i].value;
    if (b) {
        memcpy(d, r->bin_x, b * sizeof *d);
        memcpy(d + b, r->bin_gflops, b * sizeof *d);
    }
    d += 2 * b;
    if (q) {
        memcpy(d, r->resp_x, q * sizeof *d);
        memcpy(d + q, r->resp_ms, q * sizeof *d);
    }
    c = (char *)(buf + len);
    for (i = 0; i < m; i++) {
        size_t l = strlen(cm[i].name) + 1;
        memcpy(c, cm[i].name, l);
        c += l;
    }
    memcpy(c, policy, strlen(policy) + 1);
    res->extra = buf;
    res->n_extra = len + text;
    return HI_OK;
}

/* A view of res->extra; -1 when it is not a well-formed buffer. */
static int
unpack(const struct sweeprun_result *res, struct packed *v)
{
    const unsigned char *buf = res->extra;
    const char *c, *end;
    size_t len, i;
    memset(v, 0, sizeof *v);
    if (!buf || res->n_extra < 3 * sizeof(size_t))
        return -1;
    v->m = ((const size_t *)buf)[0];
    v->b = ((const size_t *)buf)[1];
    v->q = ((const size_t *)buf)[2];
    if (v->m > res->n_extra || v->b > res->n_extra || v->q > res->n_extra)
        return -1;
    len = 3 * sizeof(size_t) + (v->m + 2 * v->b + 2 * v->q) * sizeof(double);
    if (len > res->n_extra)
        return -1;
    v->value = (const double *)(buf + 3 * sizeof(size_t));
    v->bin_x = v->value + v->m;
    v->bin_y = v->bin_x + v->b;
    v->resp_x = v->bin_y + v->b;
    v->resp_y = v->resp_x + v->q;
    c = v->names = (const char *)(buf + len);
    end = (const char *)(buf + res->n_extra);
    for (i = 0; i <= v->m; i++) {
        const char *z = memchr(c, '\0', (size_t)(end - c));
        if (!z)
            return -1;
        if (i == v->m)
            v->policy = c;
        c = z + 1;
    }
    return 0;
}

static int
cluster_job(const struct sweep *sw, size_t p, struct hi_config *cfg, struct sweeprun_result *res, struct hi_error *err)
{
    struct cluster_config cc;
    struct cluster_workloads w;
    struct cluster_result r;
    struct cluster_metric *cm = NULL;
    char policy[256];
    size_t m;
    int rc;
    if (sweep_point_cluster(sw, p, &cc, err))
        return err->status;
    if ((rc = cluster_workloads_load(&w, &cc, err))) {
        cluster_config_free(&cc);
        return rc;
    }
    if ((rc = cluster_run(cfg, &cc, &w, &r, err)))
        goto out_w;
    m = cluster_n_metrics(&r);
    cluster_describe(cfg, &cc, policy, sizeof policy);
    if (!(cm = calloc(m ? m : 1, sizeof *cm)) || (cluster_metrics(&r, &w, cm), pack(res, cm, m, &r, policy))
        || !(res->config = cluster_config_run_json(cfg, &cc)))
        rc = error_set(err, HI_EINTERNAL, "out of memory");
    free(cm);
    cluster_result_free(&r);
out_w:
    cluster_workloads_free(&w);
    cluster_config_free(&cc);
    return rc;
}

void
sweeprun_job(const struct sweep *sw, size_t p, size_t rep, uint64_t seed, struct sweeprun_result *res)
{
    struct hi_config *cfg = malloc(sizeof *cfg);
    struct hi_error err = {0};
    const struct hi_trace *t = sweep_trace_of(sw, p);

    memset(res, 0, sizeof *res);
    res->point = p;
    res->rep = rep;
    res->seed = seed;
    now_iso(res->started, sizeof res->started);
    if (!cfg) {
        error_set(&err, HI_EINTERNAL, "out of memory");
        goto fail;
    }
    if (sweep_point_config(sw, p, cfg, &err))
        goto fail;
    cfg->seed = seed;
    if (interrupted()) {
        error_set(&err, HI_EINTR, "interrupted before it started");
        goto fail;
    }
    if (sw->target == SWEEP_CLUSTER) {
        if (cluster_job(sw, p, cfg, res, &err))
            goto fail;
        now_iso(res->finished, sizeof res->finished);
        free(cfg);
        return;
    }
    if (sw->target == SWEEP_SIMULATE) {
        struct engine_hooks hooks;
        double m_star;
        assert(t);
        memset(&hooks, 0, sizeof hooks);
        hooks.interrupt = interrupt_flag;
        if (batchsize_resolve(cfg, t, &m_star, &err) || engine_run(cfg, t, &hooks, &res->run, &err))
            goto fail;
    } else if (closed_form(cfg, t, res->closed, &err)) {
        goto fail;
    }
    if (!(res->config = config_to_json(cfg))) {
        error_set(&err, HI_EINTERNAL, "out of memory");
        goto fail;
    }
    now_iso(res->finished, sizeof res->finished);
    free(cfg);
    return;
fail:
    free(cfg);
    free(res->extra);
    res->extra = NULL;
    res->n_extra = 0;
    free(res->config);
    res->config = NULL;
    res->status = err.status ? err.status : HI_EINTERNAL;
    snprintf(res->error, sizeof res->error, "%s", err.msg[0] ? err.msg : "failed");
}

void
sweeprun_result_free(struct sweeprun_result *res)
{
    if (!res)
        return;
    free(res->config);
    free(res->extra);
    engine_result_free(&res->run);
    free(res);
}

size_t
sweeprun_metrics(const struct sweep *sw, const struct sweeprun_result *res, struct store_metric *m)
{
    size_t k;
    if (sw->target == SWEEP_SIMULATE)
        return summary_metrics(&res->run, m);
    if (sw->target == SWEEP_CLUSTER) {
        struct packed v;
        if (unpack(res, &v))
            return 0;
        const char *name = v.names;
        for (k = 0; k < v.m && k < SUMMARY_MAX_METRICS; k++, name += strlen(name) + 1) {
            m[k].name = name;
            m[k].value = v.value[k];
        }
        return k;
    }
    for (k = 0; sweep_batchsize_metrics[k]; k++) {
        m[k].name = sweep_batchsize_metrics[k];
        m[k].value = res->closed[k];
    }
    return k;
}

/* ---- the thread executor ---- */

struct job {
    size_t point, rep;
    uint64_t seed;
};

struct sweeprun_pool {
    const struct sweep *sw;
    pthread_t *threads;
    int n, started;
    pthread_mutex_t mu;
    pthread_cond_t cv_job, cv_res;
    struct job *q;                 /* FIFO of jobs not started */
    size_t q_head, q_len, q_cap;
    struct sweeprun_result **r;    /* FIFO of finished jobs */
    size_t r_head, r_len, r_cap;
    size_t busy;
    int quit, oom;
};

static void *
worker(void *arg)
{
    struct sweeprun_pool *P = arg;
    pthread_mutex_lock(&P->mu);
    for (;;) {
        struct job j;
        struct sweeprun_result *res;
        /* at most r_cap results finished or in the making: bounded memory
         * while the writer catches up */
        while (!P->quit && (P->q_len == 0 || P->r_len + P->busy >= P->r_cap))
            pthread_cond_wait(&P->cv_job, &P->mu);
        if (P->quit)
            break;
        j = P->q[P->q_head];
        P->q_head = (P->q_head + 1) % P->q_cap;
        P->q_len--;
        P->busy++;
        pthread_mutex_unlock(&P->mu);

        res = malloc(sizeof *res);
        if (res)
            sweeprun_job(P->sw, j.point, j.rep, j.seed, res);

        pthread_mutex_lock(&P->mu);
        P->busy--;
        if (!res) {
            P->oom = 1;
        } else {
            P->r[(P->r_head + P->r_len) % P->r_cap] = res;
            P->r_len++;
        }
        pthread_cond_signal(&P->cv_res);
    }
    pthread_mutex_unlock(&P->mu);
    return NULL;
}

static int
pool_submit(void *ctx, size_t point, size_t rep, uint64_t seed)
{
    struct sweeprun_pool *P = ctx;
    pthread_mutex_lock(&P->mu);
    if (P->q_len == P->q_cap) {
        size_t cap = P->q_cap ? 2 * P->q_cap : 1024, i;
        struct job *q = malloc(cap * sizeof *q);
        if (!q) {
            pthread_mutex_unlock(&P->mu);
            return HI_EINTERNAL;
        }
        for (i = 0; i < P->q_len; i++)
            q[i] = P->q[(P->q_head + i) % P->q_cap];
        free(P->q);
        P->q = q;
        P->q_cap = cap;
        P->q_head = 0;
    }
    P->q[(P->q_head + P->q_len) % P->q_cap] = (struct job){point, rep, seed};
    P->q_len++;
    pthread_cond_signal(&P->cv_job);
    pthread_mutex_unlock(&P->mu);
    return HI_OK;
}

static struct sweeprun_result *
pool_wait(void *ctx)
{
    struct sweeprun_pool *P = ctx;
    struct sweeprun_result *res = NULL;
    pthread_mutex_lock(&P->mu);
    while (P->r_len == 0 && !P->oom)
        pthread_cond_wait(&P->cv_res, &P->mu);
    if (P->r_len) {
        res = P->r[P->r_head];
        P->r_head = (P->r_head + 1) % P->r_cap;
        P->r_len--;
        pthread_cond_broadcast(&P->cv_job);   /* room for another result */
    }
    pthread_mutex_unlock(&P->mu);
    return res;
}

static size_t
pool_cancel(void *ctx)
{
    struct sweeprun_pool *P = ctx;
    size_t n;
    pthread_mutex_lock(&P->mu);
    n = P->q_len;
    P->q_len = 0;
    pthread_mutex_unlock(&P->mu);
    return n;
}

struct sweeprun_pool *
sweeprun_pool_new(const struct sweep *sw, int n, struct sweeprun_exec *exec, struct hi_error *err)
{
    struct sweeprun_pool *P = calloc(1, sizeof *P);
    int i;
    assert(n >= 1);
    if (!P)
        goto oom;
    P->sw = sw;
    P->n = n;
    P->r_cap = 2 * (size_t)n + 2;
    P->r = calloc(P->r_cap, sizeof *P->r);
    P->threads = calloc((size_t)n, sizeof *P->threads);
    if (!P->r || !P->threads) {
        free(P->r);
        free(P->threads);
        free(P);
        goto oom;
    }
    pthread_mutex_init(&P->mu, NULL);
    pthread_cond_init(&P->cv_job, NULL);
    pthread_cond_init(&P->cv_res, NULL);
    for (i = 0; i < n; i++) {
        if (pthread_create(&P->threads[i], NULL, worker, P) != 0) {
            sweeprun_pool_free(P);
            error_set(err, HI_EINTERNAL, "cannot start %d threads", n);
            return NULL;
        }
        P->started++;
    }
    exec->ctx = P;
    exec->submit = pool_submit;
    exec->wait = pool_wait;
    exec->cancel = pool_cancel;
    return P;
oom:
    error_set(err, HI_EINTERNAL, "out of memory");
    return NULL;
}

void
sweeprun_pool_free(struct sweeprun_pool *P)
{
    int i;
    if (!P)
        return;
    pthread_mutex_lock(&P->mu);
    P->quit = 1;
    pthread_cond_broadcast(&P->cv_job);
    pthread_mutex_unlock(&P->mu);
    for (i = 0; i < P->started; i++)
        pthread_join(P->threads[i], NULL);
    while (P->r_len) {
        sweeprun_result_free(P->r[P->r_head]);
        P->r_head = (P->r_head + 1) % P->r_cap;
        P->r_len--;
    }
    pthread_mutex_destroy(&P->mu);
    pthread_cond_destroy(&P->cv_job);
    pthread_cond_destroy(&P->cv_res);
    free(P->q);
    free(P->r);
    free(P->threads);
    free(P);
}

/* ---- the coordinator ---- */

struct point_state {
    size_t planned;    /* replications 0..planned-1 are planned */
    size_t finished;   /* of those, finished */
    size_t failed;     /* of those, failed */
    size_t fresh;      /* computed by this process */
    size_t kept;       /* already in the (resumed) sweep */
    int complete;
    double *vals;      /* stop metric per replication */
    size_t cap;
};

struct existing {
    size_t p, r;
    uint64_t seed;
    int64_t run_id;
};

struct coord {
    struct sweep *sw;
    const struct sweeprun_opts *o;
    struct sweeprun_exec *exec;
    struct store *st;
    struct sweepstore *ss;
    struct sweeprun_stats *stats;
    struct hi_error *err;
    int64_t id;
    struct point_state *ps;      /* per point of the grid */
    size_t n_mine;
    struct existing *ex;         /* resumed: sorted by (p, r) */
    size_t n_ex, cap_ex;
    struct key_sort { uint64_t key; size_t p; } *by_key;
    size_t outstanding;
    int stopping;                /* --fail-fast, after a failure; interrupted */
    int interrupted;             /* the interrupt flag was seen */
    size_t runs_total;           /* planned so far, for the ETA */
    size_t runs_complete;
    size_t points_complete;
    double t0, t_compute, last_line;
    int bar_shown;
};

static int
cmp_ex(const void *a, const void *b)
{
    const struct existing *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return x->r < y->r ? -1 : x->r > y->r;
}

static int
cmp_ks(const void *a, const void *b)
{
    const struct key_sort *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* The point whose key is `hex`, or SIZE_MAX. */
static size_t
point_of(const struct coord *c, const char *hex)
{
    struct key_sort probe, *hit;
    char *end;
    probe.key = strtoull(hex, &end, 16);
    if (*end)
        return SIZE_MAX;
    hit = bsearch(&probe, c->by_key, c->sw->n_points, sizeof *c->by_key, cmp_ks);
    return hit ? hit->p : SIZE_MAX;
}

static int
collect_existing(void *ctx, const struct sweepstore_entry *e)
{
    struct coord *c = ctx;
    size_t p;
    if (strcmp(e->status, "done") != 0 && strcmp(e->status, "reused") != 0)
        return 0;            /* failures are retried */
    if (!e->run_id || (p = point_of(c, e->point)) == SIZE_MAX)
        return 0;
    if (c->n_ex == c->cap_ex) {
        size_t cap = c->cap_ex ? 2 * c->cap_ex : 1024;
        struct existing *n = realloc(c->ex, cap * sizeof *n);
        if (!n) {
            error_set(c->err, HI_EINTERNAL, "out of memory");
            return 1;
        }
        c->ex = n;
        c->cap_ex = cap;
    }
    c->ex[c->n_ex++] = (struct existing){p, e->replication, e->seed, e->run_id};
    return 0;
}

static const struct existing *
find_existing(const struct coord *c, size_t p, size_t r)
{
    struct existing probe = {p, r, 0, 0};
    if (!c->n_ex)
        return NULL;
    return bsearch(&probe, c->ex, c->n_ex, sizeof *c->ex, cmp_ex);
}

static void
describe_point(const struct sweep *sw, size_t p, char *buf, size_t len)
{
    size_t d, j, n = 0;
    buf[0] = '\0';
    for (d = 0; d < sw->n_dims && n < len; d++) {
        size_t i = sweep_index(sw, p, d);
        for (j = 0; j < sw->dims[d].n_keys && n < len; j++)
            n += (size_t)snprintf(buf + n, len - n, "%s%s=%s", n ? " " : "", sw->dims[d].keys[j].key,
                                  sw->dims[d].keys[j].text[i]);
    }
}

static void
clear_bar(struct coord *c)
{
    if (c->bar_shown) {
        fputs("\r\033[K", c->o->log);
        c->bar_shown = 0;
    }
}

static void
progress(struct coord *c, int last)
{
    double t = mono(), el = t - c->t0, rate, eta = NAN;
    size_t runs = c->stats->runs_new + c->stats->runs_failed;
    char eta_s[32];
    if (!c->o->progress || !c->o->log)
        return;
    if (c->o->progress == 2 ? (!last && t - c->last_line < 0.2) : (!last && t - c->last_line < 5.0))
        return;
    if (last && c->o->progress == 2) {
        clear_bar(c);
        return;
    }
    if (last)
        return;
    c->last_line = t;
    rate = el > 0 ? (double)runs / el : 0.0;
    if (rate > 0 && c->runs_total > c->runs_complete)
        eta = (double)(c->runs_total - c->runs_complete) / rate;
    else if (c->runs_total <= c->runs_complete)
        eta = 0;
    if (isnan(eta))
        snprintf(eta_s, sizeof eta_s, "?");
    else
        snprintf(eta_s, sizeof eta_s, "%d:%02d", (int)(eta / 60), (int)fmod(eta, 60));
    if (c->o->progress == 2) {
        char bar[31];
        size_t fill = c->n_mine ? 30 * c->points_complete / c->n_mine : 30, i;
        for (i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : ' ';
        bar[30] = '\0';
        fprintf(c->o->log, "\r\033[K[%s] %zu/%zu points  %.1f runs/s  ETA %s", bar, c->points_complete, c->n_mine,
                rate, eta_s);
        c->bar_shown = 1;
    } else {
        fprintf(c->o->log, "hisim sweep: sweep %lld: %zu/%zu points, %zu runs, %.1f runs/s, ETA %s\n",
                (long long)c->id, c->points_complete, c->n_mine, runs, rate, eta_s);
    }
    fflush(c->o->log);
}

/* Stores value v of replication r for the stopping rule. */
static int
keep_value(struct coord *c, size_t p, size_t r, int64_t run_id, const struct sweeprun_result *res)
{
    struct point_state *s = &c->ps[p];
    double v = NAN;
    if (!c->sw->stop.on)
        return HI_OK;
    if (r >= s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        double *nv;
        while (cap <= r)
            cap *= 2;
        if (!(nv = realloc(s->vals, cap * sizeof *nv)))
            return error_set(c->err, HI_EINTERNAL, "out of memory");
        s->vals = nv;
        s->cap = cap;
    }
    if (res && c->sw->target == SWEEP_CLUSTER) {
        struct packed pv;
        const char *name;
        size_t i;
        if (!unpack(res, &pv))
            for (i = 0, name = pv.names; i < pv.m; i++, name += strlen(name) + 1)
                if (strcmp(name, c->sw->stop.metric) == 0)
                    v = pv.value[i];
    } else if (res) {
        struct store_metric m[SUMMARY_MAX_METRICS];
        size_t n = sweeprun_metrics(c->sw, res, m), i;
        for (i = 0; i < n; i++)
            if (strcmp(m[i].name, c->sw->stop.metric) == 0)
                v = m[i].value;
    } else if (sweepstore_metric(c->ss, run_id, c->sw->stop.metric, &v, c->err)) {
        return c->err->status;
    }
    s->vals[r] = v;
    return HI_OK;
}

/* Plans replication r of point p: kept, reused or submitted. */
static int
plan_one(struct coord *c, size_t p, size_t r)
{
    struct point_state *s = &c->ps[p];
    uint64_t seed = sweep_seed(c->sw->seed, c->sw->crn, c->sw->key[p], r);
    const struct existing *e = find_existing(c, p, r);
    char hex[17];
    int64_t run_id = 0;

    c->runs_total++;
    if (e && e->seed == seed) {
        s->kept++;
        s->finished++;
        c->stats->runs_kept++;
        c->runs_complete++;
        return keep_value(c, p, r, e->run_id, NULL);
    }
    sweep_key_hex(c->sw->key[p], hex);
    if (sweepstore_find_run(c->ss, hex, seed, c->o->version, &run_id, c->err))
        return c->err->status;
    if (run_id) {
        if (sweepstore_put_entry(c->ss, c->id, hex, r, seed, run_id, "reused", NULL, c->err))
            return c->err->status;
        s->finished++;
        c->stats->runs_reused++;
        c->runs_complete++;
        return keep_value(c, p, r, run_id, NULL);
    }
    if (c->exec->submit(c->exec->ctx, p, r, seed))
        return error_set(c->err, HI_EINTERNAL, "out of memory");
    c->outstanding++;
    return HI_OK;
}

/* Moves point p on: completes it, or plans its next replication, for as
 * long as nothing is in flight for it. */
static int
advance(struct coord *c, size_t p)
{
    struct point_state *s = &c->ps[p];
    for (;;) {
        if (s->complete || s->finished + s->failed < s->planned)
            return HI_OK;
        if (s->failed) {
            s->complete = 1;
            c->stats->failed++;
            c->points_complete++;
            return HI_OK;
        }
        if (c->sw->stop.on ? sweep_stop_met(&c->sw->stop, s->vals, s->planned) : s->planned >= c->sw->replications) {
            s->complete = 1;
            c->points_complete++;
            if (s->fresh == 0 && s->kept == 0)
                c->stats->reused++;
            else
                c->stats->done++;
            return HI_OK;
        }
        if (c->stopping)
            return HI_OK;   /* left unfinished: skipped */
        if (plan_one(c, p, s->planned++))
            return c->err->status;
    }
}

struct commit_ctx {
    struct coord *c;
    const char *hex;
    size_t r;
    uint64_t seed;
};

static int
commit_also(void *ctx, struct store *st, int64_t run_id, struct hi_error *err)
{
    struct commit_ctx *k = ctx;
    (void)st;
    if (sweepstore_put_run_point(k->c->ss, run_id, k->hex, err))
        return err->status;
    return sweepstore_put_entry(k->c->ss, k->c->id, k->hex, k->r, k->seed, run_id, "done", NULL, err);
}

/* Stores one finished job (the writer's work) and moves its point on. */
static int
commit(struct coord *c, struct sweeprun_result *res)
{
    struct point_state *s = &c->ps[res->point];
    char hex[17];
    double t = cpu();
    int rc;
    sweep_key_hex(c->sw->key[res->point], hex);
    if (res->status == HI_EINTR) {
        /* partial, or never started: not stored, --resume runs it */
        c->stats->runs_dropped += res->run.interrupted;
        return HI_OK;
    }
    if (res->status != HI_OK) {
        char where[400];
        describe_point(c->sw, res->point, where, sizeof where);
        clear_bar(c);
        if (c->o->log) {
            fprintf(c->o->log, "hisim sweep: point %zu (%s) replication %zu failed: %s\n", res->point, where,
                    res->rep, res->error);
            fflush(c->o->log);
        }
        if (res->status != HI_EINPUT)
            c->stats->input_failures_only = 0;
        rc = sweepstore_put_entry(c->ss, c->id, hex, res->rep, res->seed, 0, "failed", res->error, c->err);
        s->failed++;
        c->stats->runs_failed++;
        c->runs_complete++;
        if (c->o->fail_fast && !c->stopping) {
            c->stopping = 1;
            c->outstanding -= c->exec->cancel(c->exec->ctx);
        }
    } else {
        struct store_metric m[SUMMARY_MAX_METRICS], *cm = NULL;
        struct store_series se[SUMMARY_MAX_SERIES];
        struct store_run run;
        struct commit_ctx k = {c, hex, res->rep, res->seed};
        struct packed pv;
        double *scratch = NULL;
        char policy[256];
        memset(&run, 0, sizeof run);
        run.name = c->sw->base->name;
        run.scenario = c->sw->scenario;
        run.config = res->config;
        run.seed = res->seed;
        run.rng = RNG_TYPE_NAME;
        run.version = c->o->version;
        run.metrics = m;
        if (c->sw->target == SWEEP_SIMULATE) {
            snprintf(policy, sizeof policy, "%s%s%s", res->run.policy, res->run.policy_desc[0] ? " " : "",
                     res->run.policy_desc);
            run.series = se;
            run.n_series = summary_series(&res->run, se, &scratch);
            c->stats->runs_saturated += res->run.saturated != 0;
            run.n_metrics = sweeprun_metrics(c->sw, res, m);
        } else if (c->sw->target == SWEEP_CLUSTER) {
            const char *name;
            size_t i;
            if (unpack(res, &pv) || !(cm = malloc((pv.m ? pv.m : 1) * sizeof *cm))) {
                rc = error_set(c->err, HI_EINTERNAL, "a cluster result without its figures (out of memory?)");
                goto stored;
            }
            for (i = 0, name = pv.names; i < pv.m; i++, name += strlen(name) + 1) {
                cm[i].name = name;
                cm[i].value = pv.value[i];
            }
            snprintf(policy, sizeof policy, "%s", pv.policy);
            se[0] = (struct store_series){"gflops", pv.bin_x, pv.bin_y, pv.b};
            se[1] = (struct store_series){"response_ms", pv.resp_x, pv.resp_y, pv.q};
            run.series = se;
            run.n_series = 2;
            run.metrics = cm;
            run.n_metrics = pv.m;
        } else {
            snprintf(policy, sizeof policy, "batch-size closed form (002 eqs. 6-9)");
            run.n_metrics = sweeprun_metrics(c->sw, res, m);
        }
        run.policy = policy;
        run.started = res->started;
        run.finished = res->finished;
        run.status = "done";
        rc = store_save_run_with(c->st, &run, commit_also, &k, c->err);
    stored:
        free(scratch);
        free(cm);
        if (!rc)
            rc = keep_value(c, res->point, res->rep, 0, res);
        s->finished++;
        s->fresh++;
        c->stats->runs_new++;
        c->runs_complete++;
    }
    c->stats->store_s += cpu() - t;
    if (rc)
        return rc;
    return advance(c, res->point);
}

static int
refuse(struct hi_error *err, const struct sweepstore_sweep *prev, const char *what)
{
    return error_set(err, HI_EINPUT,
                     "%s: cannot resume sweep %lld: %s (--resume --force resumes it anyway; without --resume a new "
                     "sweep reuses every run that still matches)", prev->file, (long long)prev->id, what);
}

static int
open_sweep(struct coord *c, const char *real, const char *shard)
{
    struct sweep *sw = c->sw;
    const struct sweeprun_opts *o = c->o;
    struct hi_error *err = c->err;
    char started[24];
    now_iso(started, sizeof started);
    if (o->resume) {
        struct sweepstore_sweep prev;
        int same = 0, changed_text, changed_version;
        char msg[300];
        if (sweepstore_latest(c->st, real, &prev, err))
            return err->status;
        if (prev.id == 0)
            return error_set(err, HI_EINPUT, "%s: no sweep of this file in %s to resume (run it without --resume)",
                             sw->file, store_path(c->st));
        if (strcmp(prev.shard, shard) != 0) {
            snprintf(msg, sizeof msg, "it ran shard '%s', not '%s'", prev.shard[0] ? prev.shard : "all",
                     shard[0] ? shard : "all");
            error_set(err, HI_EINPUT, "%s: cannot resume sweep %lld: %s", sw->file, (long long)prev.id, msg);
            sweepstore_sweep_free(&prev);
            return HI_EINPUT;
        }
        if (sweepstore_same_points(c->ss, prev.id, sw, &same, err)) {
            sweepstore_sweep_free(&prev);
            return err->status;
        }
        changed_text = strcmp(prev.text, sw->text) != 0;
        changed_version = strcmp(prev.version, o->version) != 0;
        if (!o->force && (changed_text || changed_version || !same)) {
            if (changed_text)
                snprintf(msg, sizeof msg, "the sweep file changed since it started");
            else if (changed_version)
                snprintf(msg, sizeof msg, "it was started by hisim %s, this is hisim %s", prev.version, o->version);
            else
                snprintf(msg, sizeof msg, "its points changed (the base scenario or a file it names changed)");
            refuse(err, &prev, msg);
            sweepstore_sweep_free(&prev);
            return HI_EINPUT;
        }
        if ((changed_text || changed_version || !same) && sweepstore_refresh(c->ss, prev.id, sw, o->version, err)) {
            sweepstore_sweep_free(&prev);
            return err->status;
        }
        c->id = prev.id;
        c->stats->resumed = 1;
        sweepstore_sweep_free(&prev);
        if (sweepstore_each_entry(c->ss, c->id, collect_existing, c, err))
            return err->status;
        if (err->status)
            return err->status;
        qsort(c->ex, c->n_ex, sizeof *c->ex, cmp_ex);
        return sweepstore_finish(c->ss, c->id, "running", "", err);
    }
    return sweepstore_create(c->ss, sw, real, o->version, shard, started, &c->id, err);
}

int
sweeprun_run(struct sweep *sw, struct store *st, const struct sweeprun_opts *o, struct sweeprun_exec *exec,
             struct sweeprun_stats *stats, struct hi_error *err)
{
    struct coord c;
    char *real = NULL, shard[48] = "", finished[24];
    size_t p, r;
    int rc = HI_EINTERNAL;

    memset(&c, 0, sizeof c);
    memset(stats, 0, sizeof *stats);
    stats->input_failures_only = 1;
    c.sw = sw;
    c.o = o;
    c.exec = exec;
    c.st = st;
    c.stats = stats;
    c.err = err;
    c.t0 = mono();
    c.last_line = c.t0;   /* the first line after a few seconds */
    if (o->shard_n)
        snprintf(shard, sizeof shard, "%zu/%zu", o->shard_i, o->shard_n);
    if (!(real = realpath(sw->file, NULL))) {
        error_set(err, HI_EINPUT, "%s: cannot resolve the path", sw->file);
        return HI_EINPUT;
    }
    c.ps = calloc(sw->n_points, sizeof *c.ps);
    c.by_key = malloc(sw->n_points * sizeof *c.by_key);
    if (!c.ps || !c.by_key) {
        error_set(err, HI_EINTERNAL, "out of memory");
        goto out;
    }
    for (p = 0; p < sw->n_points; p++) {
        c.by_key[p].key = sw->key[p];
        c.by_key[p].p = p;
    }
    qsort(c.by_key, sw->n_points, sizeof *c.by_key, cmp_ks);
    if (!(c.ss = sweepstore_open(st, err)))
        goto out;
    if ((rc = open_sweep(&c, real, shard)))
        goto out;
    stats->sweep_id = c.id;

    /* plan: the first replications of every point of this shard, in one
     * transaction for the reused ones */
    for (p = 0; p < sw->n_points; p++)
        if (!o->shard_n || p % o->shard_n == o->shard_i - 1)
            c.n_mine++;
    stats->points = c.n_mine;
    if ((rc = sweepstore_begin(c.ss, err)))
        goto out;
    for (p = 0; p < sw->n_points; p++) {
        if (o->shard_n && p % o->shard_n != o->shard_i - 1)
            continue;
        for (r = 0; r < sweep_min_reps(sw); r++)
            if ((rc = plan_one(&c, p, c.ps[p].planned++)))
                break;
        if (rc || (rc = advance(&c, p)))
            break;
    }
    if (rc) {
        sweepstore_rollback(c.ss);
        goto out;
    }
    if ((rc = sweepstore_commit(c.ss, err)))
        goto out;
    stats->plan_s = mono() - c.t0;
    progress(&c, 0);

    /* run: commit each result as it comes */
    while (c.outstanding > 0) {
        struct sweeprun_result *res;
        if (interrupted() && !c.interrupted) {
            c.interrupted = 1;
            c.stopping = 1;
            c.outstanding -= exec->cancel(exec->ctx);
            if (!c.outstanding)
                break;
        }
        res = exec->wait(exec->ctx);
        if (!res) {
            rc = error_set(err, HI_EINTERNAL, "the workers failed (out of memory, or an MPI rank died)");
            goto out;
        }
        c.outstanding--;
        rc = commit(&c, res);
        sweeprun_result_free(res);
        if (rc)
            goto out;
        progress(&c, 0);
    }
    progress(&c, 1);
    stats->skipped = c.n_mine - stats->done - stats->failed - stats->reused;
    now_iso(finished, sizeof finished);
    if (c.interrupted || interrupted()) {
        if (!(rc = sweepstore_finish(c.ss, c.id, "interrupted", finished, err)))
            rc = error_set(err, HI_EINTR, "sweep %lld interrupted", (long long)c.id);
        goto out;
    }
    rc = sweepstore_finish(c.ss, c.id, stats->failed ? "failed" : stats->skipped ? "stopped" : "done", finished, err);
out:
    if (rc && c.id)
        clear_bar(&c);
    stats->wall_s = mono() - c.t0;
    if (c.ps)
        for (p = 0; p < sw->n_points; p++)
            free(c.ps[p].vals);
    free(c.ps);
    free(c.by_key);
    free(c.ex);
    sweepstore_close(c.ss);
    free(real);
    return rc;
}
