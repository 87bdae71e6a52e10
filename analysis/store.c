/* store.c — the SQLite store of runs. */
#include "analysis/store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "analysis/outfile.h"
#include "analysis/sweepstore.h"
#include "sim/json.h"

#define ATTEMPTS 3

struct store {
    sqlite3 *db;
    char *path;
    int version;          /* schema version of the file (0: empty) */
    int readonly;
    int timeout_ms;
};

/*
 * The schema, as the steps that build it: step k takes a database of
 * version k−1 to version k.  A new database runs them all, an older one
 * the ones it lacks, in one transaction.  To change the schema, add a
 * step (never edit one that shipped) and raise STORE_SCHEMA_VERSION.
 */
static const struct store_step {
    int version;
    const char *sql;
} steps[] = {
    {1, "CREATE TABLE hisim_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE runs("
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
        "CREATE TABLE metrics("
        "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
        "  name TEXT NOT NULL,"
        "  value REAL,"
        "  PRIMARY KEY(run_id, name));"
        "CREATE TABLE series("
        "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
        "  name TEXT NOT NULL,"
        "  idx INTEGER NOT NULL,"
        "  x REAL NOT NULL,"
        "  y REAL,"
        "  PRIMARY KEY(run_id, name, idx));"},
    /* reproducible runs: what was replayed, and the configuration as a
     * scenario `hisim rerun` reads */
    {2, "ALTER TABLE runs ADD COLUMN trace_path TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE runs ADD COLUMN trace_sha256 TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE runs ADD COLUMN scenario_text TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE runs ADD COLUMN effective TEXT NOT NULL DEFAULT '';"},
    /* sweeps, their points and runs (analysis/sweepstore.h) */
    {3, sweepstore_schema_v2},
};
#define N_STEPS (sizeof steps / sizeof steps[0])
_Static_assert(sizeof steps / sizeof steps[0] == STORE_SCHEMA_VERSION, "one step per schema version");

/* The message and status of the connection's last error, named by its
 * real cause. */
static int
db_error(struct store *s, struct hi_error *err, const char *what)
{
    int code = sqlite3_errcode(s->db) & 0xff;
    const char *msg = sqlite3_errmsg(s->db);
    switch (code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return error_set(err, HI_EINTERNAL,
                         "%s: %s: database is locked (another process holds it; waited %d x %.1f s; "
                         "$HISIM_BUSY_TIMEOUT_MS sets the wait)",
                         s->path, what, ATTEMPTS, s->timeout_ms / 1000.0);
    case SQLITE_NOTADB:
        return error_set(err, HI_EINPUT, "%s: not a hisim database: %s", s->path, msg);
    case SQLITE_CORRUPT:
        return error_set(err, HI_EINPUT, "%s: %s: the database is corrupt: %s", s->path, what, msg);
    case SQLITE_READONLY:
        return error_set(err, HI_EINPUT, "%s: %s: the database cannot be written: %s", s->path, what, msg);
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return error_set(err, HI_EINPUT, "%s: %s: %s", s->path, what, msg);
    case SQLITE_FULL:
        return error_set(err, HI_EINTERNAL, "%s: %s: the disk is full: %s", s->path, what, msg);
    default:
        return error_set(err, HI_EINTERNAL, "%s: %s: %s", s->path, what, msg);
    }
}

static int
is_busy(struct store *s)
{
    int code = sqlite3_errcode(s->db) & 0xff;
    return code == SQLITE_BUSY || code == SQLITE_LOCKED;
}

static int
busy_timeout_ms(void)
{
    const char *e = getenv("HISIM_BUSY_TIMEOUT_MS");
    char *end;
    long v;
    if (!e || !*e)
        return 10000;
    v = strtol(e, &end, 10);
    return *end || v < 0 || v > 86400000L ? 10000 : (int)v;
}

/* The schema version: 0 for a file with no tables; -1 with err for a
 * file that is not ours. */
