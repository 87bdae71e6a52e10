/* check_cluster.c — HiDP and its baselines (004) against independent
 * oracles: brute force over every partition and order, closed forms of
 * data partitioning, the strategies' invariants, and the simulator against
 * hand-computed timelines and queueing theory. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/cluster.h"
#include "sim/cluster_config.h"
#include "sim/cluster_plan.h"
#include "sim/config.h"
#include "sim/partition.h"
#include "sim/scenario.h"
#include "tests/suites.h"
#include "tests/util.h"

#define REL(a, b) (fabs((double)(a) - (double)(b)) <= 1e-9 * fmax(1.0, fmax(fabs((double)(a)), fabs((double)(b)))))

/* ------------------------------------------------------------------ */
/* partition_chain against a brute force over cuts and resource orders */

struct rand_chain {
    size_t n_res;
    double run[PARTITION_MAX_RES][10][10];     /* arbitrary, not additive */
    double move[PARTITION_MAX_RES][PARTITION_MAX_RES][10];
};

static double
rc_run(void *ctx, size_t r, size_t a, size_t b)
{
    return ((struct rand_chain *)ctx)->run[r][a][b];
}

static double
rc_move(void *ctx, size_t from, size_t to, size_t k)
{
    return from == to ? 0.0 : ((struct rand_chain *)ctx)->move[from][to][k];
}

struct brute {
    const struct partition_chain *p;
    double best_sum, best_max, cap, best_capped_sum;
};

/* every plan: blocks (from, b] on resources not in `used`, the last one `last` */
static void
brute_rec(struct brute *B, size_t from, unsigned used, size_t last, double sum, double mx)
{
    const struct partition_chain *p = B->p;
    size_t r, b;
    if (from == p->last) {
        double out = p->move(p->ctx, last, p->origin, p->last);
        double s = sum + out, m = out > mx ? out : mx;
        if (s < B->best_sum)
            B->best_sum = s;
        if (m < B->best_max)
            B->best_max = m;
        if (m <= B->cap && s < B->best_capped_sum)
            B->best_capped_sum = s;
        return;
    }
    for (r = 0; r < p->n_res; r++) {
        if (!(p->usable & (1u << r)) || (used & (1u << r)))
            continue;
        for (b = from + 1; b <= p->last; b++) {
            double stage = p->move(p->ctx, used ? last : p->origin, r, from) + p->run(p->ctx, r, from, b);
            brute_rec(B, b, used | (1u << r), r, sum + stage, stage > mx ? stage : mx);
        }
    }
}

/* the plan is a valid partition whose recomputed objective is its time */
static void
check_plan(const struct partition_chain *p, const struct partition_plan *pl)
{
    size_t s, at = p->first;
    unsigned used = 0;
    double sum = 0, mx = 0, out;
    ck_assert_uint_ge(pl->n, 1);
    for (s = 0; s < pl->n; s++) {
        double stage;
        ck_assert_uint_eq(pl->st[s].a, at);
        ck_assert_uint_gt(pl->st[s].b, pl->st[s].a);
        ck_assert(p->usable & (1u << pl->st[s].res));
        ck_assert(!(used & (1u << pl->st[s].res)));
        stage = p->move(p->ctx, s ? pl->st[s - 1].res : p->origin, pl->st[s].res, at) +
                p->run(p->ctx, pl->st[s].res, pl->st[s].a, pl->st[s].b);
        sum += stage;
        mx = stage > mx ? stage : mx;
        used |= 1u << pl->st[s].res;
        at = pl->st[s].b;
    }
    ck_assert_uint_eq(at, p->last);
    out = p->move(p->ctx, pl->st[pl->n - 1].res, p->origin, p->last);
    sum += out;
    mx = out > mx ? out : mx;
    ck_assert(REL(sum, pl->sum));
    ck_assert(REL(mx, pl->max));
}

/* The DP equals a brute force over all contiguous partitions and orders of
 * distinct resources (N <= 8 layers, R <= 4), for SUM, MAX and MAX-then-SUM,
 * on random non-additive costs, sub-ranges and masks. */
START_TEST(test_chain_brute_force)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    struct rand_chain *x = malloc(sizeof *x);
    int trial;
    gsl_rng_set(rng, 11);
    for (trial = 0; trial < 400; trial++) {
        struct partition_chain p;
        struct partition_plan pl;
        struct brute B;
        struct hi_error err = {0};
        size_t r, q, a, b, n = 1 + gsl_rng_uniform_int(rng, 8);
        memset(&p, 0, sizeof p);
        x->n_res = 1 + gsl_rng_uniform_int(rng, 4);
        for (r = 0; r < x->n_res; r++)
            for (a = 0; a < 10; a++) {
                for (b = 0; b < 10; b++)
                    x->run[r][a][b] = gsl_rng_uniform(rng) * (double)(b > a ? b - a : 1) + 0.1 * gsl_rng_uniform(rng);
                for (q = 0; q < x->n_res; q++)
                    x->move[r][q][a] = gsl_rng_uniform(rng) < 0.2 ? 0.0 : gsl_rng_uniform(rng);
            }
        p.first = gsl_rng_uniform_int(rng, 2);
        p.last = p.first + n;
        p.n_res = x->n_res;
        p.origin = gsl_rng_uniform_int(rng, x->n_res);
        do
            p.usable = (unsigned)gsl_rng_uniform_int(rng, 1u << x->n_res);
        while (!p.usable);
        p.run = rc_run;
        p.move = rc_move;
        p.ctx = x;

        B.p = &p;
        B.best_sum = B.best_max = B.best_capped_sum = INFINITY;
        B.cap = INFINITY;
        brute_rec(&B, p.first, 0, p.origin, 0, 0);
        ck_assert_int_eq(partition_chain_solve(&p, PARTITION_SUM, &pl, &err), 0);
        ck_assert_msg(REL(pl.time, B.best_sum), "trial %d: DP %g, brute force %g", trial, pl.time, B.best_sum);
        check_plan(&p, &pl);
        ck_assert(REL(pl.sum, pl.time));
        ck_assert_int_eq(partition_chain_solve(&p, PARTITION_MAX, &pl, &err), 0);
        ck_assert_msg(REL(pl.time, B.best_max), "trial %d: DP %g, brute force %g", trial, pl.time, B.best_max);
        check_plan(&p, &pl);
        /* the least latency among the plans of the optimal bottleneck */
        B.cap = B.best_max * (1 + 1e-12);
        B.best_sum = B.best_max = B.best_capped_sum = INFINITY;
        brute_rec(&B, p.first, 0, p.origin, 0, 0);
        ck_assert_int_eq(partition_chain_max_then_sum(&p, &pl, &err), 0);
        check_plan(&p, &pl);
        ck_assert(REL(pl.max, B.best_max));
        ck_assert_msg(REL(pl.sum, B.best_capped_sum), "trial %d: %g vs %g", trial, pl.sum, B.best_capped_sum);
    }
    free(x);
    gsl_rng_free(rng);
}
END_TEST

/* ------------------------------------------------------------------ */
/* partition_shares: closed forms and optimality */

/* Hand computations: with equal fixed times the shares are proportional to
 * 1/slope; a late resource joins only when the level passes its fixed time. */
START_TEST(test_shares_hand)
{
    double fixed[3] = {0, 0.01, 0.5}, slope[3] = {0.1, 0.05, 0.01}, share[3];
    unsigned char use2[3] = {1, 1, 0};
    double T = partition_shares(3, fixed, slope, use2, share);
    /* T = (1 + 0.01/0.05) / (1/0.1 + 1/0.05) = 1.2 / 30 */
    ck_assert(REL(T, 0.04));
    ck_assert(REL(share[0], 0.4));
    ck_assert(REL(share[1], 0.6));
    ck_assert(share[2] == 0);
    /* the third, at 0.5 s, is later than the level 0.04: unused */
    T = partition_shares(3, fixed, slope, NULL, share);
    ck_assert(REL(T, 0.04));
    ck_assert(share[2] == 0);
    /* fixed 0 everywhere: T = 1 / sum(1/slope) */
    fixed[1] = fixed[2] = 0;
    T = partition_shares(3, fixed, slope, NULL, share);
    ck_assert(REL(T, 1.0 / (10 + 20 + 100)));
    ck_assert(REL(share[2], 100.0 / 130));
    ck_assert(REL(partition_shares_time(3, fixed, slope, share), T));
}
END_TEST

