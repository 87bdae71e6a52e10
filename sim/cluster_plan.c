/* cluster_plan.c — the cluster cost model and the four strategies (cluster_plan.h). */
#include "sim/cluster_plan.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/partition.h"

static const char *const strategy_names[] = {"hidp", "modnn", "omniboost", "disnet"};

const char *
cluster_strategy_name(int strategy)
{
    return strategy_names[strategy];
}

const char *
cluster_mode_name(int mode)
{
    return mode == CLUSTER_MODEL ? "model" : "data";
}

/* ---- the environment ---- */

int
cluster_env_init(struct cluster_env *env, const struct cluster_config *cc, const struct hi_config *cfg,
                 struct hi_error *err)
{
    size_t j, p, count;
    memset(env, 0, sizeof *env);
    env->cc = cc;
    env->n_nodes = cc->n_nodes;
    env->halo = cfg->cluster.halo;
    env->default_eff = cfg->cluster.efficiency;
    env->strategy = cfg->cluster.strategy;
    env->overhead_s = cfg->cluster.strategy == CLUSTER_HIDP ? cfg->hidp.overhead_ms * 1e-3 : 0;
    count = cfg->cluster.node_count ? cfg->cluster.node_count : cc->n_nodes;
    if (count > cc->n_nodes)
        return error_set(err, HI_EINPUT, "cluster.node_count: %zu, but cluster.nodes lists %zu nodes", count,
                         cc->n_nodes);
    env->leader = 0;
    if (cfg->cluster.leader[0]) {
        for (j = 0; j < cc->n_nodes && strcmp(cc->node[j].name, cfg->cluster.leader) != 0; j++)
            ;
        if (j == cc->n_nodes)
            return error_set(err, HI_EINPUT, "cluster.leader: no node named '%s'", cfg->cluster.leader);
        env->leader = j;
    }
    for (j = 0; j < count; j++)
        if (cc->node[j].available)
            env->usable |= 1u << j;
    if (!(env->usable & (1u << env->leader)))
        return error_set(err, HI_EINPUT, "cluster.leader: node %s %s", cc->node[env->leader].name,
                         env->leader >= count ? "is beyond cluster.node_count" : "is unavailable");
    for (j = 0; j < cc->n_nodes; j++) {
        const struct cluster_node *n = &cc->node[j];
        size_t best = 0;
        assert(n->n_procs >= 1 && n->n_procs <= CLUSTER_MAX_PROCS);
        env->node[j].n_procs = n->n_procs;
        env->node[j].gpu = n->n_procs;
        for (p = 0; p < n->n_procs; p++) {
            if (n->proc[p].unit == CLUSTER_GPU && env->node[j].gpu == n->n_procs)
                env->node[j].gpu = p;
            if (n->proc[p].gflops > n->proc[best].gflops)
                best = p;
            env->node[j].comm_bps[p] = n->proc[p].comm_mbps * 1e6;
        }
        if (env->node[j].gpu == n->n_procs)
            env->node[j].gpu = best;
        if (j != env->leader && (env->usable & (1u << j))) {
            if (isnan(n->rate_mbps))
                return error_set(err, HI_EINPUT, "cluster.nodes: node %s has no link.rate_mbps (its link to the "
                                                 "leader %s)", n->name, cc->node[env->leader].name);
            env->node[j].link_bps = n->rate_mbps * 1e6;
            env->node[j].latency_s = n->latency_ms * 1e-3;
        }
    }
    return HI_OK;
}

/* ---- tables ---- */

double
cluster_bytes(const struct cluster_model *m, size_t k)
{
    assert(k <= m->n);
    return k == 0 ? m->in_bytes : m->out_bytes[k - 1];
}

/* The fraction of peak processor p sustains on layers of `type` */
static double
efficiency(const struct cluster_env *env, const struct cluster_proc *p, const char *type)
{
    size_t i;
    for (i = 0; type && i < p->n_eff; i++)
        if (strcmp(p->eff_type[i], type) == 0)
            return p->eff[i];
    return isnan(p->efficiency) ? env->default_eff : p->efficiency;
}

#define PRE(c, j, p, i) ((c)->pre[((j) * CLUSTER_MAX_PROCS + (p)) * ((c)->m->n + 1) + (i)])
#define BEST(c, j, a, b) ((c)->best[((j) * ((c)->m->n + 1) + (a)) * ((c)->m->n + 1) + (b)])