static int
read_version(struct store *s, struct hi_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc, tables, meta, v;

    if (sqlite3_prepare_v2(s->db, "SELECT count(*), coalesce(sum(name = 'hisim_meta'), 0) FROM sqlite_master"
                           " WHERE type = 'table'", -1, &st, NULL) != SQLITE_OK
        || (rc = sqlite3_step(st)) != SQLITE_ROW) {
        db_error(s, err, "cannot read the database");
        sqlite3_finalize(st);
        return -1;
    }
    tables = sqlite3_column_int(st, 0);
    meta = sqlite3_column_int(st, 1);
    sqlite3_finalize(st);
    if (tables == 0)
        return 0;
    if (!meta) {
        error_set(err, HI_EINPUT, "%s: not a hisim database (an SQLite file of another program: "
                  "it has tables but no hisim_meta)", s->path);
        return -1;
    }
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM hisim_meta WHERE key = 'schema_version'", -1, &st, NULL)
        != SQLITE_OK) {
        db_error(s, err, "cannot read the schema version");
        return -1;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_finalize(st);
        error_set(err, HI_EINPUT, "%s: not a hisim database (hisim_meta has no schema_version)", s->path);
        return -1;
    }
    if (rc != SQLITE_ROW) {
        db_error(s, err, "cannot read the schema version");
        sqlite3_finalize(st);
        return -1;
    }
    v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (v < 1) {
        error_set(err, HI_EINPUT, "%s: not a hisim database (schema_version '%d')", s->path, v);
        return -1;
    }
    return v;
}

/* Brings the schema to STORE_SCHEMA_VERSION in one transaction; also
 * proves, with one write, that the database can be written now. */
static int
migrate(struct store *s, struct hi_error *err)
{
    int attempt;
    for (attempt = 0; attempt < ATTEMPTS; attempt++) {
        int v;
        size_t i;
        char sql[128];
        if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
            if (is_busy(s))
                continue;
            return db_error(s, err, "cannot write");
        }
        v = read_version(s, err);        /* again, under the lock */
        if (v < 0) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return err ? err->status : HI_EINPUT;
        }
        if (v > STORE_SCHEMA_VERSION) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return error_set(err, HI_EINPUT, "%s: database schema version %d is newer than this hisim "
                             "understands (%d): use the hisim that wrote it, or a newer one",
                             s->path, v, STORE_SCHEMA_VERSION);
        }
        for (i = 0; i < N_STEPS; i++)
            if (steps[i].version > v && sqlite3_exec(s->db, steps[i].sql, NULL, NULL, NULL) != SQLITE_OK)
                goto fail;
        snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO hisim_meta(key, value) VALUES('schema_version', '%d')",
                 STORE_SCHEMA_VERSION);
        if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK
            || sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            goto fail;
        s->version = STORE_SCHEMA_VERSION;
        return HI_OK;
    fail:
        if (is_busy(s)) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            continue;
        }
        {
            int rc = db_error(s, err, v < STORE_SCHEMA_VERSION ? "cannot create or migrate the tables" : "cannot write");
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
    }
    return db_error(s, err, "cannot write");
}