/* On random instances the level is the finish time of its own shares, the
 * shares sum to 1, and no random share vector finishes earlier. */
START_TEST(test_shares_optimal)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int trial, k;
    gsl_rng_set(rng, 5);
    for (trial = 0; trial < 200; trial++) {
        size_t n = 1 + gsl_rng_uniform_int(rng, 5), i;
        double fixed[5], slope[5], share[5], alpha[5], x[5], T, sum = 0;
        for (i = 0; i < n; i++) {
            fixed[i] = gsl_rng_uniform(rng) < 0.3 ? 0 : gsl_rng_uniform(rng);
            slope[i] = 0.05 + gsl_rng_uniform(rng);
            alpha[i] = 0.5;
        }
        T = partition_shares(n, fixed, slope, NULL, share);
        for (i = 0; i < n; i++)
            sum += share[i];
        ck_assert(REL(sum, 1.0));
        ck_assert(REL(partition_shares_time(n, fixed, slope, share), T));
        for (k = 0; k < 500; k++) {
            gsl_ran_dirichlet(rng, n, alpha, x);
            /* sparse vectors too: drop some resources */
            for (i = 0; i < n; i++)
                if (gsl_rng_uniform(rng) < 0.3)
                    x[i] = 0;
            sum = 0;
            for (i = 0; i < n; i++)
                sum += x[i];
            if (sum <= 0)
                continue;
            for (i = 0; i < n; i++)
                x[i] /= sum;
            ck_assert(partition_shares_time(n, fixed, slope, x) >= T * (1 - 1e-12));
        }
    }
    gsl_rng_free(rng);
}
END_TEST

/* ------------------------------------------------------------------ */
/* random clusters and DNNs, and an oracle of the cost model */

struct inst {
    struct cluster_config cc;
    struct hi_config cfg;
    size_t n;
    double flops[10], out[10];
    char *type[10];
    struct cluster_model m;
};

static char type_conv[] = "conv", type_dense[] = "dense";

static void single(struct inst *I, double flops, double active_w, double idle_w);

static void
inst_random(struct inst *I, gsl_rng *rng, size_t max_nodes, size_t max_layers)
{
    size_t j, p, i;
    memset(I, 0, sizeof *I);
    config_defaults(&I->cfg);
    I->cfg.cluster.halo = gsl_rng_uniform(rng) < 0.5 ? 0 : 0.3 * gsl_rng_uniform(rng);
    I->cfg.cluster.efficiency = 0.2 + 0.8 * gsl_rng_uniform(rng);
    I->cfg.hidp.overhead_ms = 0;
    I->cc.n_nodes = 1 + gsl_rng_uniform_int(rng, max_nodes);
    for (j = 0; j < I->cc.n_nodes; j++) {
        struct cluster_node *n = &I->cc.node[j];
        snprintf(n->name, sizeof n->name, "n%zu", j);
        n->available = 1;
        n->rate_mbps = 10 + 90 * gsl_rng_uniform(rng);
        n->latency_ms = gsl_rng_uniform(rng) < 0.3 ? 0 : 5 * gsl_rng_uniform(rng);
        n->n_procs = 1 + gsl_rng_uniform_int(rng, 3);
        for (p = 0; p < n->n_procs; p++) {
            struct cluster_proc *q = &n->proc[p];
            snprintf(q->name, sizeof q->name, "p%zu", p);
            q->unit = p == 1 ? CLUSTER_GPU : CLUSTER_CPU;
            q->gflops = 1 + 99 * gsl_rng_uniform(rng);
            q->efficiency = gsl_rng_uniform(rng) < 0.5 ? NAN : 0.1 + 0.9 * gsl_rng_uniform(rng);
            if (gsl_rng_uniform(rng) < 0.3) {
                q->n_eff = 1;
                strcpy(q->eff_type[0], "dense");
                q->eff[0] = 0.05 + 0.5 * gsl_rng_uniform(rng);
            }
            q->comm_mbps = 100 + 10000 * gsl_rng_uniform(rng);
            q->active_w = 1 + 5 * gsl_rng_uniform(rng);
            q->idle_w = gsl_rng_uniform(rng);
        }
    }
    I->n = 1 + gsl_rng_uniform_int(rng, max_layers);
    for (i = 0; i < I->n; i++) {
        I->flops[i] = 1e6 + 1e9 * gsl_rng_uniform(rng);
        I->out[i] = gsl_rng_uniform(rng) < 0.2 ? 0 : 1e6 * gsl_rng_uniform(rng);
        I->type[i] = gsl_rng_uniform(rng) < 0.3 ? type_dense : type_conv;
    }
    I->m.name = "random";
    I->m.n = I->n;
    I->m.flops = I->flops;
    I->m.out_bytes = I->out;
    I->m.type = I->type;
    I->m.in_bytes = 1e5 * gsl_rng_uniform(rng);
}

/* -- the oracle: the cost model of docs/partitioning.md ("HiDP"), computed from scratch -- */

static double
o_rate(const struct inst *I, size_t j, size_t p, size_t i)
{
    const struct cluster_proc *q = &I->cc.node[j].proc[p];
    double e = isnan(q->efficiency) ? I->cfg.cluster.efficiency : q->efficiency;
    if (q->n_eff && strcmp(q->eff_type[0], I->type[i]) == 0)
        e = q->eff[0];
    return q->gflops * 1e9 * e;
}

static double
o_run(const struct inst *I, size_t j, size_t p, size_t a, size_t b)
{
    double t = 0;
    size_t i;
    for (i = a; i < b; i++)
        t += I->flops[i] / o_rate(I, j, p, i);
    return t;
}

static double
o_bytes(const struct inst *I, size_t k)
{
    return k == 0 ? I->m.in_bytes : I->out[k - 1];
}

static double
o_x(const struct inst *I, size_t j, size_t p, double bytes)
{
    return p == 0 ? 0 : 8 * bytes / (I->cc.node[j].proc[p].comm_mbps * 1e6);
}

static double
o_link(const struct inst *I, size_t leader, size_t j, double bytes)
{
    return j == leader ? 0 : I->cc.node[j].latency_ms * 1e-3 + 8 * bytes / (I->cc.node[j].rate_mbps * 1e6);
}

/* best local chain over the node's processors: every cut and order */
static double
o_local_chain(const struct inst *I, size_t j, size_t from, size_t to, unsigned used, size_t last)
{
    double best = INFINITY;
    size_t p, b;
    if (from == to)
        return o_x(I, j, last, o_bytes(I, to));
    for (p = 0; p < I->cc.node[j].n_procs; p++) {
        if (used & (1u << p))
            continue;
        for (b = from + 1; b <= to; b++) {
            double t = (used ? o_x(I, j, last, o_bytes(I, from)) : 0) + o_x(I, j, p, o_bytes(I, from)) +
                       o_run(I, j, p, from, b) + o_local_chain(I, j, b, to, used | (1u << p), p);
            if (t < best)
                best = t;
        }
    }
    return best;
}

/* local data partitioning over all processors (fixed times 0: all used) */
static double
o_local_data(const struct inst *I, size_t j, size_t a, size_t b)
{
    double inv = 0, h = I->cfg.cluster.halo;
    size_t p;
    if (I->cc.node[j].n_procs < 2)
        return INFINITY;
    for (p = 0; p < I->cc.node[j].n_procs; p++)
        inv += 1.0 / ((1 + h) * (o_run(I, j, p, a, b) + o_x(I, j, p, o_bytes(I, a))) + o_x(I, j, p, o_bytes(I, b)));
    return 1.0 / inv;
}

static double
o_local(const struct inst *I, size_t j, size_t a, size_t b, int gpu_only, size_t gpu)
{
    double c, d;
    if (gpu_only)
        return o_x(I, j, gpu, o_bytes(I, a)) + o_run(I, j, gpu, a, b) + o_x(I, j, gpu, o_bytes(I, b));
    c = o_local_chain(I, j, a, b, 0, 0);
    d = o_local_data(I, j, a, b);
    return c < d ? c : d;
}