int
cluster_costs_init(struct cluster_costs *c, const struct cluster_env *env, const struct cluster_model *m,
                   struct hi_error *err)
{
    size_t j, p, i, n = m->n;
    memset(c, 0, sizeof *c);
    c->env = env;
    c->m = m;
    if (n == 0)
        return error_set(err, HI_EINPUT, "%s: the profile has no layers", m->name);
    c->pre = calloc(env->n_nodes * CLUSTER_MAX_PROCS * (n + 1), sizeof *c->pre);
    if (!c->pre)
        return error_set(err, HI_EINTERNAL, "out of memory");
    for (j = 0; j < env->n_nodes; j++)
        for (p = 0; p < env->node[j].n_procs; p++) {
            const struct cluster_proc *pr = &env->cc->node[j].proc[p];
            for (i = 1; i <= n; i++) {
                double rate = pr->gflops * 1e9 * efficiency(env, pr, m->type ? m->type[i - 1] : NULL);
                assert(rate > 0 && m->flops[i - 1] >= 0);
                PRE(c, j, p, i) = PRE(c, j, p, i - 1) + m->flops[i - 1] / rate;
            }
        }
    return HI_OK;
}

void
cluster_costs_free(struct cluster_costs *c)
{
    free(c->pre);
    free(c->best);
    c->pre = c->best = NULL;
}

double
cluster_run_s(const struct cluster_costs *c, size_t j, size_t p, size_t a, size_t b)
{
    assert(a <= b && b <= c->m->n && p < c->env->node[j].n_procs);
    return PRE(c, j, p, b) - PRE(c, j, p, a);
}

/* moving `bytes` between node j's home and processor p */
static double
x_home(const struct cluster_env *env, size_t j, size_t p, double bytes)
{
    return p == 0 ? 0.0 : 8.0 * bytes / env->node[j].comm_bps[p];
}

/* moving `bytes` between the leader and node j */
static double
link_s(const struct cluster_env *env, size_t j, double bytes)
{
    return j == env->leader ? 0.0 : env->node[j].latency_s + 8.0 * bytes / env->node[j].link_bps;
}

/* moving `bytes` from node j to node k (through the leader) */
static double
nodes_s(const struct cluster_env *env, size_t j, size_t k, double bytes)
{
    return j == k ? 0.0 : link_s(env, j, bytes) + link_s(env, k, bytes);
}

/* ---- local plans: one node, layers (a, b] ---- */

struct local_ctx {
    const struct cluster_costs *c;
    size_t j;
};

static double
local_run_cb(void *ctx, size_t p, size_t a, size_t b)
{
    struct local_ctx *x = ctx;
    return cluster_run_s(x->c, x->j, p, a, b);
}

static double
local_move_cb(void *ctx, size_t from, size_t to, size_t k)
{
    struct local_ctx *x = ctx;
    double bytes = cluster_bytes(x->c->m, k);
    return from == to ? 0.0 : x_home(x->c->env, x->j, from, bytes) + x_home(x->c->env, x->j, to, bytes);
}

static void
stage_single(const struct cluster_costs *c, size_t j, size_t p, size_t a, size_t b, struct cluster_stage *s)
{
    s->proc = p;
    s->a = a;
    s->b = b;
    s->share = 1;
    s->in = x_home(c->env, j, p, cluster_bytes(c->m, a));
    s->run = cluster_run_s(c, j, p, a, b);
    s->out = x_home(c->env, j, p, cluster_bytes(c->m, b));
}

static double
local_time(const struct cluster_local *L)
{
    double t = 0;
    size_t s;
    for (s = 0; s < L->n; s++) {
        double x = L->st[s].in + L->st[s].run + L->st[s].out;
        if (L->mode == CLUSTER_MODEL)
            t += x;
        else if (x > t)
            t = x;
    }
    return t;
}

