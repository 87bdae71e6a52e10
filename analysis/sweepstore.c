/* sweepstore.c — the sweep tables of the store (sweepstore.h). */
#define _GNU_SOURCE
#include "analysis/sweepstore.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "analysis/store.h"
#include "analysis/sweep.h"
#include "sim/json.h"

const char sweepstore_schema_v2[] =
    "CREATE TABLE IF NOT EXISTS sweeps("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  file TEXT NOT NULL,"
    "  path TEXT NOT NULL,"
    "  text TEXT NOT NULL,"
    "  version TEXT NOT NULL,"
    "  target TEXT NOT NULL,"
    "  seed INTEGER NOT NULL,"
    "  crn INTEGER NOT NULL,"
    "  keys TEXT NOT NULL,"
    "  shard TEXT NOT NULL,"
    "  n_points INTEGER NOT NULL,"
    "  started TEXT NOT NULL,"
    "  finished TEXT,"
    "  status TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sweep_points("
    "  sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,"
    "  idx INTEGER NOT NULL,"
    "  point TEXT NOT NULL,"
    "  axes TEXT NOT NULL,"
    "  PRIMARY KEY(sweep_id, idx),"
    "  UNIQUE(sweep_id, point));"
    "CREATE TABLE IF NOT EXISTS sweep_runs("
    "  sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,"
    "  point TEXT NOT NULL,"
    "  replication INTEGER NOT NULL,"
    "  seed INTEGER NOT NULL,"
    "  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,"
    "  status TEXT NOT NULL,"
    "  error TEXT,"
    "  PRIMARY KEY(sweep_id, point, replication));"
    "CREATE TABLE IF NOT EXISTS run_points("
    "  run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,"
    "  point TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS run_points_point ON run_points(point);";

enum {
    Q_FIND_RUN, Q_PUT_ENTRY, Q_PUT_RUN_POINT, Q_METRIC, Q_EACH_ENTRY, Q_N
};

static const char *const queries[Q_N] = {
    "SELECT r.id FROM run_points p JOIN runs r ON r.id = p.run_id"
    " WHERE p.point = ?1 AND r.seed = ?2 AND r.version = ?3 AND r.status = 'done' ORDER BY r.id LIMIT 1",
    "INSERT OR REPLACE INTO sweep_runs(sweep_id, point, replication, seed, run_id, status, error)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    "INSERT OR REPLACE INTO run_points(run_id, point) VALUES(?1, ?2)",
    "SELECT value FROM metrics WHERE run_id = ?1 AND name = ?2",
    "SELECT point, replication, seed, run_id, status FROM sweep_runs WHERE sweep_id = ?1",
};

struct sweepstore {
    struct store *st;
    sqlite3 *db;
    sqlite3_stmt *q[Q_N];
};

static int
fail(sqlite3 *db, const char *path, struct hi_error *err, const char *what)
{
    int code = sqlite3_errcode(db);
    int input = code == SQLITE_NOTADB || code == SQLITE_CORRUPT || code == SQLITE_READONLY || code == SQLITE_PERM;
    return error_set(err, input ? HI_EINPUT : HI_EINTERNAL, "%s: %s: %s", path, what, sqlite3_errmsg(db));
}

#define FAIL(ss, what) fail((ss)->db, store_path((ss)->st), err, (what))

static char *
col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return strdup(t ? (const char *)t : "");
}

void
sweepstore_sweep_free(struct sweepstore_sweep *s)
{
    free(s->name);
    free(s->file);
    free(s->path);
    free(s->text);
    free(s->version);
    free(s->target);
    free(s->keys);
    free(s->shard);
    free(s->started);
    free(s->finished);
    free(s->status);
    memset(s, 0, sizeof *s);
}