struct o_global {
    const struct inst *I;
    const struct cluster_env *env;
    int gpu_only;
    double best;
};

static void
o_global_rec(struct o_global *G, size_t from, unsigned used, size_t last, double t)
{
    const struct inst *I = G->I;
    size_t L = G->env->leader, j, b;
    if (from == I->n) {
        t += last == L ? 0 : o_link(I, L, last, o_bytes(I, I->n));
        if (t < G->best)
            G->best = t;
        return;
    }
    for (j = 0; j < I->cc.n_nodes; j++) {
        double in;
        if (!(G->env->usable & (1u << j)) || (used & (1u << j)))
            continue;
        in = j == last ? 0 : o_link(I, L, last, o_bytes(I, from)) + o_link(I, L, j, o_bytes(I, from));
        for (b = from + 1; b <= I->n; b++)
            o_global_rec(G, b, used | (1u << j), j,
                         t + in + o_local(I, j, from, b, G->gpu_only, G->env->node[j].gpu));
    }
}

/* data mode over node subsets of >= 2: the level of each subset, when valid */
static double
o_global_data(const struct inst *I, const struct cluster_env *env, int gpu_only)
{
    size_t J = I->cc.n_nodes, L = env->leader, j, N = I->n;
    double best = INFINITY, h = I->cfg.cluster.halo, fixed[8], slope[8];
    unsigned S;
    for (j = 0; j < J; j++) {
        double t = o_local(I, j, 0, N, gpu_only, env->node[j].gpu);
        fixed[j] = j == L ? 0 : 2 * I->cc.node[j].latency_ms * 1e-3;
        slope[j] = j == L ? (1 + h) * t
                          : (1 + h) * (8 * o_bytes(I, 0) / (I->cc.node[j].rate_mbps * 1e6) + t) +
                                8 * o_bytes(I, N) / (I->cc.node[j].rate_mbps * 1e6);
    }
    for (S = 1; S < (1u << J); S++) {
        double num = 1, den = 0, T;
        int ok = 1, count = 0;
        if ((S & env->usable) != S)
            continue;
        for (j = 0; j < J; j++)
            if (S & (1u << j)) {
                num += fixed[j] / slope[j];
                den += 1 / slope[j];
                count++;
            }
        if (count < 2)
            continue;
        T = num / den;
        for (j = 0; j < J; j++)
            if ((S & (1u << j)) && fixed[j] >= T)
                ok = 0;
        if (ok && T < best)
            best = T;
    }
    return best;
}

static void
plan_of(struct inst *I, int strategy, struct cluster_env *env, struct cluster_plan *plan)
{
    struct cluster_costs c;
    struct hi_error err = {0};
    I->cfg.cluster.strategy = strategy;
    ck_assert_msg(cluster_env_init(env, &I->cc, &I->cfg, &err) == 0, "%s", err.msg);
    ck_assert_msg(cluster_costs_init(&c, env, &I->m, &err) == 0, "%s", err.msg);
    ck_assert_msg(cluster_plan_make(&c, plan, &err) == 0, "%s", err.msg);
    cluster_costs_free(&c);
}

/* HiDP's global model partitioning (with its local step inside) equals a
 * brute force over every contiguous partition and every order of distinct
 * nodes, each block costed by a brute force over the node's local plans;
 * its data partitioning equals the best level over node subsets; the plan
 * is the faster of the two.  The same for DisNet with GPU-only nodes.
 * N <= 8 layers, J <= 4 nodes, random rates, links, halos, efficiencies. */
START_TEST(test_hidp_brute_force)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    struct inst *I = malloc(sizeof *I);
    struct cluster_plan *plan = malloc(sizeof *plan);
    int trial, gpu_only;
    gsl_rng_set(rng, 7);
    for (trial = 0; trial < 150; trial++) {
        inst_random(I, rng, 4, 8);
        if (I->cc.n_nodes > 1 && gsl_rng_uniform(rng) < 0.3)
            I->cc.node[1 + gsl_rng_uniform_int(rng, I->cc.n_nodes - 1)].available = 0;
        I->cfg.cluster.leader[0] = '\0';
        if (gsl_rng_uniform(rng) < 0.3)
            snprintf(I->cfg.cluster.leader, sizeof I->cfg.cluster.leader, "n%zu",
                     gsl_rng_uniform_int(rng, I->cc.n_nodes));
        if (!I->cc.node[I->cfg.cluster.leader[0] ? I->cfg.cluster.leader[1] - '0' : 0].available)
            continue;
        for (gpu_only = 0; gpu_only < 2; gpu_only++) {
            struct cluster_env env;
            struct o_global G;
            double data;
            plan_of(I, gpu_only ? CLUSTER_DISNET : CLUSTER_HIDP, &env, plan);
            G.I = I;
            G.env = &env;
            G.gpu_only = gpu_only;
            G.best = INFINITY;
            o_global_rec(&G, 0, 0, env.leader, 0);
            ck_assert_msg(REL(plan->model_time, G.best), "trial %d (%s): DP %.17g, brute force %.17g", trial,
                          gpu_only ? "disnet" : "hidp", plan->model_time, G.best);
            data = o_global_data(I, &env, gpu_only);
            ck_assert_msg((isinf(data) && isinf(plan->data_time)) || REL(plan->data_time, data),
                          "trial %d: data %.17g, oracle %.17g", trial, plan->data_time, data);
            ck_assert(REL(plan->time, fmin(G.best, data)));
            ck_assert(REL(cluster_plan_time(plan), plan->time));
        }
    }
    free(plan);
    free(I);
    gsl_rng_free(rng);
}
END_TEST

/* OmniBoost over the flat set of processors */
struct o_flat {
    const struct inst *I;
    size_t L, n;
    size_t node[16], proc[16];
    double cap, best_max, best_sum;
};

static double
o_flat_move(const struct o_flat *F, size_t from, size_t to, double bytes)
{
    const struct inst *I = F->I;
    size_t jf = from == 99 ? F->L : F->node[from], jt = to == 99 ? F->L : F->node[to];
    double x = (from == 99 ? 0 : o_x(I, jf, F->proc[from], bytes)) + (to == 99 ? 0 : o_x(I, jt, F->proc[to], bytes));
    if (jf != jt)
        x += o_link(I, F->L, jf, bytes) + o_link(I, F->L, jt, bytes);
    return x;
}

static void
o_flat_rec(struct o_flat *F, size_t from, unsigned used, size_t last, double sum, double mx)
{
    const struct inst *I = F->I;
    size_t q, b;
    if (from == I->n) {
        double out = o_flat_move(F, last, 99, o_bytes(I, I->n));
        sum += out;
        mx = out > mx ? out : mx;
        if (mx < F->best_max)
            F->best_max = mx;
        if (mx <= F->cap && sum < F->best_sum)
            F->best_sum = sum;
        return;
    }
    for (q = 0; q < F->n; q++) {
        if (used & (1u << q))
            continue;
        for (b = from + 1; b <= I->n; b++) {
            double st = o_flat_move(F, last, q, o_bytes(I, from)) + o_run(I, F->node[q], F->proc[q], from, b);
            o_flat_rec(F, b, used | (1u << q), q, sum + st, st > mx ? st : mx);
        }
    }
}

/* OmniBoost's plan is, over every contiguous partition and order of the
 * cluster's processors, the least latency among those of the least
 * bottleneck stage (a brute force; J <= 3 nodes, N <= 6 layers). */
START_TEST(test_omniboost_brute_force)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    struct inst *I = malloc(sizeof *I);
    struct cluster_plan *plan = malloc(sizeof *plan);
    int trial;
    gsl_rng_set(rng, 31);
    for (trial = 0; trial < 40; trial++) {
        struct cluster_env env;
        struct o_flat F;
        size_t j, p;
        inst_random(I, rng, 3, 6);
        plan_of(I, CLUSTER_OMNIBOOST, &env, plan);
        memset(&F, 0, sizeof F);
        F.I = I;
        F.L = env.leader;
        for (j = 0; j < I->cc.n_nodes; j++)
            for (p = 0; p < I->cc.node[j].n_procs; p++) {
                F.node[F.n] = j;
                F.proc[F.n++] = p;
            }
        F.cap = F.best_max = F.best_sum = INFINITY;
        o_flat_rec(&F, 0, 0, 99, 0, 0);
        F.cap = F.best_max * (1 + 1e-12);
        F.best_sum = INFINITY;
        o_flat_rec(&F, 0, 0, 99, 0, 0);
        ck_assert_msg(REL(plan->time, F.best_sum), "trial %d: %.17g vs %.17g", trial, plan->time, F.best_sum);
    }
    free(plan);
    free(I);
    gsl_rng_free(rng);
}
END_TEST