/* Local model partitioning: the best chain over the node's processors. */
static int
local_model(const struct cluster_costs *c, size_t j, size_t a, size_t b, struct cluster_local *L,
            struct hi_error *err)
{
    struct local_ctx x = {c, j};
    struct partition_chain ch;
    struct partition_plan pl;
    size_t s;
    int rc;
    memset(&ch, 0, sizeof ch);
    ch.first = a;
    ch.last = b;
    ch.n_res = c->env->node[j].n_procs;
    ch.origin = 0;
    ch.usable = (1u << ch.n_res) - 1;
    ch.run = local_run_cb;
    ch.move = local_move_cb;
    ch.ctx = &x;
    if ((rc = partition_chain_solve(&ch, PARTITION_SUM, &pl, err)))
        return rc;
    assert(pl.n >= 1);
    L->mode = CLUSTER_MODEL;
    L->n = pl.n;
    for (s = 0; s < pl.n; s++)
        stage_single(c, j, pl.st[s].res, pl.st[s].a, pl.st[s].b, &L->st[s]);
    L->time = local_time(L);
    return HI_OK;
}

/* Local data partitioning over >= 2 processors; time inf when not possible. */
static void
local_data(const struct cluster_costs *c, size_t j, size_t a, size_t b, struct cluster_local *L)
{
    const struct cluster_env *env = c->env;
    size_t np = env->node[j].n_procs, p, used = 0;
    double fixed[CLUSTER_MAX_PROCS] = {0}, slope[CLUSTER_MAX_PROCS], share[CLUSTER_MAX_PROCS];
    double h = env->halo, din = cluster_bytes(c->m, a), dout = cluster_bytes(c->m, b);
    L->mode = CLUSTER_DATA;
    L->n = 0;
    L->time = INFINITY;
    if (np < 2)
        return;
    for (p = 0; p < np; p++)
        slope[p] = (1 + h) * (cluster_run_s(c, j, p, a, b) + x_home(env, j, p, din)) + x_home(env, j, p, dout);
    partition_shares(np, fixed, slope, NULL, share);
    for (p = 0; p < np; p++)
        used += share[p] > 0;
    if (used < 2)
        return;       /* one processor: that is a model plan of one stage */
    for (p = 0; p < np; p++) {
        struct cluster_stage *s;
        if (share[p] <= 0)
            continue;
        s = &L->st[L->n++];
        s->proc = p;
        s->a = a;
        s->b = b;
        s->share = share[p];
        s->in = (1 + h) * share[p] * x_home(env, j, p, din);
        s->run = (1 + h) * share[p] * cluster_run_s(c, j, p, a, b);
        s->out = share[p] * x_home(env, j, p, dout);
    }
    L->time = local_time(L);
}

/* HiDP's local step (004 Algorithm 1, lines 8-10): the faster mode. */
static int
local_best(const struct cluster_costs *c, size_t j, size_t a, size_t b, struct cluster_local *L,
           struct hi_error *err)
{
    struct cluster_local d;
    int rc = local_model(c, j, a, b, L, err);
    if (rc)
        return rc;
    local_data(c, j, a, b, &d);
    if (d.time < L->time)
        *L = d;
    return HI_OK;
}

/* Default TensorFlow placement (004 Fig. 1, P1): the whole block on the GPU. */
static void
local_gpu(const struct cluster_costs *c, size_t j, size_t a, size_t b, struct cluster_local *L)
{
    L->mode = CLUSTER_MODEL;
    L->n = 1;
    stage_single(c, j, c->env->node[j].gpu, a, b, &L->st[0]);
    L->time = local_time(L);
}

static int
local_plan(const struct cluster_costs *c, int gpu_only, size_t j, size_t a, size_t b, struct cluster_local *L,
           struct hi_error *err)
{
    if (gpu_only) {
        local_gpu(c, j, a, b, L);
        return HI_OK;
    }
    return local_best(c, j, a, b, L, err);
}

/* best[j][a][b] for every usable node and block: O(J N^2) local solves. */
static int
best_table(struct cluster_costs *c, struct hi_error *err)
{
    size_t n = c->m->n, j, a, b;
    if (c->best)
        return HI_OK;
    c->best = malloc(c->env->n_nodes * (n + 1) * (n + 1) * sizeof *c->best);
    if (!c->best)
        return error_set(err, HI_EINTERNAL, "out of memory");
    for (j = 0; j < c->env->n_nodes; j++)
        for (a = 0; a < n; a++)
            for (b = a + 1; b <= n; b++) {
                struct cluster_local L;
                int rc;
                if (!(c->env->usable & (1u << j))) {
                    BEST(c, j, a, b) = INFINITY;
                    continue;
                }
                if ((rc = local_best(c, j, a, b, &L, err)))
                    return rc;
                BEST(c, j, a, b) = L.time;
            }
    return HI_OK;
}

