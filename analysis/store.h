/*
 * store.h — runs in SQLite.
 *
 * Tables (schema version 1):
 *   runs(id, name, scenario, config, seed, rng, version, policy,
 *        started, finished, status)    config: the effective configuration
 *                                      as JSON with dotted keys
 *   metrics(run_id, name, value)       one row per summary figure
 *   series(run_id, name, idx, x, y)    curves (regret, cost, ...)
 * A run and everything it owns are written in one transaction, so a
 * failed or interrupted run leaves nothing behind.
 * Schema version 2 adds the sweep tables (analysis/sweepstore.h); opening
 * an older database upgrades it in one transaction.
 */
#ifndef HISIM_STORE_H
#define HISIM_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "traces/error.h"

struct store;

struct store_metric {
    const char *name;
    double value;
};

struct store_series {
    const char *name;
    const double *x, *y;
    size_t n;
};

struct store_run {
    int64_t id;                 /* filled by store_save_run */
    const char *name;
    const char *scenario;       /* scenario file, or "" */
    const char *config;         /* JSON */
    uint64_t seed;
    const char *rng;
    const char *version;
    const char *policy;         /* the policy's parameters in effect */
    const char *started, *finished;   /* ISO 8601 UTC */
    const char *status;         /* "done" */
    const struct store_metric *metrics;
    size_t n_metrics;
    const struct store_series *series;
    size_t n_series;
};

/* Opens (creating when `create`) a store.  A file that is not a hisim
 * database is bad input (HI_EINPUT). */
struct store *store_open(const char *path, int create, struct hi_error *err);
void store_close(struct store *s);

int store_save_run(struct store *s, struct store_run *run, struct hi_error *err);

/* Like store_save_run, and calls also(ctx, s, run id) inside the same
 * transaction before it commits; a nonzero return rolls everything back. */
typedef int (*store_also_fn)(void *ctx, struct store *s, int64_t run_id, struct hi_error *err);
int store_save_run_with(struct store *s, struct store_run *run, store_also_fn also, void *ctx,
                        struct hi_error *err);

/* The SQLite connection, for the modules that own further tables
 * (analysis/sweepstore.c), and the path the store was opened with. */
struct sqlite3;
struct sqlite3 *store_sqlite(struct store *s);
const char *store_path(const struct store *s);

/* A run read back; strings and arrays are owned by the struct. */
struct store_loaded {
    int64_t id;
    char *name, *scenario, *config, *rng, *version, *policy, *started, *finished, *status;
    uint64_t seed;
    struct store_metric *metrics;
    size_t n_metrics;
};

/* HI_EINPUT when there is no run `id`. */
int store_load_run(struct store *s, int64_t id, struct store_loaded *out, struct hi_error *err);
void store_loaded_free(struct store_loaded *r);
/* A metric's value, or NaN. */
double store_metric(const struct store_loaded *r, const char *name);

/* Calls fn for every run in id order (metrics not loaded); a nonzero
 * return from fn stops the walk. */
int store_each_run(struct store *s, int (*fn)(void *ctx, const struct store_loaded *r),
                   void *ctx, struct hi_error *err);

/* Reads series `name` of a run into malloc'd arrays (NULL, 0 when absent). */
int store_load_series(struct store *s, int64_t id, const char *name,
                      double **x, double **y, size_t *n, struct hi_error *err);

#endif