/* Data partitioning with zero halo and nothing to move gives F / sum Lambda
 * (004 eq. (2): Lambda_j = sum_k lambda_jk), shares proportional to Lambda_j. */
START_TEST(test_data_zero_halo)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    struct inst *I = malloc(sizeof *I);
    struct cluster_plan *plan = malloc(sizeof *plan);
    int trial;
    gsl_rng_set(rng, 3);
    for (trial = 0; trial < 100; trial++) {
        struct cluster_env env;
        double F = 0, lambda_sum = 0, node_rate[CLUSTER_MAX_NODES] = {0};
        size_t i, j, p, k;
        inst_random(I, rng, 4, 8);
        if (I->cc.n_nodes < 2)
            continue;
        I->cfg.cluster.halo = 0;
        I->m.in_bytes = 0;
        for (i = 0; i < I->n; i++) {
            I->out[i] = 0;
            I->type[i] = type_conv;
        }
        for (j = 0; j < I->cc.n_nodes; j++) {
            I->cc.node[j].latency_ms = 0;
            for (p = 0; p < I->cc.node[j].n_procs; p++) {
                I->cc.node[j].proc[p].n_eff = 0;
                node_rate[j] += o_rate(I, j, p, 0);
            }
            lambda_sum += node_rate[j];
        }
        for (i = 0; i < I->n; i++)
            F += I->flops[i];
        plan_of(I, CLUSTER_HIDP, &env, plan);
        ck_assert_int_eq(plan->mode, CLUSTER_DATA);
        ck_assert_msg(fabs(plan->data_time - F / lambda_sum) <= 1e-12 * (F / lambda_sum), "%.17g vs %.17g",
                      plan->data_time, F / lambda_sum);
        ck_assert_uint_eq(plan->n, I->cc.n_nodes);
        for (k = 0; k < plan->n; k++)
            ck_assert(fabs(plan->part[k].share - node_rate[plan->part[k].node] / lambda_sum) <= 1e-12);
    }
    free(plan);
    free(I);
    gsl_rng_free(rng);
}
END_TEST

/* Under one cost model, for one request: HiDP <= DisNet (its local options
 * include GPU-only) and DisNet <= MoDNN (MoDNN's shares are one of DisNet's
 * data plans).  Random clusters, halos and DNNs. */
START_TEST(test_invariants)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    struct inst *I = malloc(sizeof *I);
    struct cluster_plan *h = malloc(sizeof *h), *d = malloc(sizeof *d), *m = malloc(sizeof *m);
    int trial;
    gsl_rng_set(rng, 19);
    for (trial = 0; trial < 300; trial++) {
        struct cluster_env env;
        inst_random(I, rng, 5, 10);
        plan_of(I, CLUSTER_HIDP, &env, h);
        plan_of(I, CLUSTER_DISNET, &env, d);
        plan_of(I, CLUSTER_MODNN, &env, m);
        ck_assert_msg(h->time <= d->time * (1 + 1e-12), "trial %d: hidp %g > disnet %g", trial, h->time, d->time);
        ck_assert_msg(d->time <= m->time * (1 + 1e-12), "trial %d: disnet %g > modnn %g", trial, d->time, m->time);
    }
    free(h);
    free(d);
    free(m);
    free(I);
    gsl_rng_free(rng);
}
END_TEST

/* MoDNN gives each node a share proportional to its GPU's rate (the CPUs
 * idle), every share with the halo: hand-computed for GPUs of 20 and 10
 * GFLOP/s, free links, halo 0.1. */
START_TEST(test_modnn_shares)
{
    struct inst *I = malloc(sizeof *I);
    struct cluster_plan *plan = malloc(sizeof *plan);
    struct cluster_env env;
    double F = 0;
    size_t i, k;
    single(I, 2e8, 1, 0);
    I->cc.n_nodes = 2;
    for (k = 0; k < 2; k++) {
        struct cluster_node *n = &I->cc.node[k];
        *n = I->cc.node[0];
        snprintf(n->name, sizeof n->name, "n%zu", k);
        n->rate_mbps = 1e9;
        n->latency_ms = 0;
        n->n_procs = 2;
        n->proc[0].gflops = 50;          /* a fast CPU MoDNN does not use */
        n->proc[1] = n->proc[0];
        strcpy(n->proc[1].name, "gpu");
        n->proc[1].unit = CLUSTER_GPU;
        n->proc[1].gflops = k ? 10 : 20;
    }
    I->cfg.cluster.halo = 0.1;
    I->cfg.cluster.efficiency = 0.5;
    for (i = 0; i < I->n; i++)
        F += I->flops[i];
    plan_of(I, CLUSTER_MODNN, &env, plan);
    ck_assert_int_eq(plan->mode, CLUSTER_DATA);
    ck_assert_uint_eq(plan->n, 2);
    ck_assert(REL(plan->part[0].share, 2.0 / 3));
    ck_assert(REL(plan->part[1].share, 1.0 / 3));
    for (k = 0; k < 2; k++) {
        ck_assert_uint_eq(plan->part[k].local.n, 1);
        ck_assert_uint_eq(plan->part[k].local.st[0].proc, 1);
        ck_assert(REL(plan->part[k].scale, plan->part[k].share * 1.1));
    }
    /* both finish together: 1.1 x (2/3) F / (20e9 x 0.5), plus the transfers */
    ck_assert(REL(plan->time, 1.1 * (2.0 / 3) * F / 10e9 + 8 * 1.1 * (1.0 / 3) * I->m.in_bytes / 1e15 +
                                  8 * (1.0 / 3) * I->out[2] / 1e15));
    free(plan);
    free(I);
}
END_TEST

/* An unavailable node gets no work from any strategy, even when it is by
 * far the fastest; cluster.node_count leaves out the nodes after the first
 * N the same way. */
START_TEST(test_unavailable)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    struct inst *I = malloc(sizeof *I);
    struct cluster_plan *plan = malloc(sizeof *plan);
    int trial, s, count_mode;
    gsl_rng_set(rng, 23);
    for (trial = 0; trial < 60; trial++) {
        size_t off, k, p;
        inst_random(I, rng, 4, 6);
        if (I->cc.n_nodes < 2)
            continue;
        off = I->cc.n_nodes - 1;
        for (p = 0; p < I->cc.node[off].n_procs; p++)
            I->cc.node[off].proc[p].gflops = 1e6;     /* 10^4 x the others */
        I->cc.node[off].rate_mbps = 1e6;
        for (count_mode = 0; count_mode < 2; count_mode++) {
            I->cc.node[off].available = count_mode;
            I->cfg.cluster.node_count = count_mode ? off : 0;
            for (s = 0; s < 4; s++) {
                struct cluster_env env;
                plan_of(I, s, &env, plan);
                ck_assert(!(env.usable & (1u << off)));
                for (k = 0; k < plan->n; k++)
                    ck_assert_uint_ne(plan->part[k].node, off);
            }
        }
        /* available again: the fast node is used (the test can fail) */
        I->cc.node[off].available = 1;
        I->cfg.cluster.node_count = 0;
        {
            struct cluster_env env;
            int used = 0;
            plan_of(I, CLUSTER_HIDP, &env, plan);
            for (k = 0; k < plan->n; k++)
                used |= plan->part[k].node == off;
            ck_assert(used);
        }
    }
    free(plan);
    free(I);
    gsl_rng_free(rng);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the simulator */

/* a workloads view of one in-memory DNN, for every stream */
static void
workloads_of(struct cluster_workloads *w, struct cluster_model *models, size_t n_models,
             const struct cluster_config *cc, size_t (*pick)[8])
{
    size_t s, k;
    memset(w, 0, sizeof *w);
    w->n = n_models;
    w->model = models;
    for (s = 0; s < cc->n_streams; s++) {
        w->of[s] = calloc(cc->stream[s].n_profiles, sizeof *w->of[s]);
        for (k = 0; k < cc->stream[s].n_profiles; k++)
            w->of[s][k] = pick ? pick[s][k] : 0;
    }
}