struct sweepstore *
sweepstore_open(struct store *st, struct hi_error *err)
{
    struct sweepstore *ss = calloc(1, sizeof *ss);
    int i;
    if (!ss) {
        error_set(err, HI_EINTERNAL, "out of memory");
        return NULL;
    }
    ss->st = st;
    ss->db = store_sqlite(st);
    /* WAL: readers never block the writer; NORMAL: no fsync per commit,
     * still durable against a killed process */
    if (sqlite3_exec(ss->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", NULL, NULL, NULL) != SQLITE_OK) {
        FAIL(ss, "cannot switch to WAL mode");
        free(ss);
        return NULL;
    }
    for (i = 0; i < Q_N; i++)
        if (sqlite3_prepare_v2(ss->db, queries[i], -1, &ss->q[i], NULL) != SQLITE_OK) {
            FAIL(ss, "cannot prepare a query");
            sweepstore_close(ss);
            return NULL;
        }
    return ss;
}

void
sweepstore_close(struct sweepstore *ss)
{
    int i;
    if (!ss)
        return;
    for (i = 0; i < Q_N; i++)
        sqlite3_finalize(ss->q[i]);
    free(ss);
}

int
sweepstore_begin(struct sweepstore *ss, struct hi_error *err)
{
    if (sqlite3_exec(ss->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return FAIL(ss, "cannot begin a transaction");
    return HI_OK;
}

int
sweepstore_commit(struct sweepstore *ss, struct hi_error *err)
{
    if (sqlite3_exec(ss->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        FAIL(ss, "cannot commit");
        sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL);
        return err ? err->status : HI_EINTERNAL;
    }
    return HI_OK;
}

void
sweepstore_rollback(struct sweepstore *ss)
{
    sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL);
}

static char *
keys_json(const struct sweep *sw)
{
    struct json j;
    size_t i;
    json_init(&j);
    json_array_begin(&j);
    for (i = 0; i < sw->n_columns; i++)
        json_string(&j, sw->columns[i]);
    json_array_end(&j);
    return json_take(&j);
}

/* Inserts every point of sw into sweep id (inside a transaction). */
static int
put_points(struct sweepstore *ss, int64_t id, const struct sweep *sw, struct hi_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t p;
    if (sqlite3_prepare_v2(ss->db, "INSERT INTO sweep_points(sweep_id, idx, point, axes) VALUES(?1, ?2, ?3, ?4)", -1,
                           &st, NULL) != SQLITE_OK)
        return FAIL(ss, "cannot store the points");
    for (p = 0; p < sw->n_points; p++) {
        char hex[17];
        char *axes = sweep_point_axes(sw, p);
        int rc;
        if (!axes) {
            sqlite3_finalize(st);
            return error_set(err, HI_EINTERNAL, "out of memory");
        }
        sweep_key_hex(sw->key[p], hex);
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)p);
        sqlite3_bind_text(st, 3, hex, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, axes, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        free(axes);
        if (rc != SQLITE_DONE) {
            FAIL(ss, "cannot store the points");
            sqlite3_finalize(st);
            return err->status;
        }
    }
    sqlite3_finalize(st);
    return HI_OK;
}

int
sweepstore_create(struct sweepstore *ss, const struct sweep *sw, const char *real, const char *version,
                  const char *shard, const char *started, int64_t *id, struct hi_error *err)
{
    sqlite3_stmt *st = NULL;
    char *keys = keys_json(sw);
    if (!keys)
        return error_set(err, HI_EINTERNAL, "out of memory");
    if (sweepstore_begin(ss, err)) {
        free(keys);
        return err->status;
    }
    if (sqlite3_prepare_v2(ss->db,
                           "INSERT INTO sweeps(name, file, path, text, version, target, seed, crn, keys, shard,"
                           " n_points, started, status) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'running')",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, sw->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, sw->file, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, real, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, sw->text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, sweep_target_name(sw->target), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)sw->seed);
    sqlite3_bind_int(st, 8, sw->crn);
    sqlite3_bind_text(st, 9, keys, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, shard, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 11, (sqlite3_int64)sw->n_points);
    sqlite3_bind_text(st, 12, started, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    st = NULL;
    *id = sqlite3_last_insert_rowid(ss->db);
    free(keys);
    keys = NULL;
    if (put_points(ss, *id, sw, err)) {
        sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL);
        return err->status;
    }
    return sweepstore_commit(ss, err);
fail:
    FAIL(ss, "cannot store the sweep");
    sqlite3_finalize(st);
    free(keys);
    sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL);
    return err->status;
}