struct store *
store_open(const char *path, int mode, struct hi_error *err)
{
    struct store *s = calloc(1, sizeof *s);
    struct stat sb;
    int exists, flags;

    if (!s || !(s->path = strdup(path))) {
        free(s);
        error_set(err, HI_EINTERNAL, "out of memory");
        return NULL;
    }
    s->readonly = mode == STORE_READONLY;
    s->timeout_ms = busy_timeout_ms();
    exists = stat(path, &sb) == 0;
    if (exists && S_ISDIR(sb.st_mode)) {
        error_set(err, HI_EINPUT, "%s: is a directory (expected a database file)", path);
        goto fail;
    }
    if (!exists && errno != ENOENT) {
        error_set(err, HI_EINPUT, "%s: cannot open the database: %s", path, strerror(errno));
        goto fail;
    }
    if (!exists && s->readonly) {
        error_set(err, HI_EINPUT, "%s: no such database (hisim run stores runs there; --db chooses another)", path);
        goto fail;
    }
    if (!exists && *path) {
        const char *slash = strrchr(path, '/');
        if (slash && slash != path) {
            char *dir = strndup(path, (size_t)(slash - path));
            int ok = dir && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode);
            if (!ok)
                error_set(err, HI_EINPUT, "%s: cannot create the database: no such folder '%s'", path,
                          dir ? dir : "");
            free(dir);
            if (!ok)
                goto fail;
        }
    }
    flags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        if (!s->db)
            error_set(err, HI_EINTERNAL, "%s: cannot open the database: out of memory", path);
        else
            db_error(s, err, "cannot open the database");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, s->timeout_ms);
    sqlite3_extended_result_codes(s->db, 0);
    if (sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK) {
        db_error(s, err, "cannot open the database");
        goto fail;
    }
    s->version = read_version(s, err);
    if (s->version < 0)
        goto fail;
    if (s->version > STORE_SCHEMA_VERSION) {
        error_set(err, HI_EINPUT, "%s: database schema version %d is newer than this hisim understands (%d): "
                  "use the hisim that wrote it, or a newer one", path, s->version, STORE_SCHEMA_VERSION);
        goto fail;
    }
    if (!s->readonly && migrate(s, err))
        goto fail;
    return s;
fail:
    store_close(s);
    return NULL;
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

int
store_schema_version(const struct store *s)
{
    return s->version;
}

static int
bind_text(sqlite3_stmt *st, int i, const char *v)
{
    return sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

/* One attempt at the run's transaction: -1 on an SQLite failure, -2 when
 * `also` failed (err filled). */
static int
save_once(struct store *s, struct store_run *run, store_also_fn also, void *ctx, struct hi_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t i, k;

    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO runs(name, scenario, config, seed, rng, version, policy, started, finished,"
                           " status, trace_path, trace_sha256, scenario_text, effective)"
                           " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    bind_text(st, 1, run->name);
    bind_text(st, 2, run->scenario);
    bind_text(st, 3, run->config);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)run->seed);
    bind_text(st, 5, run->rng);
    bind_text(st, 6, run->version);
    bind_text(st, 7, run->policy);
    bind_text(st, 8, run->started);
    bind_text(st, 9, run->finished);
    bind_text(st, 10, run->status);
    bind_text(st, 11, run->trace_path);
    bind_text(st, 12, run->trace_sha256);
    bind_text(st, 13, run->scenario_text);
    bind_text(st, 14, run->effective);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    st = NULL;
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
    st = NULL;

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
        return -2;
    }
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    return 0;
fail:
    sqlite3_finalize(st);
    return -1;
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
    int attempt;
    if (s->readonly)
        return error_set(err, HI_EINTERNAL, "%s: opened read-only", s->path);
    for (attempt = 0; attempt < ATTEMPTS; attempt++) {
        int busy, rc, once = save_once(s, run, also, ctx, err);
        if (once == 0)
            return HI_OK;
        if (once == -2) {
            run->id = 0;
            return err ? err->status : HI_EINTERNAL;
        }
        busy = is_busy(s);
        rc = db_error(s, err, "cannot store the run");   /* before ROLLBACK resets the code */
        if (!sqlite3_get_autocommit(s->db))
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        run->id = 0;
        if (!busy)
            return rc;
    }
    return err ? err->status : HI_EINTERNAL;
}

/* ---- the JSON dump of a run that could not be stored ---- */

static void
json_str_or_empty(struct json *j, const char *key, const char *v)
{
    json_key(j, key);
    json_string(j, v ? v : "");
}

int
store_spill_run(const char *db_path, const struct store_run *run, char *buf, size_t len,
                struct hi_error *err)
{
    struct json j;
    struct outfile o;
    char *text;
    size_t i, k;
    int rc = HI_EINTERNAL, attempt;

