/*
 * sweep.h — a sweep file, its grid of points, their identities and seeds.
 *
 * A sweep runs one base scenario at every point of a grid, several times
 * (replications).  The file (YAML; docs/sweeps.md) accepts:
 *
 *   sweep := { scenario: PATH            base scenario, relative to the file
 *              [name: TEXT]              default: the file name
 *              [target: simulate | batch-size | cluster]
 *              [set: {KEY: SCALAR | SECTION}]       fixed overrides
 *              [axes: {KEY: AXIS}]       the grid is the product of the axes
 *              [zip: [{KEY: AXIS, ...}, ...]]       keys varying together
 *              [replications: N] [seed: S] [crn: BOOL]
 *              [stop: {metric: NAME, rel_ci: R, min: N, max: N}] }
 *   AXIS  := [SCALAR, ...]                          the values as written
 *          | {from: X, to: Y, step: S}              X + i·S, exact decimals
 *          | {from: X, to: Y, count: N [, log: BOOL]}
 *
 * Cluster scenarios (sim/cluster_config.h): a base scenario with
 * cluster.nodes and cluster.requests makes the target `cluster` (the
 * default then; simulate and batch-size are refused).  Every point is one
 * `hisim cluster` simulation.  Besides the scenario keys, set and the
 * axes take the list keys cluster.nodes.NAME.KEY and
 * cluster.requests.I.KEY, checked against the base's lists, and set may
 * replace either list whole (`cluster.requests: [...]`).  Order: the
 * scenario, the lists set replaces, set's keys in file order, the axes.
 *
 * Dimensions are the axes in file order, then the zip groups; point p
 * takes value index (p / stride_d) mod n_d of dimension d, the last
 * dimension varying fastest.
 *
 * Step ranges are computed in decimal integers from the text of from, to
 * and step: value i is the decimal from + i·step written exactly ("0.3",
 * never 0.30000000000000004), so the key parses the nearest double to
 * that decimal, as if it had been typed.  Count ranges cannot be exact:
 * interior values are written with 15 significant digits (DBL_DIG, so
 * float noise never shows and the text reads back as itself); on integer
 * keys they are rounded to the nearest integer.
 *
 * Identity: a point's key is the 64-bit FNV-1a hash (offset basis
 * 14695981039346656037, prime 1099511628211, over bytes, so the same on
 * every platform) of "hisim-point-v2\n" TARGET "\n" and the canonical
 * text of its effective configuration (after the catalog): one line
 * "key=value\n" (config_format's text, as `hisim show` prints it) for
 * every key but `seed` and `name` whose value differs from the schema
 * default, sorted by key, every file path replaced by the FNV-1a hash of
 * the file's bytes ("fnv1a64:<16 hex digits>"); for target cluster one
 * more line "cluster.lists=" with cluster_config_to_json of the point's
 * lists, profile paths replaced the same way.  A point is what
 * it computes, wherever its files lie; a hisim that adds keys (at their
 * defaults) keeps every point's key and seeds.
 *
 * Seeds: with m(x) the splitmix64 finaliser,
 *   seed(p, r) = m(m(m(S) ^ key_p) ^ r) >> 1           (crn: false)
 *   seed(p, r) = m(m(m(S) ^ 0) ^ r) >> 1               (crn: true)
 * for sweep seed S and replication r = 0, 1, ...; the top bit is cleared
 * so that every seed is a valid `seed` key (< 2^63).  Under crn every
 * point's replication r shares one seed, so all points see the same
 * sample order and random draws (common random numbers).
 */
#ifndef HISIM_SWEEP_H
#define HISIM_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "sim/cluster_config.h"
#include "sim/config.h"
#include "traces/error.h"
#include "traces/trace.h"

enum sweep_target { SWEEP_SIMULATE, SWEEP_BATCHSIZE, SWEEP_CLUSTER };

#define SWEEP_MAX_DIMS 32
#define SWEEP_MAX_POINTS 100000000u
#define SWEEP_METRIC_MAX 64

/* One key of a dimension: its values as applied, and where each was written. */
struct sweep_key {
    char *key;
    const struct config_key *schema;   /* NULL for a cluster list key */
    int cluster;             /* cluster.nodes.NAME.KEY or cluster.requests.I.KEY */
    size_t key_line, key_col;          /* where the key is written */
    size_t n;                /* values allocated (the dimension's n once parsed) */
    char **text;
    size_t *line, *col;
};

struct sweep_dim {
    size_t n_keys;           /* 1 for an axis, more for a zip group */
    struct sweep_key *keys;
    size_t n;                /* values of each key */
};