#define SWEEP_COLUMNS \
    "id, name, file, path, text, version, target, seed, crn, keys, shard, n_points, started, finished, status"

static void
read_sweep(sqlite3_stmt *st, struct sweepstore_sweep *s)
{
    s->id = sqlite3_column_int64(st, 0);
    s->name = col_text(st, 1);
    s->file = col_text(st, 2);
    s->path = col_text(st, 3);
    s->text = col_text(st, 4);
    s->version = col_text(st, 5);
    s->target = col_text(st, 6);
    s->seed = (uint64_t)sqlite3_column_int64(st, 7);
    s->crn = sqlite3_column_int(st, 8);
    s->keys = col_text(st, 9);
    s->shard = col_text(st, 10);
    s->n_points = (size_t)sqlite3_column_int64(st, 11);
    s->started = col_text(st, 12);
    s->finished = col_text(st, 13);
    s->status = col_text(st, 14);
}

static int
load_where(struct store *stt, const char *sql, int64_t id, const char *text, struct sweepstore_sweep *out,
           struct hi_error *err)
{
    sqlite3 *db = store_sqlite(stt);
    sqlite3_stmt *st = NULL;
    int rc;
    memset(out, 0, sizeof *out);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail(db, store_path(stt), err, "cannot read sweeps");
    if (text)
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_sweep(st, out);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(db, store_path(stt), err, "cannot read sweeps");
    return HI_OK;
}

int
sweepstore_latest(struct store *st, const char *real, struct sweepstore_sweep *out, struct hi_error *err)
{
    return load_where(st, "SELECT " SWEEP_COLUMNS " FROM sweeps WHERE path = ?1 ORDER BY id DESC LIMIT 1", 0, real,
                      out, err);
}

int
sweepstore_load(struct store *st, int64_t id, struct sweepstore_sweep *out, struct hi_error *err)
{
    if (load_where(st, "SELECT " SWEEP_COLUMNS " FROM sweeps WHERE id = ?1", id, NULL, out, err))
        return err->status;
    if (out->id == 0)
        return error_set(err, HI_EINPUT, "%s: no sweep with id %lld (hisim sweeps lists them)", store_path(st),
                         (long long)id);
    return HI_OK;
}

int
sweepstore_same_points(struct sweepstore *ss, int64_t id, const struct sweep *sw, int *same, struct hi_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t p = 0;
    int rc;
    *same = 1;
    if (sqlite3_prepare_v2(ss->db, "SELECT point FROM sweep_points WHERE sweep_id = ?1 ORDER BY idx", -1, &st, NULL)
        != SQLITE_OK)
        return FAIL(ss, "cannot read the points");
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char hex[17];
        if (p >= sw->n_points) {
            *same = 0;
            break;
        }
        sweep_key_hex(sw->key[p++], hex);
        if (strcmp(hex, (const char *)sqlite3_column_text(st, 0)) != 0) {
            *same = 0;
            break;
        }
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        FAIL(ss, "cannot read the points");
        sqlite3_finalize(st);
        return err->status;
    }
    sqlite3_finalize(st);
    if (p != sw->n_points)
        *same = 0;
    return HI_OK;
}

