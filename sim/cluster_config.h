/*
 * cluster_config.h — the nodes and request streams of a cluster scenario
 * (HiDP, 004 §III), read from the scenario's `cluster.nodes` and
 * `cluster.requests` lists.
 *
 * The scalar cluster keys (cluster.strategy, cluster.halo, hidp.overhead_ms,
 * ...) are ordinary scenario keys in struct hi_config; this struct holds the
 * two lists, which do not fit the flat key schema.  It is plain data with
 * fixed-size node arrays; only the streams' profile paths are allocated.
 *
 *   cluster:
 *     nodes:
 *       - name: tx2                      # unique; [a-z0-9-]
 *         device: jetson-tx2             # catalog entry: its processors[]
 *         available: true                # 004 eq. (4): alpha_j
 *         link: {rate_mbps: 80, latency_ms: 2, tx_w: 0}   # to the leader
 *         processors:                    # replace or add to the catalog's, by name
 *           - {name: gpu, unit: gpu, gflops: 665.6, efficiency: 0.3,
 *              comm_mbps: 238800, active_w: 7, idle_w: 0.5}
 *     requests:
 *       - profiles: [a.csv, b.csv]       # or profile: a.csv; relative to the scenario
 *         arrivals: periodic             # periodic | poisson | closed
 *         period_ms: 500                 # periodic
 *         rate_hz: 2                     # poisson
 *         think_ms: 0                    # closed: pause before the next request
 *         start_ms: 0
 *         count: 4                       # requests; default: one per profile, or
 *                                        # unbounded when cluster.duration_s is set
 *         pick: cycle                    # cycle | random: which profile a request runs
 *         enabled: true                  # false: the stream sends nothing
 *
 * A processor's efficiency is a number (the fraction of its peak gflops that
 * DNN layers sustain) or a mapping from layer type to that fraction, with
 * `default` for the other types; unset, cluster.efficiency applies.  The
 * first processor of a node is its home: data arrives and leaves there, and
 * moving a tensor between home and processor k takes 8 bytes / comm_mbps.
 *
 * `-s cluster.nodes.NAME.KEY=VALUE` and `-s cluster.requests.I.KEY=VALUE`
 * set the same keys as the YAML (KEY: available, link.rate_mbps,
 * PROC.gflops, PROC.efficiency, PROC.efficiency.TYPE, ...; arrivals,
 * period_ms, count, profile, enabled, ...).  A sweep file (analysis/sweep.h)
 * uses the same keys as axes, and may replace either list whole under its
 * `set:` (cluster_config_load_set).
 */
#ifndef HISIM_CLUSTER_CONFIG_H
#define HISIM_CLUSTER_CONFIG_H

#include <stddef.h>
#include "sim/config.h"
#include "traces/error.h"

#define CLUSTER_MAX_NODES 8
#define CLUSTER_MAX_PROCS 4      /* per node */
#define CLUSTER_MAX_EFF 8        /* per-layer-type efficiencies per processor */
#define CLUSTER_MAX_STREAMS 16
#define CLUSTER_NAME_MAX 32

enum cluster_unit { CLUSTER_CPU, CLUSTER_GPU, CLUSTER_NPU };
enum cluster_arrivals { CLUSTER_PERIODIC, CLUSTER_POISSON, CLUSTER_CLOSED };
enum cluster_pick { CLUSTER_CYCLE, CLUSTER_RANDOM };

struct cluster_proc {
    char name[CLUSTER_NAME_MAX];
    int unit;                    /* enum cluster_unit */
    double gflops;               /* peak, GFLOP/s */
    double efficiency;           /* NaN: cluster.efficiency */
    size_t n_eff;                /* per layer type */
    char eff_type[CLUSTER_MAX_EFF][CLUSTER_NAME_MAX];
    double eff[CLUSTER_MAX_EFF];
    double comm_mbps;            /* to and from the node's home processor; inf: free */
    double active_w, idle_w;
    char source[160];            /* where the figures come from */
};

struct cluster_node {
    char name[CLUSTER_NAME_MAX];
    char device[64];             /* catalog entry, or "" */
    int available;
    double rate_mbps;            /* link to the leader; NaN: not set */
    double latency_ms;
    double tx_w;                 /* radio power while the link transmits */
    size_t n_procs;
    struct cluster_proc proc[CLUSTER_MAX_PROCS];
};

struct cluster_stream {
    int arrivals;                /* enum cluster_arrivals */
    int pick;                    /* enum cluster_pick */
    double start_ms, period_ms, rate_hz, think_ms;
    size_t count;                /* 0: the default (see above) */
    int off;                     /* enabled: false: the stream sends nothing */
    size_t n_profiles;
    char **profile;              /* paths */
};

struct cluster_config {
    size_t n_nodes;
    struct cluster_node node[CLUSTER_MAX_NODES];
    size_t n_streams;
    struct cluster_stream stream[CLUSTER_MAX_STREAMS];
};

/* Reads cluster.nodes and cluster.requests of the scenario at path (other
 * keys are the scenario loader's).  HI_EINPUT with file:line:col on bad
 * input, or when the scenario has no cluster.nodes or cluster.requests. */
int cluster_config_load(struct cluster_config *cc, const char *path, struct hi_error *err);

/* As cluster_config_load, but a scenario without either list is not an
 * error: *found = 0 and cc is left empty.  One list without the other is. */
int cluster_config_load_opt(struct cluster_config *cc, const char *path, int *found, struct hi_error *err);

/* Reads the lists that a sweep file's `set:` gives whole (`cluster.nodes:`
 * or `cluster.requests:` as a sequence, dotted or under `cluster:`), with
 * profile paths relative to the sweep file.  *nodes and *requests say which
 * were given; HI_EINPUT with file:line:col on bad input. */
int cluster_config_load_set(struct cluster_config *cc, const char *sweep_path, int *nodes, int *requests,
                            struct hi_error *err);

/* Moves the node list (nodes != 0) and/or the stream list (requests != 0)
 * of `from` into cc, replacing cc's; frees what is left of `from`. */
void cluster_config_take(struct cluster_config *cc, struct cluster_config *from, int nodes, int requests);

/* A deep copy (the profile paths too). */
int cluster_config_copy(struct cluster_config *dst, const struct cluster_config *src, struct hi_error *err);

/* True when an -s argument (or a key) is for this struct (cluster.nodes.*
 * or cluster.requests.*). */
int cluster_config_owns(const char *arg);

/* 0 when `key` (without "=VALUE") names a node of cc and a node key, or a
 * stream of cc and a stream key; else -1 with the reason in msg. */
int cluster_config_check_key(const struct cluster_config *cc, const char *key, char *msg, size_t len);

/* Applies "cluster.nodes.NAME.KEY=VALUE" or "cluster.requests.I.KEY=VALUE". */
int cluster_config_set_arg(struct cluster_config *cc, const char *arg, struct hi_error *err);

/* Applies key = value as read at file:line:col (errors located there; a
 * relative profile path is relative to dir). */
int cluster_config_set_at(struct cluster_config *cc, const char *key, const char *value, const char *file,
                          size_t line, size_t col, const char *dir, struct hi_error *err);

void cluster_config_free(struct cluster_config *cc);

/* The nodes and streams as JSON: {"cluster.nodes":[...],"cluster.requests":[...]}. */
char *cluster_config_to_json(const struct cluster_config *cc);

/* The scenario keys (config_to_json) and the lists as one JSON object: the
 * configuration a cluster run stores.  malloc'd; NULL when out of memory. */
char *cluster_config_run_json(const struct hi_config *cfg, const struct cluster_config *cc);

const char *cluster_unit_name(int unit);

#endif