/* ---- global plans ---- */

struct global_ctx {
    const struct cluster_costs *c;
    int gpu_only;
};

static double
global_run_cb(void *ctx, size_t j, size_t a, size_t b)
{
    struct global_ctx *x = ctx;
    struct cluster_local L;
    if (!x->gpu_only)
        return BEST(x->c, j, a, b);
    local_gpu(x->c, j, a, b, &L);
    return L.time;
}

static double
global_move_cb(void *ctx, size_t from, size_t to, size_t k)
{
    struct global_ctx *x = ctx;
    return nodes_s(x->c->env, from, to, cluster_bytes(x->c->m, k));
}

/* Global model partitioning over the nodes (004 Algorithm 1, line 4). */
static int
global_model(const struct cluster_costs *c, int gpu_only, struct cluster_plan *plan, struct hi_error *err)
{
    const struct cluster_env *env = c->env;
    struct global_ctx x = {c, gpu_only};
    struct partition_chain ch;
    struct partition_plan pl;
    size_t s, prev = env->leader;
    int rc;
    memset(&ch, 0, sizeof ch);
    ch.first = 0;
    ch.last = c->m->n;
    ch.n_res = env->n_nodes;
    ch.origin = env->leader;
    ch.usable = env->usable;
    ch.run = global_run_cb;
    ch.move = global_move_cb;
    ch.ctx = &x;
    if ((rc = partition_chain_solve(&ch, PARTITION_SUM, &pl, err)))
        return rc;
    assert(pl.n >= 1);
    plan->mode = CLUSTER_MODEL;
    plan->n = pl.n;
    for (s = 0; s < pl.n; s++) {
        struct cluster_part *pt = &plan->part[s];
        memset(pt, 0, sizeof *pt);
        pt->node = pl.st[s].res;
        pt->a = pl.st[s].a;
        pt->b = pl.st[s].b;
        pt->share = 1;
        pt->scale = 1;
        pt->in = nodes_s(env, prev, pt->node, cluster_bytes(c->m, pt->a));
        if ((rc = local_plan(c, gpu_only, pt->node, pt->a, pt->b, &pt->local, err)))
            return rc;
        prev = pt->node;
    }
    plan->part[pl.n - 1].out = nodes_s(env, prev, env->leader, cluster_bytes(c->m, c->m->n));
    plan->time = cluster_plan_time(plan);
    return HI_OK;
}

/* Data parts from shares; a part with share s computes s (1 + halo) of the input. */
static int
data_parts(const struct cluster_costs *c, int gpu_only, const double *share, struct cluster_plan *plan,
           struct hi_error *err)
{
    const struct cluster_env *env = c->env;
    size_t j, used = 0;
    double h = env->halo;
    for (j = 0; j < env->n_nodes; j++)
        used += share[j] > 0;
    plan->mode = CLUSTER_DATA;
    plan->n = 0;
    for (j = 0; j < env->n_nodes; j++) {
        struct cluster_part *pt;
        int rc;
        if (share[j] <= 0)
            continue;
        pt = &plan->part[plan->n++];
        memset(pt, 0, sizeof *pt);
        pt->node = j;
        pt->a = 0;
        pt->b = c->m->n;
        pt->share = used > 1 ? share[j] : 1;
        pt->scale = used > 1 ? share[j] * (1 + h) : 1;
        pt->in = link_s(env, j, pt->scale * cluster_bytes(c->m, 0));
        pt->out = link_s(env, j, pt->share * cluster_bytes(c->m, c->m->n));
        if ((rc = local_plan(c, gpu_only, j, 0, c->m->n, &pt->local, err)))
            return rc;
    }
    plan->time = cluster_plan_time(plan);
    return HI_OK;
}

/* Global data partitioning (004 Algorithm 1, line 5): the min-max shares.
 * plan->time is inf when the optimum uses one node (a one-block model plan). */