int
sweepstore_refresh(struct sweepstore *ss, int64_t id, const struct sweep *sw, const char *version,
                   struct hi_error *err)
{
    sqlite3_stmt *st = NULL;
    char *keys = keys_json(sw);
    size_t p, r;
    if (!keys)
        return error_set(err, HI_EINTERNAL, "out of memory");
    if (sweepstore_begin(ss, err)) {
        free(keys);
        return err->status;
    }
    if (sqlite3_prepare_v2(ss->db,
                           "UPDATE sweeps SET text = ?2, version = ?3, keys = ?4, n_points = ?5, seed = ?6, crn = ?7,"
                           " name = ?8, status = 'running' WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, sw->text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, keys, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)sw->n_points);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)sw->seed);
    sqlite3_bind_int(st, 7, sw->crn);
    sqlite3_bind_text(st, 8, sw->name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_exec(ss->db,
                     "CREATE TEMP TABLE IF NOT EXISTS keep(point TEXT, replication INTEGER, seed INTEGER);"
                     "DELETE FROM keep;",
                     NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    /* the replications that stay: every (point, r, seed) of the new grid */
    if (sqlite3_prepare_v2(ss->db, "INSERT INTO keep VALUES(?1, ?2, ?3)", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (p = 0; p < sw->n_points; p++) {
        char hex[17];
        sweep_key_hex(sw->key[p], hex);
        for (r = 0; r < sweep_max_reps(sw); r++) {
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, hex, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 2, (sqlite3_int64)r);
            sqlite3_bind_int64(st, 3, (sqlite3_int64)sweep_seed(sw->seed, sw->crn, sw->key[p], r));
            if (sqlite3_step(st) != SQLITE_DONE)
                goto fail;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    {
        char sql[400];
        snprintf(sql, sizeof sql,
                 "DELETE FROM sweep_runs WHERE sweep_id = %lld AND NOT EXISTS (SELECT 1 FROM keep k WHERE"
                 " k.point = sweep_runs.point AND k.replication = sweep_runs.replication AND k.seed = sweep_runs.seed);"
                 "DELETE FROM sweep_points WHERE sweep_id = %lld; DROP TABLE keep;",
                 (long long)id, (long long)id);
        if (sqlite3_exec(ss->db, sql, NULL, NULL, NULL) != SQLITE_OK)
            goto fail;
    }
    free(keys);
    keys = NULL;
    if (put_points(ss, id, sw, err)) {
        sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL);
        return err->status;
    }
    return sweepstore_commit(ss, err);
fail:
    FAIL(ss, "cannot update the sweep");
    sqlite3_finalize(st);
    free(keys);
    sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL);
    return err->status;
}

int
sweepstore_each_entry(struct sweepstore *ss, int64_t id, int (*fn)(void *ctx, const struct sweepstore_entry *e),
                      void *ctx, struct hi_error *err)
{
    sqlite3_stmt *st = ss->q[Q_EACH_ENTRY];
    int rc;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct sweepstore_entry e;
        e.point = (const char *)sqlite3_column_text(st, 0);
        e.replication = (size_t)sqlite3_column_int64(st, 1);
        e.seed = (uint64_t)sqlite3_column_int64(st, 2);
        e.run_id = sqlite3_column_type(st, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 3);
        e.status = (const char *)sqlite3_column_text(st, 4);
        if (fn(ctx, &e))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return FAIL(ss, "cannot read the sweep's runs");
    sqlite3_reset(st);
    return HI_OK;
}

int
sweepstore_find_run(struct sweepstore *ss, const char *point, uint64_t seed, const char *version, int64_t *run_id,
                    struct hi_error *err)
{
    sqlite3_stmt *st = ss->q[Q_FIND_RUN];
    int rc;
    *run_id = 0;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, point, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seed);
    sqlite3_bind_text(st, 3, version, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *run_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return FAIL(ss, "cannot look up finished runs");
    return HI_OK;
}

int
sweepstore_put_entry(struct sweepstore *ss, int64_t sweep, const char *point, size_t r, uint64_t seed,
                     int64_t run_id, const char *status, const char *error, struct hi_error *err)
{
    sqlite3_stmt *st = ss->q[Q_PUT_ENTRY];
    int rc;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, sweep);
    sqlite3_bind_text(st, 2, point, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)r);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)seed);
    if (run_id)
        sqlite3_bind_int64(st, 5, run_id);
    else
        sqlite3_bind_null(st, 5);
    sqlite3_bind_text(st, 6, status, -1, SQLITE_STATIC);
    if (error)
        sqlite3_bind_text(st, 7, error, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 7);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return FAIL(ss, "cannot record a run of the sweep");
    return HI_OK;
}

int
sweepstore_put_run_point(struct sweepstore *ss, int64_t run_id, const char *point, struct hi_error *err)
{
    sqlite3_stmt *st = ss->q[Q_PUT_RUN_POINT];
    int rc;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, point, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return FAIL(ss, "cannot record the run's point");
    return HI_OK;
}

int
sweepstore_metric(struct sweepstore *ss, int64_t run_id, const char *name, double *v, struct hi_error *err)
{
    sqlite3_stmt *st = ss->q[Q_METRIC];
    int rc;
    *v = NAN;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *v = sqlite3_column_double(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return FAIL(ss, "cannot read a metric");
    return HI_OK;
}

int
sweepstore_finish(struct sweepstore *ss, int64_t id, const char *status, const char *finished, struct hi_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(ss->db, "UPDATE sweeps SET status = ?2, finished = ?3 WHERE id = ?1", -1, &st, NULL)
        != SQLITE_OK)
        return FAIL(ss, "cannot update the sweep");
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, finished, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return FAIL(ss, "cannot update the sweep");
    return HI_OK;
}

int
sweepstore_each_sweep(struct store *stt, int (*fn)(void *ctx, const struct sweepstore_sweep *s, size_t runs),
                      void *ctx, struct hi_error *err)
{
    sqlite3 *db = store_sqlite(stt);
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(db,
                           "SELECT " SWEEP_COLUMNS ", (SELECT count(*) FROM sweep_runs r WHERE r.sweep_id = sweeps.id"
                           " AND r.status IN ('done', 'reused')) FROM sweeps ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(db, store_path(stt), err, "cannot read sweeps");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct sweepstore_sweep s;
        int stop;
        read_sweep(st, &s);
        stop = fn(ctx, &s, (size_t)sqlite3_column_int64(st, 15));
        sweepstore_sweep_free(&s);
        if (stop)
            break;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(db, store_path(stt), err, "cannot read sweeps");
    return HI_OK;
}

int
sweepstore_each_row(struct store *stt, int64_t id, int (*fn)(void *ctx, const struct sweepstore_row *r), void *ctx,
                    struct hi_error *err)
{
    sqlite3 *db = store_sqlite(stt);
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(db,
                           "SELECT p.idx, p.point, p.axes, r.replication, r.seed, r.run_id FROM sweep_points p"
                           " JOIN sweep_runs r ON r.sweep_id = p.sweep_id AND r.point = p.point"
                           " WHERE p.sweep_id = ?1 AND r.status IN ('done', 'reused') AND r.run_id IS NOT NULL"
                           " ORDER BY p.idx, r.replication",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(db, store_path(stt), err, "cannot read the sweep's runs");
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct sweepstore_row r;
        r.idx = (size_t)sqlite3_column_int64(st, 0);
        r.point = (const char *)sqlite3_column_text(st, 1);
        r.axes = (const char *)sqlite3_column_text(st, 2);
        r.replication = (size_t)sqlite3_column_int64(st, 3);
        r.seed = (uint64_t)sqlite3_column_int64(st, 4);
        r.run_id = sqlite3_column_int64(st, 5);
        if (fn(ctx, &r))
            break;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(db, store_path(stt), err, "cannot read the sweep's runs");
    return HI_OK;
}

/* ---- merge ---- */

/* Runs sql with ?1.. bound to the int64s given; -1 ends the list. */
static int
exec_ints(sqlite3 *db, const char *sql, const int64_t *v, size_t n)
{
    sqlite3_stmt *st = NULL;
    size_t i;
    int rc;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    for (i = 0; i < n; i++)
        sqlite3_bind_int64(st, (int)i + 1, v[i]);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int64_t
query_int(sqlite3 *db, const char *sql, int64_t arg, int *ok)
{
    sqlite3_stmt *st = NULL;
    int64_t v = 0;
    int rc;
    *ok = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_bind_parameter_count(st) >= 1)
        sqlite3_bind_int64(st, 1, arg);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    *ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    sqlite3_finalize(st);
    return v;
}

/* Parses "1,3/4" into a bit set of shards and N; 0, or -1. */
static int
parse_shards(const char *s, uint64_t *set, long *n)
{
    const char *slash = strrchr(s, '/');
    char *end;
    *set = 0;
    if (!slash)
        return -1;
    *n = strtol(slash + 1, &end, 10);
    if (*end || *n < 1 || *n > 64)
        return -1;
    while (s < slash) {
        long i = strtol(s, &end, 10);
        if (end == s || i < 1 || i > *n)
            return -1;
        *set |= 1ull << (i - 1);
        s = *end == ',' ? end + 1 : end;
    }
    return 0;
}

static void
format_shards(uint64_t set, long n, char *buf, size_t len)
{
    size_t k = 0;
    long i;
    buf[0] = '\0';
    if (set == (n == 64 ? ~0ull : (1ull << n) - 1)) {
        return;   /* all of them: the whole sweep */
    }
    for (i = 0; i < n; i++)
        if (set & (1ull << i))
            k += (size_t)snprintf(buf + k, len > k ? len - k : 0, "%s%ld", k ? "," : "", i + 1);
    snprintf(buf + k, len > k ? len - k : 0, "/%ld", n);
}

/* Merges sweep `sid` of src into a sweep of main (new or matching). */
static int
merge_sweep(sqlite3 *db, const char *out, const char *in, int64_t sid, int64_t off, struct hi_error *err)
{
    sqlite3_stmt *st = NULL;
    char *text = NULL, *version = NULL, *shard = NULL, *status = NULL, *finished = NULL;
    int64_t seed = 0, target_id = 0;
    uint64_t set = 0;
    long n = 0;
    int crn = 0, rc = HI_EINTERNAL;

    if (sqlite3_prepare_v2(db, "SELECT text, version, shard, status, seed, crn, finished FROM src.sweeps WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    sqlite3_bind_int64(st, 1, sid);
    if (sqlite3_step(st) != SQLITE_ROW)
        goto dberr;
    text = col_text(st, 0);
    version = col_text(st, 1);
    shard = col_text(st, 2);
    status = col_text(st, 3);
    seed = sqlite3_column_int64(st, 4);
    crn = sqlite3_column_int(st, 5);
    finished = col_text(st, 6);
    sqlite3_finalize(st);
    st = NULL;

    if (shard[0]) {
        if (parse_shards(shard, &set, &n)) {
            rc = error_set(err, HI_EINPUT, "%s: sweep %lld has a bad shard '%s'", in, (long long)sid, shard);
            goto out;
        }
        /* a part of the same sweep already in main: same text, version, seed, crn and N */
        if (sqlite3_prepare_v2(db,
                               "SELECT id, shard, status FROM main.sweeps WHERE text = ?1 AND version = ?2 AND seed = ?3"
                               " AND crn = ?4 AND shard LIKE ?5 ORDER BY id",
                               -1, &st, NULL) != SQLITE_OK)
            goto dberr;
        {
            char like[32];
            snprintf(like, sizeof like, "%%/%ld", n);
            sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, seed);
            sqlite3_bind_int(st, 4, crn);
            sqlite3_bind_text(st, 5, like, -1, SQLITE_TRANSIENT);
        }
        while (sqlite3_step(st) == SQLITE_ROW) {
            uint64_t have;
            long hn;
            if (parse_shards((const char *)sqlite3_column_text(st, 1), &have, &hn) == 0 && hn == n) {
                if (have & set) {
                    rc = error_set(err, HI_EINPUT, "%s: shard %s of sweep %lld is already in %s", in, shard,
                                   (long long)sid, out);
                    goto out;
                }
                target_id = sqlite3_column_int64(st, 0);
                {
                    const char *ts = (const char *)sqlite3_column_text(st, 2);
                    /* a part that did not finish makes the whole unfinished */
                    if (strcmp(status, "done") == 0 && strcmp(ts, "done") != 0 && strcmp(ts, "partial") != 0) {
                        free(status);
                        status = strdup(ts);
                    }
                }
                set |= have;
                break;
            }
        }
        sqlite3_finalize(st);
        st = NULL;
    }

    if (!target_id) {
        if (sqlite3_prepare_v2(db,
                               "INSERT INTO main.sweeps(name, file, path, text, version, target, seed, crn, keys, shard,"
                               " n_points, started, finished, status) SELECT name, file, path, text, version, target,"
                               " seed, crn, keys, shard, n_points, started, finished, status FROM src.sweeps WHERE id = ?1",
                               -1, &st, NULL) != SQLITE_OK)
            goto dberr;
        sqlite3_bind_int64(st, 1, sid);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto dberr;
        sqlite3_finalize(st);
        st = NULL;
        target_id = sqlite3_last_insert_rowid(db);
        {
            int64_t v[2] = {target_id, sid};
            if (exec_ints(db, "INSERT INTO main.sweep_points(sweep_id, idx, point, axes)"
                              " SELECT ?1, idx, point, axes FROM src.sweep_points WHERE sweep_id = ?2", v, 2))
                goto dberr;
        }
    } else {
        /* the parts of one sweep must have the same points */
        int ok;
        int64_t v[2] = {target_id, sid};
        int64_t differ;
        if (sqlite3_prepare_v2(db,
                               "SELECT (SELECT count(*) FROM (SELECT idx, point FROM main.sweep_points WHERE sweep_id = ?1"
                               " EXCEPT SELECT idx, point FROM src.sweep_points WHERE sweep_id = ?2))"
                               " + (SELECT count(*) FROM (SELECT idx, point FROM src.sweep_points WHERE sweep_id = ?2"
                               " EXCEPT SELECT idx, point FROM main.sweep_points WHERE sweep_id = ?1))",
                               -1, &st, NULL) != SQLITE_OK)
            goto dberr;
        sqlite3_bind_int64(st, 1, v[0]);
        sqlite3_bind_int64(st, 2, v[1]);
        ok = sqlite3_step(st) == SQLITE_ROW;
        differ = ok ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_finalize(st);
        st = NULL;
        if (!ok)
            goto dberr;
        if (differ) {
            rc = error_set(err, HI_EINPUT,
                           "%s: sweep %lld has the same file as sweep %lld of %s but other points (a base scenario or"
                           " trace differs between the parts)", in, (long long)sid, (long long)target_id, out);
            goto out;
        }
    }
    {
        int64_t v[3] = {target_id, off, sid};
        if (exec_ints(db, "INSERT INTO main.sweep_runs(sweep_id, point, replication, seed, run_id, status, error)"
                          " SELECT ?1, point, replication, seed, CASE WHEN run_id IS NULL THEN NULL ELSE run_id + ?2 END,"
                          " status, error FROM src.sweep_runs WHERE sweep_id = ?3", v, 3)) {
            if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_PRIMARYKEY || sqlite3_errcode(db) == SQLITE_CONSTRAINT) {
                rc = error_set(err, HI_EINPUT, "%s: sweep %lld repeats replications already in %s (overlapping shards?)",
                               in, (long long)sid, out);
                goto out;
            }
            goto dberr;
        }
    }
    if (shard[0]) {
        char merged[300];
        const char *st_now;
        uint64_t all = n == 64 ? ~0ull : (1ull << n) - 1;
        format_shards(set, n, merged, sizeof merged);
        st_now = strcmp(status, "done") != 0 ? status : set == all ? "done" : "partial";
        if (sqlite3_prepare_v2(db, "UPDATE main.sweeps SET shard = ?2, status = ?3,"
                                   " finished = max(coalesce(finished, ''), ?4) WHERE id = ?1",
                               -1, &st, NULL) != SQLITE_OK)
            goto dberr;
        sqlite3_bind_int64(st, 1, target_id);
        sqlite3_bind_text(st, 2, merged, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, st_now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, finished, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto dberr;
        sqlite3_finalize(st);
        st = NULL;
    }
    rc = HI_OK;
    goto out;
dberr:
    rc = fail(db, out, err, "cannot merge");
out:
    sqlite3_finalize(st);
    free(text);
    free(version);
    free(shard);
    free(status);
    free(finished);
    return rc;
}

int
sweepstore_merge(struct store *stt, const char *in, const char *out, struct hi_error *err)
{
    sqlite3 *db = store_sqlite(stt);
    sqlite3_stmt *st = NULL;
    int64_t off, *sids = NULL;
    size_t n_sids = 0, i;
    int ok, attached = 0, in_tx = 0, version, has_sweeps;
    int rc = HI_EINTERNAL;

    if (sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS src", -1, &st, NULL) != SQLITE_OK)
        return fail(db, out, err, "cannot merge");
    sqlite3_bind_text(st, 1, in, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = error_set(err, HI_EINPUT, "%s: cannot open database: %s", in, sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_finalize(st);
    st = NULL;
    attached = 1;
    /* a hisim database of this or an older schema */
    version = (int)query_int(db, "SELECT value FROM src.hisim_meta WHERE key = 'schema_version'", 0, &ok);
    if (!ok || version < 1) {
        rc = error_set(err, HI_EINPUT, "%s: not a hisim database: %s", in,
                       ok ? "it has no schema version" : sqlite3_errmsg(db));
        goto out;
    }
    if (version > STORE_SCHEMA_VERSION) {
        rc = error_set(err, HI_EINPUT, "%s: database schema version %d is newer than this hisim understands (%d)",
                       in, version, STORE_SCHEMA_VERSION);
        goto out;
    }
    has_sweeps = version >= 3;       /* schema 3 added the sweep tables */
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        goto dberr;
    in_tx = 1;
    off = query_int(db, "SELECT coalesce(max(id), 0) FROM main.runs", 0, &ok);
    if (!ok)
        goto dberr;
    {
        int64_t v[1] = {off};
        /* schema 2 added what `hisim rerun` needs: keep it */
        if ((version >= 2
             ? exec_ints(db, "INSERT INTO main.runs(id, name, scenario, config, seed, rng, version, policy, started,"
                             " finished, status, trace_path, trace_sha256, scenario_text, effective)"
                             " SELECT id + ?1, name, scenario, config, seed, rng, version, policy,"
                             " started, finished, status, trace_path, trace_sha256, scenario_text, effective"
                             " FROM src.runs ORDER BY id", v, 1)
             : exec_ints(db, "INSERT INTO main.runs(id, name, scenario, config, seed, rng, version, policy, started,"
                             " finished, status) SELECT id + ?1, name, scenario, config, seed, rng, version, policy,"
                             " started, finished, status FROM src.runs ORDER BY id", v, 1))
            || exec_ints(db, "INSERT INTO main.metrics(run_id, name, value) SELECT run_id + ?1, name, value"
                             " FROM src.metrics ORDER BY run_id, rowid", v, 1)
            /* schema 4 keeps a curve in one row; older ones a row per point */
            || (version >= 4
                ? exec_ints(db, "INSERT INTO main.curves(run_id, name, points) SELECT run_id + ?1, name, points"
                                " FROM src.curves ORDER BY run_id, rowid", v, 1)
                : store_curves_from_series(stt, "src", off))
            || (has_sweeps && exec_ints(db, "INSERT INTO main.run_points(run_id, point) SELECT run_id + ?1, point"
                                            " FROM src.run_points", v, 1)))
            goto dberr;
    }
    if (has_sweeps) {
        size_t cap = 0;
        if (sqlite3_prepare_v2(db, "SELECT id FROM src.sweeps ORDER BY id", -1, &st, NULL) != SQLITE_OK)
            goto dberr;
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (n_sids == cap) {
                int64_t *ns;
                cap = cap ? 2 * cap : 16;
                if (!(ns = realloc(sids, cap * sizeof *ns))) {
                    rc = error_set(err, HI_EINTERNAL, "out of memory");
                    goto out;
                }
                sids = ns;
            }
            sids[n_sids++] = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
        st = NULL;
        for (i = 0; i < n_sids; i++)
            if ((rc = merge_sweep(db, out, in, sids[i], off, err)))
                goto out;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto dberr;
    in_tx = 0;
    rc = HI_OK;
    goto out;
dberr:
    rc = fail(db, out, err, "cannot merge");
out:
    sqlite3_finalize(st);
    free(sids);
    if (in_tx)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (attached)
        sqlite3_exec(db, "DETACH DATABASE src", NULL, NULL, NULL);
    return rc;
}
