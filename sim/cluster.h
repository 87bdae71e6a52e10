/*
 * cluster.h — inference requests on a heterogeneous edge cluster, on the
 * DES kernel (sim/kernel.h).
 *
 * Request streams (sim/cluster_config.h) send DNN inference requests to the
 * leader.  Each request executes its DNN's plan (sim/cluster_plan.h) as a
 * small task graph: compute tasks on processors, transmissions on the
 * nodes' links to the leader, and delays (the exploration overhead,
 * intra-node moves, link latencies).  Processors and links are FIFO
 * resources shared by every request: a task waits until the resources
 * before it in the queue are served.  Plans are fixed per (strategy, DNN):
 * a lone request takes exactly its plan's time (plus the overhead).
 *
 * Entities: one kernel, one calendar ordered by (time, sequence), one GSL
 * stream per request stream (RNG_CLUSTER + s) for Poisson gaps and random
 * DNN picks.  O((tasks + events) log events) per run.
 *
 * Metrics: latency per request (arrival to result at the leader), its mean
 * and p95 and per DNN; throughput = completed requests / makespan (from 0 to
 * the last result); energy of the nodes taking part over the makespan
 * (idle power all along, plus active - idle while busy, plus link radio
 * power while transmitting); utilisation of every processor and link; the
 * useful FLOP rate (halo recomputation excluded) in bins over time.
 */
#ifndef HISIM_CLUSTER_H
#define HISIM_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "sim/cluster_config.h"
#include "sim/cluster_plan.h"
#include "sim/config.h"
#include "traces/error.h"
#include "traces/layers.h"

/* The DNNs of a scenario: each distinct profile path once. */
struct cluster_workloads {
    size_t n;
    struct hi_layers *layers;
    struct cluster_model *model;
    char **name;                     /* the profile's `model` metadata, else the file name */
    size_t *of[CLUSTER_MAX_STREAMS]; /* of[s][k]: the workload of stream s's k-th profile */
};

int cluster_workloads_load(struct cluster_workloads *w, const struct cluster_config *cc, struct hi_error *err);
void cluster_workloads_free(struct cluster_workloads *w);

/* A DNN's view of a layer profile (the input moves as the raw sample). */
void cluster_model_of(struct cluster_model *m, const struct hi_layers *L, const char *name);

struct cluster_unit_stat {
    char name[2 * CLUSTER_NAME_MAX + 8];   /* "node.proc" or "node.link" */
    double busy_s, util;
};

struct cluster_result {
    size_t requests;                 /* arrived */
    size_t completed;
    double makespan_s;
    double mean_response_s, p95_response_s;
    double throughput;               /* completed / makespan, per s */
    double energy_j;
    double gflops;                   /* useful GFLOP / makespan */
    size_t n_models;
    size_t *model_count;             /* per workload */
    double *model_mean_s;            /* per workload (NaN when none ran) */
    size_t n_units;
    struct cluster_unit_stat *unit;  /* processors, then links, of the nodes taking part */
    size_t n_bins;
    double *bin_x, *bin_gflops;      /* bin centre (s), useful GFLOP/s in the bin */
    double *resp_x, *resp_ms;        /* per completed request: arrival (s), latency (ms) */
    struct cluster_plan *plan;       /* per workload */
    uint64_t events;
};

/* Plans every workload for cfg's strategy and simulates the streams. */
int cluster_run(const struct hi_config *cfg, const struct cluster_config *cc, const struct cluster_workloads *w,
                struct cluster_result *r, struct hi_error *err);
void cluster_result_free(struct cluster_result *r);

/* Checks, without simulating, what cluster_run would refuse in cfg and cc:
 * the leader, cluster.node_count, the nodes' links, the streams' rates. */
int cluster_check(const struct hi_config *cfg, const struct cluster_config *cc, struct hi_error *err);

/* The figures of a run as named metrics, in the order `hisim cluster` and
 * sweeps store them: requests, completed, makespan_s, mean_response_ms,
 * p95_response_ms, throughput, inferences_per_100s, energy_mj,
 * energy_per_request_mj, gflops, events; per DNN mean_response_ms.DNN,
 * requests.DNN, plan_ms.DNN (a lone request's latency, overhead included);
 * util.NODE.PROC and util.NODE.link.  m holds cluster_n_metrics(r)
 * entries; returns that count.  A name longer than the field is cut. */
#define CLUSTER_METRIC_NAME 160
struct cluster_metric {
    char name[CLUSTER_METRIC_NAME];
    double value;
};
size_t cluster_n_metrics(const struct cluster_result *r);
size_t cluster_metrics(const struct cluster_result *r, const struct cluster_workloads *w, struct cluster_metric *m);

/* True when a cluster run may store a metric `name` (the fixed names, or
 * one of the per-DNN and util. prefixes followed by a name). */
int cluster_metric_known(const char *name);

/* "cluster STRATEGY (halo H, N nodes, efficiency E)": the run's policy line. */
void cluster_describe(const struct hi_config *cfg, const struct cluster_config *cc, char *buf, size_t len);

/* The plan of `strategy` for workload k (for printing); cfg's other keys apply. */
int cluster_plan_for(const struct hi_config *cfg, const struct cluster_config *cc, const struct cluster_workloads *w,
                     size_t k, int strategy, struct cluster_plan *plan, struct hi_error *err);

#endif
