/*
 * cluster_plan.h — the cost model of a heterogeneous edge cluster and the
 * partitioning strategies of 004 (HiDP and its three baselines).
 *
 * Cost model (004 §III, with the readings of docs/partitioning.md ("HiDP")):
 *   - layer i of a DNN has F_i FLOPs and leaves D_i bytes (D_0: the input
 *     the leader holds); processor p of node j runs it in
 *     F_i / (gflops_p 1e9 eff_p(type_i)) s (004: lambda = f/delta);
 *   - a node's first processor is its home; moving D bytes between home and
 *     processor p takes 8 D / comm_p (004 eq. (1)'s mu); between two other
 *     processors it goes through home;
 *   - moving D bytes between the leader and node j takes
 *     latency_j + 8 D / rate_j (004 eq. (3)'s beta); between two followers
 *     it goes through the leader (both links);
 *   - data partitioning gives share s of the input to each of >= 2
 *     resources; a share computes and receives s (1 + halo) of its input
 *     (the overlap a sub-input needs) and returns s of its output;
 *   - all of a node's local times scale linearly with the work it is given.
 *
 * Strategies (cluster.strategy):
 *   hidp       global: the faster of model partitioning (partition_chain over
 *              the nodes, SUM) and data partitioning (partition_shares over
 *              the nodes), where a node's time for a block is its best local
 *              plan: the faster of the same two modes over its processors
 *              (004 Algorithm 1, lines 4-10)
 *   disnet     the same global step with GPU-only local execution
 *   modnn      data partitioning over all nodes, shares proportional to the
 *              rate of the processor each node runs on (its GPU)
 *   omniboost  model partitioning over all processors as one flat set,
 *              minimising the pipeline's bottleneck stage, then the latency
 *              among those (exhaustive, standing in for its MCTS)
 *
 * Plans are computed once per (strategy, DNN) and describe one request: the
 * simulator (sim/cluster.h) executes them as tasks on FIFO resources.
 */
#ifndef HISIM_CLUSTER_PLAN_H
#define HISIM_CLUSTER_PLAN_H

#include <stddef.h>
#include "sim/cluster_config.h"
#include "sim/config.h"
#include "traces/error.h"

/* A DNN as the planner sees it (a view of a layer profile). */
struct cluster_model {
    const char *name;
    size_t n;                         /* layers */
    const double *flops;              /* per layer */
    const double *out_bytes;          /* per layer */
    char *const *type;                /* per layer; NULL: all "" */
    double in_bytes;                  /* D_0 */
};

/* The cluster as the planner sees it: rates in SI units. */
struct cluster_env {
    const struct cluster_config *cc;
    size_t n_nodes;
    size_t leader;
    unsigned usable;                  /* bit j: node j takes part (available, within node_count) */
    double halo;
    double default_eff;               /* cluster.efficiency */
    int strategy;                     /* enum cluster_strategy */
    double overhead_s;                /* hidp.overhead_ms, for hidp only */
    struct {
        size_t n_procs;
        size_t gpu;                   /* the GPU, else the fastest processor */
        double link_bps, latency_s;   /* 0, 0 for the leader */
        double comm_bps[CLUSTER_MAX_PROCS];   /* home: unused */
    } node[CLUSTER_MAX_NODES];
};

/* Derives the env from the scenario: HI_EINPUT when the leader is not a
 * node or unavailable, or a follower that takes part has no link rate. */
int cluster_env_init(struct cluster_env *env, const struct cluster_config *cc, const struct hi_config *cfg,
                     struct hi_error *err);

/* Per-(DNN, cluster) tables: compute-time prefix sums per processor, and
 * each node's best local plan time for every block. */
struct cluster_costs {
    const struct cluster_env *env;
    const struct cluster_model *m;
    double *pre;                      /* [((j * CLUSTER_MAX_PROCS + p) * (n + 1)) + i] */
    double *best;                     /* [(j * (n + 1) + a) * (n + 1) + b]; NULL until needed */
};

int cluster_costs_init(struct cluster_costs *c, const struct cluster_env *env, const struct cluster_model *m,
                       struct hi_error *err);
void cluster_costs_free(struct cluster_costs *c);

/* time of layers (a, b] on processor p of node j, s */
double cluster_run_s(const struct cluster_costs *c, size_t j, size_t p, size_t a, size_t b);
/* bytes leaving layer k (k = 0: the input) */
double cluster_bytes(const struct cluster_model *m, size_t k);

enum cluster_mode { CLUSTER_MODEL, CLUSTER_DATA };

struct cluster_stage {                /* one processor's work inside a node */
    size_t proc, a, b;                /* layers (a, b] */
    double share;                     /* of the part's work (data mode), else 1 */
    double in, run, out;              /* s, at part scale 1: move from home, compute, move to home */
};

struct cluster_local {
    int mode;                         /* enum cluster_mode */
    size_t n;
    struct cluster_stage st[CLUSTER_MAX_PROCS];
    double time;                      /* s, at part scale 1 */
};

struct cluster_part {                 /* one node's part of a request */
    size_t node, a, b;
    double share;                     /* of the request's work (data mode), else 1 */
    double scale;                     /* work multiplier of the local plan: share (1 + halo), or 1 */
    double in, out;                   /* link transfers (s) before and after the part; 0 on the leader */
    struct cluster_local local;
};

#define CLUSTER_MAX_PARTS (CLUSTER_MAX_NODES * CLUSTER_MAX_PROCS)

struct cluster_plan {
    int strategy;                     /* enum cluster_strategy */
    int mode;                         /* the global mode */
    double time;                      /* a lone request's latency, s, without the overhead */
    double model_time, data_time;     /* each global mode's best (inf: not considered) */
    double overhead;                  /* s, added once per request */
    size_t n;
    struct cluster_part part[CLUSTER_MAX_PARTS];
};

/* The plan of env->strategy for the DNN of c. */
int cluster_plan_make(struct cluster_costs *c, struct cluster_plan *plan, struct hi_error *err);

/* Recomputes a plan's lone-request latency from its parts (what the
 * simulator will see without queueing). */
double cluster_plan_time(const struct cluster_plan *plan);

const char *cluster_strategy_name(int strategy);
const char *cluster_mode_name(int mode);

#endif