static void
workloads_release(struct cluster_workloads *w)
{
    size_t s;
    for (s = 0; s < CLUSTER_MAX_STREAMS; s++)
        free(w->of[s]);
}

static char prof_a[] = "a.csv", prof_b[] = "b.csv";
static char *one_profile[] = {prof_a}, *two_profiles[] = {prof_a, prof_b};

static void
one_stream(struct cluster_config *cc, int arrivals, double period_ms, size_t count)
{
    cc->n_streams = 1;
    memset(&cc->stream[0], 0, sizeof cc->stream[0]);
    cc->stream[0].arrivals = arrivals;
    cc->stream[0].period_ms = period_ms;
    cc->stream[0].rate_hz = period_ms > 0 ? 1e3 / period_ms : 0;
    cc->stream[0].count = count;
    cc->stream[0].n_profiles = 1;
    cc->stream[0].profile = one_profile;
}

/* A lone request takes exactly its plan's time in the simulator (every
 * strategy, random clusters), plus the 15 ms overhead exactly once for hidp. */
START_TEST(test_lone_request_is_plan)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    struct inst *I = malloc(sizeof *I);
    int trial, s;
    gsl_rng_set(rng, 29);
    for (trial = 0; trial < 80; trial++) {
        inst_random(I, rng, 4, 8);
        I->cfg.hidp.overhead_ms = trial % 2 ? 15 : 0;
        one_stream(&I->cc, CLUSTER_PERIODIC, 0, 1);
        for (s = 0; s < 4; s++) {
            struct cluster_workloads w;
            struct cluster_result r;
            struct hi_error err = {0};
            double want;
            I->cfg.cluster.strategy = s;
            workloads_of(&w, &I->m, 1, &I->cc, NULL);
            ck_assert_msg(cluster_run(&I->cfg, &I->cc, &w, &r, &err) == 0, "%s", err.msg);
            ck_assert_uint_eq(r.completed, 1);
            want = r.plan[0].time + (s == CLUSTER_HIDP ? I->cfg.hidp.overhead_ms * 1e-3 : 0);
            ck_assert_msg(REL(r.mean_response_s, want), "trial %d strategy %d: %.17g vs %.17g", trial, s,
                          r.mean_response_s, want);
            ck_assert(REL(r.makespan_s, want));
            if (s == CLUSTER_HIDP)
                ck_assert(r.plan[0].overhead == I->cfg.hidp.overhead_ms * 1e-3);
            else
                ck_assert(r.plan[0].overhead == 0);
            cluster_result_free(&r);
            workloads_release(&w);
        }
    }
    free(I);
    gsl_rng_free(rng);
}
END_TEST

/* one node, one processor of 1 GFLOP/s, one layer of F FLOPs */
static void
single(struct inst *I, double flops, double active_w, double idle_w)
{
    memset(I, 0, sizeof *I);
    config_defaults(&I->cfg);
    I->cfg.hidp.overhead_ms = 0;
    I->cc.n_nodes = 1;
    strcpy(I->cc.node[0].name, "solo");
    I->cc.node[0].available = 1;
    I->cc.node[0].rate_mbps = NAN;
    I->cc.node[0].n_procs = 1;
    strcpy(I->cc.node[0].proc[0].name, "cpu");
    I->cc.node[0].proc[0].gflops = 1;
    I->cc.node[0].proc[0].efficiency = NAN;
    I->cc.node[0].proc[0].comm_mbps = INFINITY;
    I->cc.node[0].proc[0].active_w = active_w;
    I->cc.node[0].proc[0].idle_w = idle_w;
    I->n = 3;
    I->flops[0] = flops * 0.5;
    I->flops[1] = flops * 0.25;
    I->flops[2] = flops * 0.25;
    I->out[0] = I->out[1] = I->out[2] = 1000;
    I->type[0] = I->type[1] = I->type[2] = type_conv;
    I->m.name = "solo";
    I->m.n = 3;
    I->m.flops = I->flops;
    I->m.out_bytes = I->out;
    I->m.type = I->type;
    I->m.in_bytes = 5000;
}

/* One node with one processor is plain local execution: every strategy
 * takes sum F_i / lambda, and the energy is active power x that time. */
START_TEST(test_single_node)
{
    struct inst *I = malloc(sizeof *I);
    int s;
    for (s = 0; s < 4; s++) {
        struct cluster_workloads w;
        struct cluster_result r;
        struct hi_error err = {0};
        single(I, 2e8, 5, 1);            /* 0.2 s at 1 GFLOP/s */
        one_stream(&I->cc, CLUSTER_PERIODIC, 0, 1);
        I->cfg.cluster.strategy = s;
        workloads_of(&w, &I->m, 1, &I->cc, NULL);
        ck_assert_int_eq(cluster_run(&I->cfg, &I->cc, &w, &r, &err), 0);
        ck_assert(REL(r.plan[0].time, 0.2));
        ck_assert(REL(r.mean_response_s, 0.2));
        ck_assert_uint_eq(r.plan[0].n, 1);
        ck_assert_uint_eq(r.plan[0].part[0].local.n, 1);
        /* idle 1 W x 0.2 s + (5 - 1) W x 0.2 s busy */
        ck_assert(REL(r.energy_j, 1.0));
        ck_assert(REL(r.unit[0].util, 1.0));
        cluster_result_free(&r);
        workloads_release(&w);
    }
    free(I);
}
END_TEST

/* Requests on a shared processor queue FIFO: service S = 0.2 s, arrivals
 * every T = 0.15 s, so request k waits for k - 1 and takes
 * (k + 1) S - k T (a hand-computed timeline); the GFLOP/s series integrates
 * to the work done. */
START_TEST(test_fifo_timeline)
{
    struct inst *I = malloc(sizeof *I);
    struct cluster_workloads w;
    struct cluster_result r;
    struct hi_error err = {0};
    double total = 0;
    size_t k;
    single(I, 2e8, 5, 1);
    one_stream(&I->cc, CLUSTER_PERIODIC, 150, 6);
    I->cfg.cluster.bin_ms = 50;
    workloads_of(&w, &I->m, 1, &I->cc, NULL);
    ck_assert_int_eq(cluster_run(&I->cfg, &I->cc, &w, &r, &err), 0);
    ck_assert_uint_eq(r.completed, 6);
    for (k = 0; k < 6; k++) {
        ck_assert(REL(r.resp_x[k], 0.15 * (double)k));
        ck_assert_msg(REL(r.resp_ms[k], 1e3 * ((double)(k + 1) * 0.2 - (double)k * 0.15)), "request %zu: %g ms", k,
                      r.resp_ms[k]);
    }
    ck_assert(REL(r.makespan_s, 1.2));
    ck_assert(REL(r.throughput, 5.0));
    /* busy all along: 6 x 0.2 s; the series holds 6 x 0.2 GFLOP */
    ck_assert(REL(r.unit[0].busy_s, 1.2));
    for (k = 0; k < r.n_bins; k++) {
        ck_assert(r.bin_gflops[k] <= 1.0 + 1e-9);
        total += r.bin_gflops[k] * 0.05;
    }
    ck_assert(REL(total, 1.2));
    ck_assert(REL(r.gflops, 1.0));
    cluster_result_free(&r);
    workloads_release(&w);
    free(I);
}
END_TEST

/* Two DNNs of different sizes interleaved on one processor finish in
 * arrival order, each after the ones before it (FIFO, not shortest first). */