static int
global_data(const struct cluster_costs *c, int gpu_only, struct cluster_plan *plan, struct hi_error *err)
{
    const struct cluster_env *env = c->env;
    double fixed[CLUSTER_MAX_NODES], slope[CLUSTER_MAX_NODES], share[CLUSTER_MAX_NODES];
    unsigned char usable[CLUSTER_MAX_NODES];
    double h = env->halo, din = cluster_bytes(c->m, 0), dout = cluster_bytes(c->m, c->m->n);
    size_t j, used = 0;
    for (j = 0; j < env->n_nodes; j++) {
        double t;
        struct cluster_local L;
        usable[j] = (env->usable >> j) & 1u;
        fixed[j] = slope[j] = 0;
        if (!usable[j])
            continue;
        if (gpu_only) {
            local_gpu(c, j, 0, c->m->n, &L);
            t = L.time;
        } else {
            t = BEST(c, j, 0, c->m->n);
        }
        if (j == env->leader) {
            slope[j] = (1 + h) * t;
        } else {
            fixed[j] = 2 * env->node[j].latency_s;
            slope[j] = (1 + h) * (8.0 * din / env->node[j].link_bps + t) + 8.0 * dout / env->node[j].link_bps;
        }
    }
    partition_shares(env->n_nodes, fixed, slope, usable, share);
    for (j = 0; j < env->n_nodes; j++)
        used += share[j] > 0;
    if (used < 2) {
        /* The optimum is one node (the model plan of one block is faster).
         * The best plan over >= 2 nodes then levels some subset: try each. */
        unsigned S, best_S = 0;
        double best = INFINITY;
        for (S = 1; S < (1u << env->n_nodes); S++) {
            double T;
            size_t count = 0;
            if ((S & env->usable) != S)
                continue;
            for (j = 0; j < env->n_nodes; j++) {
                usable[j] = (S >> j) & 1u;
                count += usable[j];
            }
            if (count < 2)
                continue;
            T = partition_shares(env->n_nodes, fixed, slope, usable, share);
            for (j = 0, count = 0; j < env->n_nodes; j++)
                count += share[j] > 0;
            if (count == (size_t)__builtin_popcount(S) && T < best) {
                best = T;
                best_S = S;
            }
        }
        if (!best_S) {
            plan->mode = CLUSTER_DATA;
            plan->n = 0;
            plan->time = INFINITY;
            return HI_OK;
        }
        for (j = 0; j < env->n_nodes; j++)
            usable[j] = (best_S >> j) & 1u;
        partition_shares(env->n_nodes, fixed, slope, usable, share);
    }
    return data_parts(c, gpu_only, share, plan, err);
}

/* HiDP and DisNet: the faster global mode (004 Algorithm 1, line 6). */
static int
hierarchical(struct cluster_costs *c, int gpu_only, struct cluster_plan *plan, struct hi_error *err)
{
    struct cluster_plan *data = malloc(sizeof *data);
    int rc;
    if (!data)
        return error_set(err, HI_EINTERNAL, "out of memory");
    if (!gpu_only && (rc = best_table(c, err)))
        goto out;
    if ((rc = global_model(c, gpu_only, plan, err)) || (rc = global_data(c, gpu_only, data, err)))
        goto out;
    plan->model_time = plan->time;
    plan->data_time = data->time;
    if (data->time < plan->time) {
        size_t n = data->n;
        plan->mode = data->mode;
        plan->n = n;
        memcpy(plan->part, data->part, n * sizeof *plan->part);
        plan->time = data->time;
    }
out:
    free(data);
    return rc;
}

/* MoDNN: shares proportional to each node's GPU rate on this DNN. */
static int
modnn(const struct cluster_costs *c, struct cluster_plan *plan, struct hi_error *err)
{
    const struct cluster_env *env = c->env;
    double share[CLUSTER_MAX_NODES] = {0}, total = 0;
    size_t j;
    int rc;
    for (j = 0; j < env->n_nodes; j++)
        if (env->usable & (1u << j)) {
            /* the rate the node shows on this DNN: F / its GPU time */
            share[j] = 1.0 / cluster_run_s(c, j, env->node[j].gpu, 0, c->m->n);
            total += share[j];
        }
    for (j = 0; j < env->n_nodes; j++)
        share[j] /= total;
    if ((rc = data_parts(c, 1, share, plan, err)))
        return rc;
    plan->model_time = INFINITY;
    plan->data_time = plan->time;
    return HI_OK;
}

/* OmniBoost: model partitioning over every processor of the cluster. */
struct flat_ctx {
    const struct cluster_costs *c;
    size_t node[PARTITION_MAX_RES], proc[PARTITION_MAX_RES];
};

