/*
 * store.h — runs in SQLite.
 *
 * Tables (schema version 4; hisim_meta.schema_version says which):
 *   hisim_meta(key, value)             schema_version
 *   runs(id, name, scenario, config, seed, rng, version, policy,
 *        started, finished, status,    config: the effective configuration
 *        trace_path, trace_sha256,     as JSON with dotted keys; effective:
 *        scenario_text, effective)     the same as a YAML scenario that
 *                                      `hisim rerun` replays (v2)
 *   metrics(run_id, name, value)       one row per summary figure
 *   curves(run_id, name, points)       one row per curve (regret, cost,
 *                                      ...): points is JSON text
 *                                      [[x, y], ...] whose numbers read
 *                                      back to the stored doubles (null:
 *                                      not finite) (v4)
 *   series(run_id, name, idx, x, y)    a view: one row per point of the
 *                                      curves (a table before v4)
 * A run and everything it owns are written in one transaction, so a
 * failed store leaves nothing behind.
 * Schema version 2 keeps what `hisim rerun` needs with each run; version
 * 3 adds the sweep tables (analysis/sweepstore.h); version 4 keeps a curve
 * in one row rather than a row per point (storing a run writes 5 rows and
 * the metrics, not a thousand).
 *
 * Versions: a database of an older schema is migrated forward, in one
 * transaction, when it is opened for writing (store.c has the table of
 * steps: a new version is one row); opened read-only it is read as it is.
 * A newer schema is refused.  Read-only opens never create or change
 * anything.  Waits for a lock held by another process up to
 * $HISIM_BUSY_TIMEOUT_MS (default 10000) per attempt, three attempts.
 */
#ifndef HISIM_STORE_H
#define HISIM_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "traces/error.h"

#define STORE_SCHEMA_VERSION 4

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
    const char *status;         /* "done" or "interrupted" */
    const char *trace_path;     /* absolute, or "" (NULL is "") */
    const char *trace_sha256;   /* hex, or "" */
    const char *scenario_text;  /* the scenario file as read, or "" */
    const char *effective;      /* the effective configuration as YAML, or "" */
    const struct store_metric *metrics;
    size_t n_metrics;
    const struct store_series *series;
    size_t n_series;
};

/* Modes of store_open (0 and 1 as the old `create` flag). */
enum store_mode {
    STORE_READONLY = 0,         /* must exist; never written */
    STORE_CREATE = 1            /* created, or migrated forward, as needed */
};

/* Opens a store.  HI_EINPUT for a path that cannot be a hisim database
 * (a directory, another program's file, a newer schema, a missing file
 * when read-only, a missing folder), HI_EINTERNAL for a lock held too
 * long or an I/O error; the message names the cause.  STORE_CREATE takes
 * the write lock once, so a database that can not be written fails here,
 * before any work. */
struct store *store_open(const char *path, int mode, struct hi_error *err);
void store_close(struct store *s);

/* The schema version of the open database (0: an empty file). */
int store_schema_version(const struct store *s);

/* Stores a run in one transaction, retried while the database is locked. */
int store_save_run(struct store *s, struct store_run *run, struct hi_error *err);

/* Writes the run as one JSON object to a new file beside the database
 * (DB.unsaved-PID.json, else in $TMPDIR), for when store_save_run fails;
 * the path written into buf.  0 or HI_EINTERNAL. */
int store_spill_run(const char *db_path, const struct store_run *run, char *buf, size_t len,
                    struct hi_error *err);
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
    char *trace_path, *trace_sha256, *scenario_text, *effective;   /* "" before v2 */
    uint64_t seed;
    struct store_metric *metrics;
    size_t n_metrics;
};

/* HI_EINPUT when there is no run `id`; out is left empty on failure. */
int store_load_run(struct store *s, int64_t id, struct store_loaded *out, struct hi_error *err);
void store_loaded_free(struct store_loaded *r);
/* A metric's value, or NaN. */
double store_metric(const struct store_loaded *r, const char *name);

/* Calls fn for every run in id order (metrics not loaded); a nonzero
 * return from fn stops the walk. */
int store_each_run(struct store *s, int (*fn)(void *ctx, const struct store_loaded *r),
                   void *ctx, struct hi_error *err);

/* Reads series `name` of a run into malloc'd arrays (NULL, 0 when absent
 * and on failure), the doubles that were stored, to the bit (NaN where
 * one was not finite). */
int store_load_series(struct store *s, int64_t id, const char *name,
                      double **x, double **y, size_t *n, struct hi_error *err);

/* The names of a run's series, in the order they were stored (malloc'd;
 * free with store_names_free). */
int store_series_names(struct store *s, int64_t id, char ***names, size_t *n, struct hi_error *err);
void store_names_free(char **names, size_t n);

/* Adds to the store's curves table the series rows of the attached
 * database `schema` (schema version 1 to 3), run ids shifted by offset
 * (hisim merge).  0, or -1 with the connection's error. */
int store_curves_from_series(struct store *s, const char *schema, int64_t offset);

#endif