    json_init(&j);
    json_object_begin(&j);
    json_str_or_empty(&j, "name", run->name);
    json_str_or_empty(&j, "scenario", run->scenario);
    json_key(&j, "seed");
    {
        char seed[32];          /* a uint64, written exactly */
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)run->seed);
        json_raw(&j, seed);
    }
    json_str_or_empty(&j, "rng", run->rng);
    json_str_or_empty(&j, "version", run->version);
    json_str_or_empty(&j, "policy", run->policy);
    json_str_or_empty(&j, "started", run->started);
    json_str_or_empty(&j, "finished", run->finished);
    json_str_or_empty(&j, "status", run->status);
    json_str_or_empty(&j, "trace_path", run->trace_path);
    json_str_or_empty(&j, "trace_sha256", run->trace_sha256);
    json_key(&j, "metrics");
    json_object_begin(&j);
    for (i = 0; i < run->n_metrics; i++) {
        json_key(&j, run->metrics[i].name);
        json_number(&j, run->metrics[i].value);
    }
    json_object_end(&j);
    json_key(&j, "series");
    json_object_begin(&j);
    for (i = 0; i < run->n_series; i++) {
        const struct store_series *se = &run->series[i];
        json_key(&j, se->name);
        json_object_begin(&j);
        json_key(&j, "x");
        json_array_begin(&j);
        for (k = 0; k < se->n; k++)
            json_number(&j, se->x[k]);
        json_array_end(&j);
        json_key(&j, "y");
        json_array_begin(&j);
        for (k = 0; k < se->n; k++)
            json_number(&j, se->y[k]);
        json_array_end(&j);
        json_object_end(&j);
    }
    json_object_end(&j);
    json_key(&j, "config");
    json_raw(&j, run->config && *run->config ? run->config : "{}");
    json_str_or_empty(&j, "scenario_text", run->scenario_text);
    json_str_or_empty(&j, "effective", run->effective);
    json_object_end(&j);
    text = json_take(&j);
    if (!text)
        return error_set(err, HI_EINTERNAL, "out of memory");

    /* beside the database, else in $TMPDIR */
    for (attempt = 0; attempt < 2 && rc; attempt++) {
        const char *dir = getenv("TMPDIR");
        const char *base = strrchr(db_path, '/');
        if (attempt == 0)
            snprintf(buf, len, "%s.unsaved-%ld.json", db_path, (long)getpid());
        else
            snprintf(buf, len, "%s/%s.unsaved-%ld.json", dir && *dir ? dir : "/tmp", base ? base + 1 : db_path,
                     (long)getpid());
        if (access(buf, F_OK) == 0)
            continue;       /* never overwrite an earlier dump */
        if (outfile_open(&o, buf, err) == HI_OK) {
            fputs(text, o.f);
            fputc('\n', o.f);
            rc = outfile_commit(&o, err);
        }
    }
    free(text);
    return rc;
}

/* ---- reading ---- */

static char *
col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return strdup(t ? (const char *)t : "");
}

/* 0, or -1 when memory ran out (r holds what was read; free it). */
static int
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
    r->trace_path = col_text(st, 11);
    r->trace_sha256 = col_text(st, 12);
    r->scenario_text = col_text(st, 13);
    r->effective = col_text(st, 14);
    return r->name && r->scenario && r->config && r->rng && r->version && r->policy && r->started
        && r->finished && r->status && r->trace_path && r->trace_sha256 && r->scenario_text && r->effective
        ? 0 : -1;
}

/* The columns of read_row for the file's schema version. */
static const char *
run_columns(const struct store *s)
{
    if (s->version >= 2)
        return "id, name, scenario, config, seed, rng, version, policy, started, finished, status,"
               " trace_path, trace_sha256, scenario_text, effective";
    return "id, name, scenario, config, seed, rng, version, policy, started, finished, status, '', '', '', ''";
}