static double
flat_run_cb(void *ctx, size_t r, size_t a, size_t b)
{
    struct flat_ctx *x = ctx;
    return cluster_run_s(x->c, x->node[r], x->proc[r], a, b);
}

static double
flat_move_cb(void *ctx, size_t from, size_t to, size_t k)
{
    struct flat_ctx *x = ctx;
    const struct cluster_env *env = x->c->env;
    double bytes = cluster_bytes(x->c->m, k);
    if (from == to)
        return 0.0;
    return x_home(env, x->node[from], x->proc[from], bytes) + nodes_s(env, x->node[from], x->node[to], bytes) +
           x_home(env, x->node[to], x->proc[to], bytes);
}

static int
omniboost(const struct cluster_costs *c, struct cluster_plan *plan, struct hi_error *err)
{
    const struct cluster_env *env = c->env;
    struct flat_ctx x;
    struct partition_chain ch;
    struct partition_plan pl;
    size_t j, p, r = 0, s, prev = env->leader, origin = 0;
    int rc;
    memset(&x, 0, sizeof x);
    x.c = c;
    for (j = 0; j < env->n_nodes; j++) {
        if (!(env->usable & (1u << j)))
            continue;
        for (p = 0; p < env->node[j].n_procs; p++) {
            if (r == PARTITION_MAX_RES)
                return error_set(err, HI_EINPUT, "cluster.strategy omniboost: at most %d processors in the "
                                                 "nodes taking part", PARTITION_MAX_RES);
            if (j == env->leader && p == 0)
                origin = r;
            x.node[r] = j;
            x.proc[r] = p;
            r++;
        }
    }
    memset(&ch, 0, sizeof ch);
    ch.first = 0;
    ch.last = c->m->n;
    ch.n_res = r;
    ch.origin = origin;
    ch.usable = (1u << r) - 1;
    ch.run = flat_run_cb;
    ch.move = flat_move_cb;
    ch.ctx = &x;
    if ((rc = partition_chain_max_then_sum(&ch, &pl, err)))
        return rc;
    assert(pl.n >= 1);
    plan->mode = CLUSTER_MODEL;
    plan->n = pl.n;
    for (s = 0; s < pl.n; s++) {
        struct cluster_part *pt = &plan->part[s];
        size_t q = pl.st[s].res;
        memset(pt, 0, sizeof *pt);
        pt->node = x.node[q];
        pt->a = pl.st[s].a;
        pt->b = pl.st[s].b;
        pt->share = 1;
        pt->scale = 1;
        pt->in = nodes_s(env, prev, pt->node, cluster_bytes(c->m, pt->a));
        pt->local.mode = CLUSTER_MODEL;
        pt->local.n = 1;
        stage_single(c, pt->node, x.proc[q], pt->a, pt->b, &pt->local.st[0]);
        pt->local.time = local_time(&pt->local);
        prev = pt->node;
    }
    plan->part[pl.n - 1].out = nodes_s(env, prev, env->leader, cluster_bytes(c->m, c->m->n));
    plan->time = cluster_plan_time(plan);
    plan->model_time = plan->time;
    plan->data_time = INFINITY;
    return HI_OK;
}

int
cluster_plan_make(struct cluster_costs *c, struct cluster_plan *plan, struct hi_error *err)
{
    int rc;
    memset(plan, 0, sizeof *plan);
    plan->strategy = c->env->strategy;
    plan->overhead = c->env->overhead_s;
    switch (c->env->strategy) {
    case CLUSTER_HIDP: rc = hierarchical(c, 0, plan, err); break;
    case CLUSTER_DISNET: rc = hierarchical(c, 1, plan, err); break;
    case CLUSTER_MODNN: rc = modnn(c, plan, err); break;
    case CLUSTER_OMNIBOOST: rc = omniboost(c, plan, err); break;
    default: assert(!"unknown strategy"); rc = HI_EINTERNAL;
    }
    assert(rc || (plan->n >= 1 && isfinite(plan->time)));
    return rc;
}

double
cluster_plan_time(const struct cluster_plan *plan)
{
    double t = 0;
    size_t k;
    for (k = 0; k < plan->n; k++) {
        const struct cluster_part *pt = &plan->part[k];
        double x = pt->in + pt->scale * pt->local.time + pt->out;
        if (plan->mode == CLUSTER_MODEL)
            t += x;
        else if (x > t)
            t = x;
    }
    return t;
}
