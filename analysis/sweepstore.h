/*
 * sweepstore.h — sweeps in the SQLite store (schema version 2).
 *
 * Tables, beside the runs of analysis/store.h:
 *   sweeps(id, name, file, path, text, version, target, seed, crn, keys,
 *          shard, n_points, started, finished, status)
 *       one row per sweep: the sweep file's text, the hisim version that
 *       ran it, its axis keys (a JSON array, the export's columns), the
 *       shard it ran ("" for all, else "I/N"); status running | done |
 *       failed | stopped | partial
 *   sweep_points(sweep_id, idx, point, axes)
 *       every point of the grid: its key (16 hex digits) and axis values
 *       (a JSON object)
 *   sweep_runs(sweep_id, point, replication, seed, run_id, status, error)
 *       what each replication of a point became: done (run now), reused
 *       (a run of an earlier sweep), failed (error, no run)
 *   run_points(run_id, point)
 *       the point key of every run a sweep computed: the index by which a
 *       later sweep finds a run to reuse (same point, seed and version)
 *
 * A computed run, its run_points row and its sweep_runs row are written
 * in one transaction (store_save_run_with), so a crash loses only the
 * runs in flight.  The writer uses WAL mode with synchronous=NORMAL: a
 * killed process loses nothing committed; a power failure may lose the
 * last commits but never corrupts the file.
 */
#ifndef HISIM_SWEEPSTORE_H
#define HISIM_SWEEPSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "traces/error.h"

struct store;
struct sweep;

/* The schema upgrade from version 1 to 2 (run by store_open). */
extern const char sweepstore_schema_v2[];

/* A row of sweeps; strings owned. */
struct sweepstore_sweep {
    int64_t id;
    char *name, *file, *path, *text, *version, *target, *keys, *shard, *started, *finished, *status;
    uint64_t seed;
    int crn;
    size_t n_points;
};
void sweepstore_sweep_free(struct sweepstore_sweep *s);

/* Prepared statements of a sweep writer. */
struct sweepstore;

/* Switches the database to WAL and prepares the writer's statements. */
struct sweepstore *sweepstore_open(struct store *st, struct hi_error *err);
void sweepstore_close(struct sweepstore *ss);

/* A new sweep with all its points, in one transaction; *id is its id. */
int sweepstore_create(struct sweepstore *ss, const struct sweep *sw, const char *real, const char *version,
                      const char *shard, const char *started, int64_t *id, struct hi_error *err);

/* The latest sweep whose file has canonical path `real`; HI_OK with
 * out->id == 0 when there is none. */
int sweepstore_latest(struct store *st, const char *real, struct sweepstore_sweep *out, struct hi_error *err);
/* HI_EINPUT when there is no sweep `id`. */
int sweepstore_load(struct store *st, int64_t id, struct sweepstore_sweep *out, struct hi_error *err);

/* *same = 1 when sweep id has exactly sw's points (keys, in order). */
int sweepstore_same_points(struct sweepstore *ss, int64_t id, const struct sweep *sw, int *same,
                           struct hi_error *err);

/* For --resume --force: the sweep takes sw's text, version and points;
 * replications whose point or seed changed leave the sweep (their runs
 * stay in the store).  One transaction. */
int sweepstore_refresh(struct sweepstore *ss, int64_t id, const struct sweep *sw, const char *version,
                       struct hi_error *err);

/* Calls fn for every sweep_runs row of sweep id. */
struct sweepstore_entry {
    const char *point;
    size_t replication;
    uint64_t seed;
    int64_t run_id;        /* 0: none */
    const char *status;
};
int sweepstore_each_entry(struct sweepstore *ss, int64_t id,
                          int (*fn)(void *ctx, const struct sweepstore_entry *e), void *ctx,
                          struct hi_error *err);

/* A finished run with this point key, seed and hisim version; *run_id 0
 * when there is none. */
int sweepstore_find_run(struct sweepstore *ss, const char *point, uint64_t seed, const char *version,
                        int64_t *run_id, struct hi_error *err);

/* Records what replication r of a point became (replacing an earlier
 * row, e.g. a failure that a resume retried). */
int sweepstore_put_entry(struct sweepstore *ss, int64_t sweep, const char *point, size_t r, uint64_t seed,
                         int64_t run_id, const char *status, const char *error, struct hi_error *err);

/* Inside the transaction of a computed run: its run_points row. */
int sweepstore_put_run_point(struct sweepstore *ss, int64_t run_id, const char *point, struct hi_error *err);

/* A metric of a run (NaN when absent or NULL). */
int sweepstore_metric(struct sweepstore *ss, int64_t run_id, const char *name, double *v, struct hi_error *err);

int sweepstore_finish(struct sweepstore *ss, int64_t id, const char *status, const char *finished,
                      struct hi_error *err);

/* BEGIN IMMEDIATE / COMMIT around several puts. */
int sweepstore_begin(struct sweepstore *ss, struct hi_error *err);
int sweepstore_commit(struct sweepstore *ss, struct hi_error *err);
void sweepstore_rollback(struct sweepstore *ss);

/* Calls fn for every sweep, in id order, with its counts of points and
 * of finished runs. */
int sweepstore_each_sweep(struct store *st,
                          int (*fn)(void *ctx, const struct sweepstore_sweep *s, size_t runs), void *ctx,
                          struct hi_error *err);

/* One run of a sweep for export: point and replication, in grid order. */
struct sweepstore_row {
    size_t idx;            /* point index */
    const char *point;
    const char *axes;      /* JSON object */
    size_t replication;
    uint64_t seed;
    int64_t run_id;
};
int sweepstore_each_row(struct store *st, int64_t id, int (*fn)(void *ctx, const struct sweepstore_row *r),
                        void *ctx, struct hi_error *err);

/* Copies every run of database `in` into st (new run ids) and every
 * sweep of it: the shards of one sweep (same text, version, seed, crn
 * and shard count) merge into one sweep of st.  One transaction; `in` is
 * only read; `out` names st in messages. */
int sweepstore_merge(struct store *st, const char *in, const char *out, struct hi_error *err);

#endif