START_TEST(test_fifo_order)
{
    struct inst *I = malloc(sizeof *I);
    struct cluster_model models[2];
    double flops_b[3] = {1e7, 1e7, 0};   /* 0.02 s */
    struct cluster_workloads w;
    struct cluster_result r;
    struct hi_error err = {0};
    size_t pick[CLUSTER_MAX_STREAMS][8] = {{0, 1}};
    double t = 0, finish[4];
    size_t k;
    single(I, 2e8, 5, 1);                /* a: 0.2 s */
    one_stream(&I->cc, CLUSTER_PERIODIC, 10, 4);
    I->cc.stream[0].n_profiles = 2;
    I->cc.stream[0].profile = two_profiles;
    models[0] = I->m;
    models[1] = I->m;
    models[1].flops = flops_b;
    workloads_of(&w, models, 2, &I->cc, pick);
    ck_assert_int_eq(cluster_run(&I->cfg, &I->cc, &w, &r, &err), 0);
    ck_assert_uint_eq(r.completed, 4);
    /* arrivals 0, 10, 20, 30 ms: a, b, a, b */
    for (k = 0; k < 4; k++) {
        t = fmax(t, 0.01 * (double)k) + (k % 2 ? 0.02 : 0.2);
        finish[k] = t;
    }
    for (k = 0; k < 4; k++) {
        ck_assert(REL(r.resp_x[k], 0.01 * (double)k));            /* completion order = arrival order */
        ck_assert(REL(r.resp_ms[k], 1e3 * (finish[k] - 0.01 * (double)k)));
    }
    ck_assert(REL(r.model_mean_s[1], ((finish[1] - 0.01) + (finish[3] - 0.03)) / 2));
    cluster_result_free(&r);
    workloads_release(&w);
    free(I);
}
END_TEST

/* Poisson arrivals at one processor form an M/D/1 queue: the mean response
 * is S + rho S / (2 (1 - rho)) (Pollaczek-Khinchine), here within 4 standard
 * errors of a batch-means estimate; the same seed repeats the run exactly. */
START_TEST(test_md1)
{
    struct inst *I = malloc(sizeof *I);
    struct cluster_workloads w;
    struct cluster_result r, r2;
    struct hi_error err = {0};
    double S = 0.01, rho = 0.6, want = S + rho * S / (2 * (1 - rho)), bm[40], mean = 0, var = 0;
    size_t n = 40000, b, k;
    single(I, S * 1e9, 1, 0);
    one_stream(&I->cc, CLUSTER_POISSON, 1e3 * S / rho, n);
    I->cfg.seed = 42;
    workloads_of(&w, &I->m, 1, &I->cc, NULL);
    ck_assert_int_eq(cluster_run(&I->cfg, &I->cc, &w, &r, &err), 0);
    ck_assert_uint_eq(r.completed, n);
    for (b = 0; b < 40; b++) {
        bm[b] = 0;
        for (k = b * (n / 40); k < (b + 1) * (n / 40); k++)
            bm[b] += r.resp_ms[k] * 1e-3;
        bm[b] /= (double)(n / 40);
        mean += bm[b] / 40;
    }
    for (b = 0; b < 40; b++)
        var += (bm[b] - mean) * (bm[b] - mean) / 39;
    ck_assert_msg(fabs(mean - want) < 4 * sqrt(var / 40), "mean %g, M/D/1 %g (se %g)", mean, want, sqrt(var / 40));
    ck_assert(REL(r.mean_response_s, mean));
    ck_assert(r.p95_response_s > r.mean_response_s);
    ck_assert_int_eq(cluster_run(&I->cfg, &I->cc, &w, &r2, &err), 0);
    ck_assert_mem_eq(r.resp_ms, r2.resp_ms, n * sizeof *r.resp_ms);
    cluster_result_free(&r2);
    I->cfg.seed = 43;
    ck_assert_int_eq(cluster_run(&I->cfg, &I->cc, &w, &r2, &err), 0);
    ck_assert(memcmp(r.resp_ms, r2.resp_ms, n * sizeof *r.resp_ms) != 0);
    cluster_result_free(&r2);
    cluster_result_free(&r);
    workloads_release(&w);
    free(I);
}
END_TEST

/* Closed streams keep one request in flight: with a horizon of 1 s and
 * 0.2 s requests, 5 requests, back to back. */
START_TEST(test_closed_stream)
{
    struct inst *I = malloc(sizeof *I);
    struct cluster_workloads w;
    struct cluster_result r;
    struct hi_error err = {0};
    size_t k;
    single(I, 2e8, 5, 1);
    one_stream(&I->cc, CLUSTER_CLOSED, 0, 0);
    I->cfg.cluster.duration_s = 1.0;
    workloads_of(&w, &I->m, 1, &I->cc, NULL);
    ck_assert_int_eq(cluster_run(&I->cfg, &I->cc, &w, &r, &err), 0);
    ck_assert_uint_eq(r.completed, 5);     /* starts at 0, .2, .4, .6, .8; 1.0 is not < 1.0 */
    for (k = 0; k < 5; k++)
        ck_assert(REL(r.resp_ms[k], 200));
    ck_assert(REL(r.throughput * 100, 500));
    cluster_result_free(&r);
    workloads_release(&w);
    free(I);
}
END_TEST

/* Energy: nodes idle all along at idle power, busy at active power, links
 * at tx_w while transmitting; a second node that never works still draws
 * its idle power; an unavailable one draws nothing. */