int
store_load_run(struct store *s, int64_t id, struct store_loaded *out, struct hi_error *err)
{
    sqlite3_stmt *st = NULL;
    char sql[512];
    size_t cap = 0;
    int rc;

    memset(out, 0, sizeof *out);
    if (s->version == 0)
        return error_set(err, HI_EINPUT, "%s: no run with id %lld (no runs stored yet)", s->path, (long long)id);
    snprintf(sql, sizeof sql, "SELECT %s FROM runs WHERE id = ?1", run_columns(s));
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot read runs");
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (rc == SQLITE_DONE)
            return error_set(err, HI_EINPUT, "%s: no run with id %lld (hisim runs lists them)", s->path, (long long)id);
        return db_error(s, err, "cannot read runs");
    }
    if (read_row(st, out)) {
        sqlite3_finalize(st);
        store_loaded_free(out);
        return error_set(err, HI_EINTERNAL, "out of memory");
    }
    sqlite3_finalize(st);

    if (sqlite3_prepare_v2(s->db, "SELECT name, value FROM metrics WHERE run_id = ?1 ORDER BY rowid", -1, &st, NULL) != SQLITE_OK) {
        rc = db_error(s, err, "cannot read metrics");
        store_loaded_free(out);
        return rc;
    }
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char *name;
        if (out->n_metrics == cap) {
            struct store_metric *m;
            size_t ncap = cap ? 2 * cap : 32;
            m = realloc(out->metrics, ncap * sizeof *m);
            if (!m)
                goto oom;
            out->metrics = m;
            cap = ncap;
        }
        if (!(name = col_text(st, 0)))
            goto oom;
        out->metrics[out->n_metrics].name = name;
        out->metrics[out->n_metrics].value =
            sqlite3_column_type(st, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 1);
        out->n_metrics++;
    }
    if (rc != SQLITE_DONE) {
        rc = db_error(s, err, "cannot read metrics");
        sqlite3_finalize(st);
        store_loaded_free(out);
        return rc;
    }
    sqlite3_finalize(st);
    return HI_OK;
oom:
    sqlite3_finalize(st);
    store_loaded_free(out);
    return error_set(err, HI_EINTERNAL, "out of memory");
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
    free(r->trace_path);
    free(r->trace_sha256);
    free(r->scenario_text);
    free(r->effective);
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
    char sql[512];
    int rc;
    if (s->version == 0)
        return HI_OK;
    snprintf(sql, sizeof sql, "SELECT %s FROM runs ORDER BY id", run_columns(s));
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot read runs");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_loaded r;
        int stop;
        memset(&r, 0, sizeof r);
        if (read_row(st, &r)) {
            store_loaded_free(&r);
            sqlite3_finalize(st);
            return error_set(err, HI_EINTERNAL, "out of memory");
        }
        stop = fn(ctx, &r);
        store_loaded_free(&r);
        if (stop) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE) {
        rc = db_error(s, err, "cannot read runs");
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_finalize(st);
    return HI_OK;
}

int
store_load_series(struct store *s, int64_t id, const char *name,
                  double **x, double **y, size_t *n, struct hi_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc;
    *x = *y = NULL;
    *n = 0;
    if (s->version == 0)
        return HI_OK;
    if (sqlite3_prepare_v2(s->db, "SELECT x, y FROM series WHERE run_id = ?1 AND name = ?2 ORDER BY idx", -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot read series");
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? 2 * cap : 256;
            double *nx = realloc(*x, ncap * sizeof *nx), *ny;
            if (nx)
                *x = nx;     /* the old block is gone: keep the new one to free */
            ny = nx ? realloc(*y, ncap * sizeof *ny) : NULL;
            if (ny)
                *y = ny;
            if (!nx || !ny) {
                rc = error_set(err, HI_EINTERNAL, "out of memory");
                goto fail;
            }
            cap = ncap;
        }
        (*x)[*n] = sqlite3_column_double(st, 0);
        (*y)[*n] = sqlite3_column_type(st, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 1);
        (*n)++;
    }
    if (rc != SQLITE_DONE) {
        rc = db_error(s, err, "cannot read series");
        goto fail;
    }
    sqlite3_finalize(st);
    return HI_OK;
fail:
    sqlite3_finalize(st);
    free(*x);
    free(*y);
    *x = *y = NULL;
    *n = 0;
    return rc;
}
