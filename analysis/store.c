/* store.c — the SQLite store of runs. */
#include "analysis/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "analysis/sweepstore.h"

#define SCHEMA_VERSION 2

struct store {
    sqlite3 *db;
    char *path;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS hisim_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS runs("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  scenario TEXT NOT NULL,"
    "  config TEXT NOT NULL,"
    "  seed INTEGER NOT NULL,"
    "  rng TEXT NOT NULL,"
    "  version TEXT NOT NULL,"
    "  policy TEXT NOT NULL,"
    "  started TEXT NOT NULL,"
    "  finished TEXT,"
    "  status TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS metrics("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  value REAL,"
    "  PRIMARY KEY(run_id, name));"
    "CREATE TABLE IF NOT EXISTS series("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  idx INTEGER NOT NULL,"
    "  x REAL NOT NULL,"
    "  y REAL,"
    "  PRIMARY KEY(run_id, name, idx));"
    "INSERT OR IGNORE INTO hisim_meta(key, value) VALUES('schema_version', '1');";

static int
db_error(struct store *s, struct hi_error *err, const char *what)
{
    int code = sqlite3_errcode(s->db);
    int input = code == SQLITE_NOTADB || code == SQLITE_CORRUPT || code == SQLITE_CANTOPEN
             || code == SQLITE_READONLY || code == SQLITE_PERM;
    return error_set(err, input ? HI_EINPUT : HI_EINTERNAL, "%s: %s: %s", s->path, what,
                     sqlite3_errmsg(s->db));
}

/* Forward migrations: step k takes schema version to[k] - 1 to to[k], in
 * one transaction, so an interrupted migration leaves the old version. */
static const struct {
    int to;
    const char *sql;
} migrations[] = {
    {2, sweepstore_schema_v2},   /* sweeps, their points and runs */
};

static int
schema_version(struct store *s)
{
    sqlite3_stmt *st = NULL;
    int v = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM hisim_meta WHERE key = 'schema_version'", -1, &st, NULL) == SQLITE_OK
        && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int
migrate(struct store *s, struct hi_error *err)
{
    size_t i;
    char sql[96];
    for (i = 0; i < sizeof migrations / sizeof migrations[0]; i++) {
        if (schema_version(s) >= migrations[i].to)
            continue;
        if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            return db_error(s, err, "cannot upgrade the database");
        /* another process may have upgraded it meanwhile */
        if (schema_version(s) < migrations[i].to) {
            snprintf(sql, sizeof sql, "UPDATE hisim_meta SET value = '%d' WHERE key = 'schema_version'", migrations[i].to);
            if (sqlite3_exec(s->db, migrations[i].sql, NULL, NULL, NULL) != SQLITE_OK
                || sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
                db_error(s, err, "cannot upgrade the database");
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
                return err ? err->status : HI_EINTERNAL;
            }
        }
        if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            db_error(s, err, "cannot upgrade the database");
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return err ? err->status : HI_EINTERNAL;
        }
    }
    return HI_OK;
}

struct store *
store_open(const char *path, int create, struct hi_error *err)
{
    struct store *s = calloc(1, sizeof *s);
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    sqlite3_stmt *st = NULL;

    if (!s || !(s->path = strdup(path))) {
        free(s);
        error_set(err, HI_EINTERNAL, "out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        if (!s->db) {
            error_set(err, HI_EINTERNAL, "%s: cannot open database", path);
        } else if (!create) {
            error_set(err, HI_EINPUT, "%s: cannot open database: %s (no runs stored yet?)", path,
                      sqlite3_errmsg(s->db));
        } else {
            db_error(s, err, "cannot open database");
        }
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 10000);
    sqlite3_extended_result_codes(s->db, 0);
    /* A file that is not SQLite fails here, at the first read. */
    if (sqlite3_exec(s->db, "PRAGMA foreign_keys = ON; SELECT count(*) FROM sqlite_master;", NULL, NULL, NULL) != SQLITE_OK) {
        error_set(err, HI_EINPUT, "%s: not a hisim database: %s", path, sqlite3_errmsg(s->db));
        goto fail;
    }
    /* An SQLite file of another program: tables named like ours must be ours. */
    if (sqlite3_prepare_v2(s->db,
                           "SELECT (SELECT count(*) FROM sqlite_master WHERE name IN ('runs','metrics','series')),"
                           " (SELECT count(*) FROM sqlite_master WHERE name = 'hisim_meta')",
                           -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        db_error(s, err, "cannot read database");
        goto fail;
    }
    if (sqlite3_column_int(st, 0) > 0 && sqlite3_column_int(st, 1) == 0) {
        error_set(err, HI_EINPUT, "%s: not a hisim database (it has tables named runs/metrics/series but no hisim_meta)", path);
        goto fail;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM hisim_meta WHERE key = 'schema_version'", -1, &st, NULL) == SQLITE_OK
        && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > SCHEMA_VERSION) {
        error_set(err, HI_EINPUT, "%s: database schema version %d is newer than this hisim (%d)", path,
                  sqlite3_column_int(st, 0), SCHEMA_VERSION);
        goto fail;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        db_error(s, err, "cannot create tables");
        goto fail;
    }
    if (migrate(s, err))
        goto fail;
    return s;
fail:
    sqlite3_finalize(st);
    store_close(s);
    return NULL;
}

struct sqlite3 *
store_sqlite(struct store *s)
{
    return s->db;
}

const char *
store_path(const struct store *s)
{
    return s->path;
}

void
store_close(struct store *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

static int
exec(struct store *s, const char *sql, struct hi_error *err)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(s, err, sql);
    return HI_OK;
}

int
store_save_run(struct store *s, struct store_run *run, struct hi_error *err)
{
    return store_save_run_with(s, run, NULL, NULL, err);
}

int
store_save_run_with(struct store *s, struct store_run *run, store_also_fn also, void *ctx,
                    struct hi_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t i, k;

    if (exec(s, "BEGIN IMMEDIATE", err))
        return err ? err->status : HI_EINTERNAL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO runs(name, scenario, config, seed, rng, version, policy, started, finished, status)"
                           " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, run->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, run->scenario ? run->scenario : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, run->config, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)run->seed);
    sqlite3_bind_text(st, 5, run->rng, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, run->version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, run->policy ? run->policy : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, run->started, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, run->finished, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, run->status, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    run->id = sqlite3_last_insert_rowid(s->db);

    if (sqlite3_prepare_v2(s->db, "INSERT INTO metrics(run_id, name, value) VALUES(?1, ?2, ?3)", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (i = 0; i < run->n_metrics; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, run->id);
        sqlite3_bind_text(st, 2, run->metrics[i].name, -1, SQLITE_STATIC);
        if (isfinite(run->metrics[i].value))
            sqlite3_bind_double(st, 3, run->metrics[i].value);
        else
            sqlite3_bind_null(st, 3);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
    }
    sqlite3_finalize(st);

    if (sqlite3_prepare_v2(s->db, "INSERT INTO series(run_id, name, idx, x, y) VALUES(?1, ?2, ?3, ?4, ?5)", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (i = 0; i < run->n_series; i++) {
        const struct store_series *se = &run->series[i];
        for (k = 0; k < se->n; k++) {
            sqlite3_reset(st);
            sqlite3_bind_int64(st, 1, run->id);
            sqlite3_bind_text(st, 2, se->name, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, (sqlite3_int64)k);
            sqlite3_bind_double(st, 4, se->x[k]);
            if (isfinite(se->y[k]))
                sqlite3_bind_double(st, 5, se->y[k]);
            else
                sqlite3_bind_null(st, 5);
            if (sqlite3_step(st) != SQLITE_DONE)
                goto fail;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if (also && also(ctx, s, run->id, err)) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return err ? err->status : HI_EINTERNAL;
    }
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    return HI_OK;
fail:
    db_error(s, err, "cannot store the run");
    sqlite3_finalize(st);
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return err ? err->status : HI_EINTERNAL;
}

static char *
col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return strdup(t ? (const char *)t : "");
}

static void
read_row(sqlite3_stmt *st, struct store_loaded *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->name = col_text(st, 1);
    r->scenario = col_text(st, 2);
    r->config = col_text(st, 3);
    r->seed = (uint64_t)sqlite3_column_int64(st, 4);
    r->rng = col_text(st, 5);
    r->version = col_text(st, 6);
    r->policy = col_text(st, 7);
    r->started = col_text(st, 8);
    r->finished = col_text(st, 9);
    r->status = col_text(st, 10);
}

#define RUN_COLUMNS "id, name, scenario, config, seed, rng, version, policy, started, finished, status"

int
store_load_run(struct store *s, int64_t id, struct store_loaded *out, struct hi_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc;

    memset(out, 0, sizeof *out);
    if (sqlite3_prepare_v2(s->db, "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot read runs");
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (rc == SQLITE_DONE)
            return error_set(err, HI_EINPUT, "%s: no run with id %lld (hisim runs lists them)", s->path, (long long)id);
        return db_error(s, err, "cannot read runs");
    }
    read_row(st, out);
    sqlite3_finalize(st);

    if (sqlite3_prepare_v2(s->db, "SELECT name, value FROM metrics WHERE run_id = ?1 ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot read metrics");
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (out->n_metrics == cap) {
            struct store_metric *m;
            cap = cap ? 2 * cap : 32;
            m = realloc(out->metrics, cap * sizeof *m);
            if (!m) {
                sqlite3_finalize(st);
                return error_set(err, HI_EINTERNAL, "out of memory");
            }
            out->metrics = m;
        }
        out->metrics[out->n_metrics].name = col_text(st, 0);
        out->metrics[out->n_metrics].value =
            sqlite3_column_type(st, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 1);
        out->n_metrics++;
    }
    sqlite3_finalize(st);
    return HI_OK;
}

void
store_loaded_free(struct store_loaded *r)
{
    size_t i;
    free(r->name);
    free(r->scenario);
    free(r->config);
    free(r->rng);
    free(r->version);
    free(r->policy);
    free(r->started);
    free(r->finished);
    free(r->status);
    for (i = 0; i < r->n_metrics; i++)
        free((char *)r->metrics[i].name);
    free(r->metrics);
    memset(r, 0, sizeof *r);
}

double
store_metric(const struct store_loaded *r, const char *name)
{
    size_t i;
    for (i = 0; i < r->n_metrics; i++)
        if (strcmp(r->metrics[i].name, name) == 0)
            return r->metrics[i].value;
    return NAN;
}

int
store_each_run(struct store *s, int (*fn)(void *ctx, const struct store_loaded *r),
               void *ctx, struct hi_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(s->db, "SELECT " RUN_COLUMNS " FROM runs ORDER BY id", -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot read runs");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_loaded r;
        int stop;
        memset(&r, 0, sizeof r);
        read_row(st, &r);
        stop = fn(ctx, &r);
        store_loaded_free(&r);
        if (stop)
            break;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_error(s, err, "cannot read runs");
    return HI_OK;
}

int
store_load_series(struct store *s, int64_t id, const char *name,
                  double **x, double **y, size_t *n, struct hi_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    *x = *y = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT x, y FROM series WHERE run_id = ?1 AND name = ?2 ORDER BY idx", -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot read series");
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            double *nx, *ny;
            cap = cap ? 2 * cap : 256;
            nx = realloc(*x, cap * sizeof *nx);
            if (nx)
                *x = nx;
            ny = realloc(*y, cap * sizeof *ny);
            if (ny)
                *y = ny;
            if (!nx || !ny) {
                sqlite3_finalize(st);
                return error_set(err, HI_EINTERNAL, "out of memory");
            }
        }
        (*x)[*n] = sqlite3_column_double(st, 0);
        (*y)[*n] = sqlite3_column_type(st, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 1);
        (*n)++;
    }
    sqlite3_finalize(st);
    return HI_OK;
}