START_TEST(test_energy)
{
    struct inst *I = malloc(sizeof *I);
    struct cluster_workloads w;
    struct cluster_result r;
    struct hi_error err = {0};
    single(I, 2e8, 5, 1);
    I->cc.n_nodes = 3;
    I->cc.node[1] = I->cc.node[0];
    strcpy(I->cc.node[1].name, "slow");
    I->cc.node[1].proc[0].gflops = 1e-3;     /* never worth using */
    I->cc.node[1].proc[0].idle_w = 0.5;
    I->cc.node[1].rate_mbps = 1;
    I->cc.node[1].latency_ms = 1000;       /* later than the whole job: no data share */
    I->cc.node[1].tx_w = 2;
    I->cc.node[2] = I->cc.node[1];
    strcpy(I->cc.node[2].name, "off");
    I->cc.node[2].available = 0;
    one_stream(&I->cc, CLUSTER_PERIODIC, 0, 1);
    I->cfg.cluster.strategy = CLUSTER_DISNET;
    workloads_of(&w, &I->m, 1, &I->cc, NULL);
    ck_assert_int_eq(cluster_run(&I->cfg, &I->cc, &w, &r, &err), 0);
    ck_assert(REL(r.mean_response_s, 0.2));
    /* solo: 1 x 0.2 + 4 x 0.2; slow: 0.5 x 0.2, no transmission */
    ck_assert(REL(r.energy_j, 1.0 + 0.1));
    ck_assert_uint_eq(r.n_units, 3);        /* solo.cpu, slow.cpu, slow.link */
    cluster_result_free(&r);
    workloads_release(&w);
    free(I);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the scenario lists */

static const char *
write_profile(const char *name)
{
    const char *path = util_tmp(name);
    util_write(path, "# input: 1x3x8x8 float32 (768 bytes); raw image 192 bytes\n"
                     "index,name,type,flops,params,output_bytes\n"
                     "0,c1,conv,1000000000,10,4000\n"
                     "1,fc,dense,10000000,10,40\n");
    return path;
}

/* A cluster scenario loads: scalar keys through the schema, nodes with a
 * catalog device and scenario overrides by processor name, streams with
 * paths relative to the scenario; -s changes nodes and streams. */
START_TEST(test_config_load)
{
    struct hi_config cfg;
    struct cluster_config cc;
    struct hi_error err = {0};
    const char *path = util_tmp("cl.yaml");
    write_profile("p.csv");
    util_write(path, "cluster:\n"
                     "  strategy: modnn\n"
                     "  halo: 0.2\n"
                     "  nodes:\n"
                     "    - name: a\n"
                     "      processors:\n"
                     "        - {name: cpu, gflops: 10, active_w: 2, idle_w: 1}\n"
                     "        - {name: gpu, unit: gpu, gflops: 50, comm_mbps: 1000, efficiency: {dense: 0.5, default: 0.4}}\n"
                     "    - name: b\n"
                     "      device: jetson-tx2\n"
                     "      available: false\n"
                     "      link: {rate_mbps: 80, latency_ms: 2}\n"
                     "      processors:\n"
                     "        - {name: gpu, efficiency: 0.25}\n"
                     "  requests:\n"
                     "    - profile: p.csv\n"
                     "      arrivals: poisson\n"
                     "      rate_hz: 2\n"
                     "hidp:\n"
                     "  overhead_ms: 10\n");
    config_defaults(&cfg);
    ck_assert_msg(scenario_load(path, &cfg, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(cfg.cluster.strategy, CLUSTER_MODNN);
    ck_assert(cfg.cluster.halo == 0.2);
    ck_assert(cfg.hidp.overhead_ms == 10);
    ck_assert_msg(cluster_config_load(&cc, path, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(cc.n_nodes, 2);
    ck_assert_uint_eq(cc.node[0].n_procs, 2);
    ck_assert(cc.node[0].proc[1].gflops == 50);
    ck_assert(cc.node[0].proc[1].efficiency == 0.4);
    ck_assert_uint_eq(cc.node[0].proc[1].n_eff, 1);
    ck_assert(cc.node[0].proc[1].eff[0] == 0.5);
    ck_assert(isinf(cc.node[0].proc[0].comm_mbps));
    /* the catalog's TX2, with the scenario's efficiency for its GPU */
    ck_assert_str_eq(cc.node[1].device, "jetson-tx2");
    ck_assert_uint_eq(cc.node[1].n_procs, 2);
    ck_assert(cc.node[1].proc[1].gflops == 665.6);
    ck_assert(cc.node[1].proc[1].efficiency == 0.25);
    ck_assert(isnan(cc.node[1].proc[0].efficiency));
    ck_assert(!cc.node[1].available);
    ck_assert(cc.node[1].rate_mbps == 80);
    ck_assert_str_eq(cc.stream[0].profile[0], util_tmp("p.csv"));
    ck_assert_int_eq(cc.stream[0].arrivals, CLUSTER_POISSON);
    /* -s */
    ck_assert_int_eq(cluster_config_set_arg(&cc, "cluster.nodes.b.available=true", &err), 0);
    ck_assert(cc.node[1].available);
    ck_assert_int_eq(cluster_config_set_arg(&cc, "cluster.nodes.a.gpu.gflops=60", &err), 0);
    ck_assert(cc.node[0].proc[1].gflops == 60);
    ck_assert_int_eq(cluster_config_set_arg(&cc, "cluster.requests.0.rate_hz=4", &err), 0);
    ck_assert(cc.stream[0].rate_hz == 4);
    ck_assert_int_eq(cluster_config_set_arg(&cc, "cluster.nodes.a.npu.gflops=60", &err), HI_EINPUT);
    ck_assert_str_eq(err.msg, "-s cluster.nodes.a.npu.gflops=60: node a has no processor 'npu'");
    ck_assert_int_eq(cluster_config_set_arg(&cc, "cluster.nodes.z.available=1", &err), HI_EINPUT);
    ck_assert_int_eq(cluster_config_set_arg(&cc, "cluster.requests.3.count=1", &err), HI_EINPUT);
    cluster_config_free(&cc);
}
END_TEST

/* Bad cluster lists: one line naming file:line:col and what was expected. */
START_TEST(test_config_errors)
{
    static const struct {
        const char *yaml;
        const char *want;
    } cases[] = {
        {"cluster:\n  nodes:\n    - name: a\n      processors:\n        - {name: cpu, gflops: 0}\n  requests:\n    - profile: p.csv\n",
         ":5:31: cpu.gflops: expected a number > 0 (peak GFLOP/s), found '0'"},
        {"cluster:\n  nodes:\n    - name: a\n      colour: red\n  requests:\n    - profile: p.csv\n",
         ":4:15: unknown node key 'colour'"},
        {"cluster:\n  nodes:\n    - {name: a, processors: [{name: cpu, gflops: 1}]}\n    - {name: a, processors: [{name: cpu, gflops: 1}]}\n  requests:\n    - profile: p.csv\n",
         ":4:14: cluster.nodes: duplicate node name 'a'"},
        {"cluster:\n  nodes:\n    - {name: a, processors: [{name: cpu, unit: tpu, gflops: 1}]}\n  requests:\n    - profile: p.csv\n",
         ":3:48: cpu.unit: expected cpu, gpu or npu, found 'tpu'"},
        {"cluster:\n  nodes:\n    - {name: a, processors: [{name: cpu, gflops: 1, efficiency: 1.5}]}\n  requests:\n    - profile: p.csv\n",
         ":3:65: cpu.efficiency: expected a fraction in (0, 1], found '1.5'"},
        {"cluster:\n  nodes:\n    - {processors: [{name: cpu, gflops: 1}]}\n  requests:\n    - profile: p.csv\n",
         ":3:7: cluster.nodes[0]: missing key 'name'"},
        {"cluster:\n  nodes:\n    - {name: a}\n  requests:\n    - profile: p.csv\n",
         ":3:7: node a: no processors (give device: or processors:)"},
        {"cluster:\n  nodes:\n    - {name: a, device: jetson-tx3}\n  requests:\n    - profile: p.csv\n",
         ":3:25: device: no catalog file jetson-tx3.yaml (did you mean 'jetson-tx2'?"},
        {"cluster:\n  nodes:\n    - {name: a, device: wifi}\n  requests:\n    - profile: p.csv\n",
         ":3:25: device: catalog entry wifi has no processors[]"},
        {"cluster:\n  nodes:\n    - {name: a, processors: [{name: cpu, gflops: 1}], link: {rate_mbps: -1}}\n  requests:\n    - profile: p.csv\n",
         ":3:73: link.rate_mbps: expected a number > 0 (Mbit/s), found '-1'"},
        {"cluster:\n  nodes:\n    - {name: a, processors: [{name: cpu, gflops: 1}]}\n  requests:\n    - {arrivals: periodic}\n",
         ":5:7: cluster.requests[0]: missing key 'profile' (or 'profiles')"},
        {"cluster:\n  nodes:\n    - {name: a, processors: [{name: cpu, gflops: 1}]}\n  requests:\n    - {profile: p.csv, arrivals: sometimes}\n",
         ":5:34: arrivals: expected periodic, poisson or closed, found 'sometimes'"},
        {"cluster:\n  nodes:\n    - {name: a, processors: [{name: cpu, gflops: 1}]}\n",
         "no cluster.requests (a cluster scenario lists its request streams)"},
        {"cluster:\n  nodes: 3\n  requests:\n    - profile: p.csv\n",
         ":2:10: cluster.nodes: expected a sequence, found a scalar"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cluster_config cc;
        struct hi_error err = {0};
        const char *path = util_tmp("bad.yaml");
        util_write(path, cases[i].yaml);
        ck_assert_int_eq(cluster_config_load(&cc, path, &err), HI_EINPUT);
        ck_assert_msg(strstr(err.msg, cases[i].want) != NULL, "case %zu: '%s' lacks '%s'", i, err.msg, cases[i].want);
        ck_assert(strchr(err.msg, '\n') == NULL);
    }
}
END_TEST

/* The scenario loader skips the lists but rejects a list key that is not a
 * sequence, and cluster env checks name the node that is wrong. */
START_TEST(test_scenario_lists)
{
    struct hi_config cfg;
    struct cluster_config cc;
    struct cluster_env env;
    struct hi_error err = {0};
    const char *path = util_tmp("s.yaml");
    util_write(path, "cluster:\n  nodes: 3\n");
    config_defaults(&cfg);
    ck_assert_int_eq(scenario_load(path, &cfg, &err), HI_EINPUT);
    ck_assert_msg(strstr(err.msg, ":2:10: cluster.nodes: expected a sequence (a list of entries), found a scalar"),
                  "%s", err.msg);
    write_profile("p.csv");
    util_write(path, "cluster:\n  leader: b\n  nodes:\n    - {name: a, processors: [{name: cpu, gflops: 1}]}\n"
                     "    - {name: b, processors: [{name: cpu, gflops: 1}]}\n  requests:\n    - profile: p.csv\n");
    config_defaults(&cfg);
    ck_assert_msg(scenario_load(path, &cfg, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(cluster_config_load(&cc, path, &err), 0);
    ck_assert_int_eq(cluster_env_init(&env, &cc, &cfg, &err), HI_EINPUT);
    ck_assert_str_eq(err.msg, "cluster.nodes: node a has no link.rate_mbps (its link to the leader b)");
    snprintf(cfg.cluster.leader, sizeof cfg.cluster.leader, "c");
    ck_assert_int_eq(cluster_env_init(&env, &cc, &cfg, &err), HI_EINPUT);
    ck_assert_str_eq(err.msg, "cluster.leader: no node named 'c'");
    cfg.cluster.leader[0] = '\0';
    cc.node[0].available = 0;
    ck_assert_int_eq(cluster_env_init(&env, &cc, &cfg, &err), HI_EINPUT);
    ck_assert_str_eq(err.msg, "cluster.leader: node a is unavailable");
    cfg.cluster.node_count = 3;
    ck_assert_int_eq(cluster_env_init(&env, &cc, &cfg, &err), HI_EINPUT);
    /* a follower that takes no part needs no link */
    cc.node[0].available = 1;
    cc.node[1].available = 0;
    cfg.cluster.node_count = 0;
    ck_assert_msg(cluster_env_init(&env, &cc, &cfg, &err) == 0, "%s", err.msg);
    cc.node[1].available = 1;
    cfg.cluster.node_count = 1;
    ck_assert_msg(cluster_env_init(&env, &cc, &cfg, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(env.usable, 1);
    cluster_config_free(&cc);
}
END_TEST

/* What sweeps use: a scenario without lists is not an error for
 * cluster_config_load_opt; list keys are checked against the lists, set at
 * a file position, deep-copied; a sweep file's set: replaces a list whole;
 * a stream turned off sends nothing and needs no rate. */
START_TEST(test_config_sweep_keys)
{
    struct hi_config cfg;
    struct cluster_config cc, copy, lists;
    struct cluster_workloads w;
    struct cluster_result r;
    struct hi_error err = {0};
    char path[1024], sweep[1024], msg[400];   /* util_tmp's buffer is reused */
    int found = 1, nodes = 0, requests = 0;
    snprintf(path, sizeof path, "%s", util_tmp("sk.yaml"));
    snprintf(sweep, sizeof sweep, "%s", util_tmp("sk-sweep.yaml"));
    write_profile("p.csv");
    util_write(path, "name: x\n");
    ck_assert_int_eq(cluster_config_load_opt(&cc, path, &found, &err), 0);
    ck_assert_int_eq(found, 0);
    util_write(path, "cluster:\n  nodes:\n    - {name: a, processors: [{name: cpu, gflops: 1}, {name: gpu, gflops: 2}]}\n"
                     "  requests:\n    - {profile: p.csv, count: 2, period_ms: 10}\n");
    ck_assert_msg(cluster_config_load_opt(&cc, path, &found, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(found, 1);
    ck_assert_int_eq(cluster_config_check_key(&cc, "cluster.nodes.a.gpu.efficiency.dense", msg, sizeof msg), 0);
    ck_assert_int_eq(cluster_config_check_key(&cc, "cluster.nodes.a.link.latency_ms", msg, sizeof msg), 0);
    ck_assert_int_eq(cluster_config_check_key(&cc, "cluster.requests.0.enabled", msg, sizeof msg), 0);
    ck_assert_int_eq(cluster_config_check_key(&cc, "cluster.nodes.a.npu.gflops", msg, sizeof msg), -1);
    ck_assert_str_eq(msg, "node a has no processor 'npu'");
    ck_assert_int_eq(cluster_config_check_key(&cc, "cluster.nodes.a.gpu.speed", msg, sizeof msg), -1);
    ck_assert_int_eq(cluster_config_check_key(&cc, "cluster.nodes.a.link.speed", msg, sizeof msg), -1);
    ck_assert_int_eq(cluster_config_check_key(&cc, "cluster.nodes.a", msg, sizeof msg), -1);
    ck_assert_int_eq(cluster_config_check_key(&cc, "cluster.requests.1.count", msg, sizeof msg), -1);
    ck_assert_str_eq(msg, "expected a request stream index in [0, 1), found '1'");
    ck_assert_int_eq(cluster_config_check_key(&cc, "cluster.requests.0.colour", msg, sizeof msg), -1);
    /* values at a position; a relative profile against dir */
    ck_assert_int_eq(cluster_config_set_at(&cc, "cluster.requests.0.enabled", "maybe", "f.yaml", 3, 7, NULL, &err),
                     HI_EINPUT);
    ck_assert_str_eq(err.msg, "f.yaml:3:7: enabled: expected true or false, found 'maybe'");
    ck_assert_int_eq(cluster_config_set_at(&cc, "cluster.nodes.b.available", "true", "f.yaml", 4, 3, NULL, &err),
                     HI_EINPUT);
    ck_assert_str_eq(err.msg, "f.yaml:4:3: no node named 'b'");
    ck_assert_int_eq(cluster_config_copy(&copy, &cc, &err), 0);
    ck_assert_int_eq(cluster_config_set_at(&copy, "cluster.requests.0.profile", "q.csv", "f.yaml", 1, 1, "d", &err), 0);
    ck_assert_str_eq(copy.stream[0].profile[0], "d/q.csv");
    ck_assert_str_eq(cc.stream[0].profile[0], util_tmp("p.csv"));
    ck_assert_int_eq(cluster_config_set_at(&copy, "cluster.nodes.a.gpu.gflops", "5", "f.yaml", 1, 1, NULL, &err), 0);
    ck_assert(copy.node[0].proc[1].gflops == 5 && cc.node[0].proc[1].gflops == 2);
    cluster_config_free(&copy);
    /* set: replaces the streams, the nodes stay */
    util_write(sweep, "scenario: sk.yaml\nset:\n  cluster.strategy: hidp\n  cluster:\n    requests:\n"
                      "      - {profile: p.csv, arrivals: poisson, enabled: false}\n"
                      "      - {profile: p.csv, count: 3, period_ms: 10}\n");
    ck_assert_msg(cluster_config_load_set(&lists, sweep, &nodes, &requests, &err) == 0, "%s", err.msg);
    ck_assert(!nodes && requests);
    cluster_config_take(&cc, &lists, nodes, requests);
    ck_assert_uint_eq(cc.n_nodes, 1);
    ck_assert_uint_eq(cc.n_streams, 2);
    ck_assert(cc.stream[0].off && !cc.stream[1].off);
    ck_assert_str_eq(cc.stream[0].profile[0], util_tmp("p.csv"));
    config_defaults(&cfg);
    ck_assert_msg(cluster_check(&cfg, &cc, &err) == 0, "%s", err.msg);   /* off: no rate needed */
    ck_assert_msg(cluster_workloads_load(&w, &cc, &err) == 0, "%s", err.msg);
    ck_assert_msg(cluster_run(&cfg, &cc, &w, &r, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(r.requests, 3);
    cluster_result_free(&r);
    cc.stream[0].off = 0;
    ck_assert_int_eq(cluster_check(&cfg, &cc, &err), HI_EINPUT);
    ck_assert_str_eq(err.msg, "cluster.requests[0]: poisson arrivals need rate_hz > 0");
    cluster_workloads_free(&w);
    cluster_config_free(&cc);
}
END_TEST

Suite *
suite_cluster(void)
{
    Suite *s = suite_create("cluster");
    TCase *t = tcase_create("partition");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, test_chain_brute_force);
    tcase_add_test(t, test_shares_hand);
    tcase_add_test(t, test_shares_optimal);
    suite_add_tcase(s, t);
    t = tcase_create("strategies");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, test_hidp_brute_force);
    tcase_add_test(t, test_omniboost_brute_force);
    tcase_add_test(t, test_data_zero_halo);
    tcase_add_test(t, test_invariants);
    tcase_add_test(t, test_modnn_shares);
    tcase_add_test(t, test_unavailable);
    suite_add_tcase(s, t);
    t = tcase_create("simulator");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, test_lone_request_is_plan);
    tcase_add_test(t, test_single_node);
    tcase_add_test(t, test_fifo_timeline);
    tcase_add_test(t, test_fifo_order);
    tcase_add_test(t, test_md1);
    tcase_add_test(t, test_closed_stream);
    tcase_add_test(t, test_energy);
    suite_add_tcase(s, t);
    t = tcase_create("config");
    tcase_add_test(t, test_config_load);
    tcase_add_test(t, test_config_errors);
    tcase_add_test(t, test_scenario_lists);
    tcase_add_test(t, test_config_sweep_keys);
    suite_add_tcase(s, t);
    return s;
}