struct sweep_stop {
    int on;
    char metric[SWEEP_METRIC_MAX];
    size_t line, col;        /* where the metric is named */
    double rel_ci;           /* 95% half-width within rel_ci·|mean| */
    size_t min, max;         /* replications */
};

/* A trace loaded once and shared read-only by every point that uses it
 * (the engine reads trace.confidence through a view of its own). */
struct sweep_trace {
    char *real;              /* canonical path */
    struct hi_trace *trace;
};

struct sweep {
    char *file;              /* as given */
    char *dir;               /* its folder: base of relative paths */
    char *text;              /* the whole file as read */
    char *scenario;          /* base scenario path */
    char name[128];
    enum sweep_target target;
    size_t replications;     /* fixed count, when stop is off */
    uint64_t seed;
    int crn;
    struct sweep_stop stop;
    struct sweep_dim dims[SWEEP_MAX_DIMS];
    size_t n_dims;
    size_t n_points;
    size_t n_columns;        /* keys over all dimensions */
    const char **columns;    /* their names, in dimension order */

    struct hi_config *base_raw;  /* scenario + set, before the catalog */
    struct hi_config *base;      /* ... and after it */
    struct cluster_config *cluster;   /* target cluster: the base's lists, set applied */
    int catalog_axis;        /* an axis names a catalog entry */

    /* filled by sweep_expand */
    uint64_t *key;           /* per point: identity hash */
    size_t *trace_of;        /* per point: index into traces, or SIZE_MAX */
    struct sweep_trace *traces;
    size_t n_traces;
    struct sweep_digest *digests;   /* content hashes of the files named */
    size_t n_digests;
    char **defaults;         /* per schema key: its default as text */
};

/* Reads and checks a sweep file: its keys, axes, the base scenario and
 * the fixed overrides.  HI_EINPUT with "file:line:col: ..." on bad input. */
int sweep_load(const char *path, struct sweep *sw, struct hi_error *err);

/* Builds and checks the configuration of every point, computes the keys
 * and loads every trace the points use.  Two points with one effective
 * configuration are an error. */
int sweep_expand(struct sweep *sw, struct hi_error *err);

void sweep_free(struct sweep *sw);

/* The effective configuration of point p, before seeding (seed 0). */
int sweep_point_config(const struct sweep *sw, size_t p, struct hi_config *cfg, struct hi_error *err);

/* Target cluster: the lists of point p (a deep copy; cluster_config_free). */
int sweep_point_cluster(const struct sweep *sw, size_t p, struct cluster_config *cc, struct hi_error *err);

/* The value index of dimension d at point p. */
size_t sweep_index(const struct sweep *sw, size_t p, size_t d);

/* The trace point p runs on, or NULL when it has none (batch-size). */
const struct hi_trace *sweep_trace_of(const struct sweep *sw, size_t p);

/* The axis values of point p as one JSON object {"key": value, ...}
 * (numbers as numbers, formatted as config_format does); malloc'd. */
char *sweep_point_axes(const struct sweep *sw, size_t p);

/* 16 lowercase hex digits of a key into buf (>= 17 bytes). */
void sweep_key_hex(uint64_t key, char *buf);

/* The seed of replication r of the point with key `key` (see above). */
uint64_t sweep_seed(uint64_t sweep_seed, int crn, uint64_t key, uint64_t r);

/* FNV-1a 64 of n bytes, continuing from h (start at SWEEP_FNV_BASIS). */
#define SWEEP_FNV_BASIS 14695981039346656037ull
uint64_t sweep_fnv1a(uint64_t h, const void *data, size_t n);

/* The replications to run before the stopping rule is first checked,
 * and at most. */
size_t sweep_min_reps(const struct sweep *sw);
size_t sweep_max_reps(const struct sweep *sw);

/* True when k values v[0..k) of the stop metric end the point's
 * replications: k >= max, or k >= max(min, 2) and the 95% Student-t
 * half-width t_{0.975,k-1}·s/√k is at most rel_ci·|mean| (s the sample
 * standard deviation).  A NaN among the values never meets the rule. */
int sweep_stop_met(const struct sweep_stop *st, const double *v, size_t k);

/* True when runs of target t store a metric `name`. */
int sweep_metric_known(enum sweep_target t, const char *name);

/* The metrics of a batch-size point, in order (NULL-terminated):
 * the inputs, M-dagger and M* with f, t_s, t_r at M* (002 eqs. 6-9), and
 * f, t_s, t_r at the point's policy.batch. */
extern const char *const sweep_batchsize_metrics[];

const char *sweep_target_name(enum sweep_target t);

#endif
