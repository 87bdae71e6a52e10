/* store.c — the SQLite store of runs. */
#include "analysis/store.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "analysis/grisu.h"
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
    /* prepared once, for store_save_run */
    sqlite3_stmt *ins_run, *ins_metric, *ins_curve;
    char *text;           /* a curve as JSON */
    size_t text_cap;
};

static int migrate_curves(sqlite3 *db);

/*
 * The schema, as the steps that build it: step k takes a database of
 * version k−1 to version k.  A new database runs them all, an older one
 * the ones it lacks, in one transaction.  To change the schema, add a
 * step (never edit one that shipped) and raise STORE_SCHEMA_VERSION.
 */
static const struct store_step {
    int version;
    const char *sql;
    int (*then)(sqlite3 *db);   /* run after sql, if not NULL: SQLITE_OK or an error */
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
        "  PRIMARY KEY(run_id, name, idx));", NULL},
    /* reproducible runs: what was replayed, and the configuration as a
     * scenario `hisim rerun` reads */
    {2, "ALTER TABLE runs ADD COLUMN trace_path TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE runs ADD COLUMN trace_sha256 TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE runs ADD COLUMN scenario_text TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE runs ADD COLUMN effective TEXT NOT NULL DEFAULT '';", NULL},
    /* sweeps, their points and runs (analysis/sweepstore.h) */
    {3, sweepstore_schema_v2, NULL},
    /* a curve is one row: its points as JSON text, [[x, y], ...]; the
     * series rows are moved there and `series` becomes a view of them */
    {4, "CREATE TABLE curves("
        "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
        "  name TEXT NOT NULL,"
        "  points TEXT NOT NULL,"
        "  PRIMARY KEY(run_id, name));", migrate_curves},
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
            if (steps[i].version > v
                && (sqlite3_exec(s->db, steps[i].sql, NULL, NULL, NULL) != SQLITE_OK
                    || (steps[i].then && steps[i].then(s->db) != SQLITE_OK)))
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
    sqlite3_finalize(s->ins_run);
    sqlite3_finalize(s->ins_metric);
    sqlite3_finalize(s->ins_curve);
    sqlite3_close(s->db);
    free(s->path);
    free(s->text);
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

/* ---- curves: one row per curve, its points as JSON text ---- */

/* The view that shows the curves as one row per point, as the series
 * table of schema versions 1 to 3 held them. */
#define SERIES_VIEW \
    "CREATE VIEW series(run_id, name, idx, x, y) AS" \
    " SELECT c.run_id, c.name, p.key, CAST(json_extract(p.value, '$[0]') AS REAL)," \
    " CAST(json_extract(p.value, '$[1]') AS REAL) FROM curves AS c, json_each(c.points) AS p"

static size_t
put_number(char *p, double v)
{
    if (!isfinite(v)) {
        memcpy(p, "null", 4);
        return 4;
    }
    if (v >= 1.0 && v < 9007199254740992.0 && v == (double)(uint64_t)v) {
        /* a count (the checkpoints): its digits */
        char tmp[20];
        uint64_t u = (uint64_t)v;
        size_t n = 0, i;
        while (u) {
            tmp[n++] = (char)('0' + u % 10);
            u /= 10;
        }
        for (i = 0; i < n; i++)
            p[i] = tmp[n - 1 - i];
        return n;
    }
    return (size_t)grisu_format(p, v);
}

/* The points as [[x,y],...] into *buf (grown as needed, NUL-terminated):
 * numbers that read back to the same doubles, null for one that is not
 * finite.  Its length, or -1 when memory runs out. */
static long
curve_text(char **buf, size_t *cap, const double *x, const double *y, size_t n)
{
    size_t need = 3 + n * (2 * GRISU_BUF + 4), len = 0, i;
    char *b;
    if (need > *cap) {
        char *nb = realloc(*buf, need);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = need;
    }
    b = *buf;
    b[len++] = '[';
    for (i = 0; i < n; i++) {
        if (i)
            b[len++] = ',';
        b[len++] = '[';
        len += put_number(b + len, x[i]);
        b[len++] = ',';
        len += put_number(b + len, y[i]);
        b[len++] = ']';
    }
    b[len++] = ']';
    b[len] = '\0';
    return (long)len;
}

static const char *
skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static int
read_number(const char **pp, double *v)
{
    const char *p = skip_ws(*pp);
    char *end;
    if (strncmp(p, "null", 4) == 0) {
        *v = NAN;
        *pp = p + 4;
        return 0;
    }
    if (*p != '-' && (*p < '0' || *p > '9'))
        return -1;
    *v = strtod(p, &end);
    if (end == p)
        return -1;
    *pp = end;
    return 0;
}

/* Reads [[x,y],...] into malloc'd arrays: 0, -1 when the text is not
 * that, -2 when memory runs out. */
static int
curve_parse(const char *text, double **x, double **y, size_t *n)
{
    const char *p;
    size_t cap = 0, k = 0;
    *x = *y = NULL;
    *n = 0;
    for (p = text; *p; p++)
        cap += *p == '[';
    *x = malloc((cap ? cap : 1) * sizeof **x);
    *y = malloc((cap ? cap : 1) * sizeof **y);
    if (!*x || !*y)
        goto oom;
    p = skip_ws(text);
    if (*p++ != '[')
        goto bad;
    p = skip_ws(p);
    if (*p == ']')
        p++;
    else
        for (;;) {
            double xv, yv;
            if (*p++ != '[' || read_number(&p, &xv))
                goto bad;
            p = skip_ws(p);
            if (*p++ != ',' || read_number(&p, &yv))
                goto bad;
            p = skip_ws(p);
            if (*p++ != ']' || k == cap)
                goto bad;
            (*x)[k] = xv;
            (*y)[k] = yv;
            k++;
            p = skip_ws(p);
            if (*p == ',') {
                p = skip_ws(p + 1);
                continue;
            }
            if (*p++ != ']')
                goto bad;
            break;
        }
    if (*skip_ws(p))
        goto bad;
    *n = k;
    return 0;
bad:
    free(*x);
    free(*y);
    *x = *y = NULL;
    return -1;
oom:
    free(*x);
    free(*y);
    *x = *y = NULL;
    return -2;
}

static int
insert_curve(sqlite3_stmt *st, int64_t run_id, const char *name, const char *text, long len)
{
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, text, (int)len, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
}

/* Adds to main.curves the curves held as rows in `schema`.series (a
 * database of schema version 1 to 3), run ids shifted by offset, in the
 * order their first rows were stored.  SQLITE_OK, SQLITE_NOMEM or the
 * error of the connection. */
static int
curves_from_series(sqlite3 *db, const char *schema, int64_t offset)
{
    sqlite3_stmt *q = NULL, *ins = NULL;
    char sql[512], *text = NULL;
    double *x = NULL, *y = NULL;
    size_t n = 0, cap = 0, tcap = 0;
    int64_t run = 0;
    char *name = NULL;
    int rc, code = SQLITE_OK;

    snprintf(sql, sizeof sql,
             "SELECT s.run_id, s.name, s.x, s.y FROM %s.series AS s JOIN (SELECT run_id, name, min(rowid) AS first"
             " FROM %s.series GROUP BY run_id, name) AS g ON g.run_id = s.run_id AND g.name = s.name"
             " ORDER BY s.run_id, g.first, s.idx", schema, schema);
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(db, "INSERT INTO main.curves(run_id, name, points) VALUES(?1, ?2, ?3)", -1, &ins, NULL)
               != SQLITE_OK) {
        code = sqlite3_errcode(db);
        goto out;
    }
    for (;;) {
        const char *nm = NULL;
        int64_t r = 0;
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            r = sqlite3_column_int64(q, 0);
            nm = (const char *)sqlite3_column_text(q, 1);
            nm = nm ? nm : "";
        } else if (rc != SQLITE_DONE) {
            code = sqlite3_errcode(db);
            goto out;
        }
        if (name && (rc == SQLITE_DONE || r != run || strcmp(nm, name) != 0)) {
            long len = curve_text(&text, &tcap, x, y, n);
            if (len < 0 || len > INT_MAX) {
                code = len < 0 ? SQLITE_NOMEM : SQLITE_TOOBIG;
                goto out;
            }
            if (insert_curve(ins, run + offset, name, text, len) != SQLITE_OK) {
                code = sqlite3_errcode(db);
                goto out;
            }
            free(name);
            name = NULL;
            n = 0;
        }
        if (rc == SQLITE_DONE)
            break;
        if (!name && !(name = strdup(nm))) {
            code = SQLITE_NOMEM;
            goto out;
        }
        run = r;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 256;
            double *nx = realloc(x, ncap * sizeof *nx), *ny;
            if (nx)
                x = nx;
            ny = nx ? realloc(y, ncap * sizeof *ny) : NULL;
            if (!ny) {
                code = SQLITE_NOMEM;
                goto out;
            }
            y = ny;
            cap = ncap;
        }
        x[n] = sqlite3_column_type(q, 2) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 2);
        y[n] = sqlite3_column_type(q, 3) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 3);
        n++;
    }
out:
    sqlite3_finalize(q);
    sqlite3_finalize(ins);
    free(name);
    free(text);
    free(x);
    free(y);
    return code;
}

/* Step 4: the series rows become curves, and series their view. */
static int
migrate_curves(sqlite3 *db)
{
    int rc = curves_from_series(db, "main", 0);
    if (rc != SQLITE_OK)
        return rc;
    return sqlite3_exec(db, "DROP TABLE series; " SERIES_VIEW ";", NULL, NULL, NULL);
}

int
store_curves_from_series(struct store *s, const char *schema, int64_t offset)
{
    return curves_from_series(s->db, schema, offset) == SQLITE_OK ? 0 : -1;
}

static int
bind_text(sqlite3_stmt *st, int i, const char *v)
{
    return sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

/* A statement prepared on first use and kept, reset for another.  An
 * INSERT that ran to its end holds no lock, so they wait reset-less
 * between runs (a reset would also clear the connection's error code,
 * which the caller reports). */
static int
cached(struct store *s, sqlite3_stmt **st, const char *sql)
{
    if (*st) {
        sqlite3_reset(*st);
        return 0;
    }
    return sqlite3_prepare_v2(s->db, sql, -1, st, NULL) == SQLITE_OK ? 0 : -1;
}

/* One attempt at the run's transaction: -1 on an SQLite failure, -2 when
 * `also` failed or memory ran out (err filled). */
static int
save_once(struct store *s, struct store_run *run, store_also_fn also, void *ctx, struct hi_error *err)
{
    sqlite3_stmt *st;
    size_t i;

    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    if (cached(s, &s->ins_run,
               "INSERT INTO runs(name, scenario, config, seed, rng, version, policy, started, finished,"
               " status, trace_path, trace_sha256, scenario_text, effective)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"))
        goto fail;
    st = s->ins_run;
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
    run->id = sqlite3_last_insert_rowid(s->db);

    if (run->n_metrics && cached(s, &s->ins_metric, "INSERT INTO metrics(run_id, name, value) VALUES(?1, ?2, ?3)"))
        goto fail;
    for (i = 0; i < run->n_metrics; i++) {
        st = s->ins_metric;
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

    if (run->n_series && cached(s, &s->ins_curve, "INSERT INTO curves(run_id, name, points) VALUES(?1, ?2, ?3)"))
        goto fail;
    for (i = 0; i < run->n_series; i++) {
        const struct store_series *se = &run->series[i];
        long len;
        if (se->n == 0)
            continue;       /* as no rows of schema 3 */
        if ((len = curve_text(&s->text, &s->text_cap, se->x, se->y, se->n)) < 0 || len > INT_MAX) {
            error_set(err, HI_EINTERNAL, "%s: cannot store the run: %s (curve '%s' of %zu points)", s->path,
                      len < 0 ? "out of memory" : "a curve longer than 2 GB", se->name, se->n);
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return -2;
        }
        if (insert_curve(s->ins_curve, run->id, se->name, s->text, len) != SQLITE_OK)
            goto fail;
    }
    if (also && also(ctx, s, run->id, err)) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -2;
    }
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    return 0;
fail:
    return -1;     /* the statements are reset when next used */
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

/* A curve of schema 4. */
static int
load_curve(struct store *s, int64_t id, const char *name, double **x, double **y, size_t *n, struct hi_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(s->db, "SELECT points FROM curves WHERE run_id = ?1 AND name = ?2", -1, &st, NULL)
        != SQLITE_OK)
        return db_error(s, err, "cannot read curves");
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        int prc = text ? curve_parse(text, x, y, n) : -1;
        if (prc == -2)
            rc = error_set(err, HI_EINTERNAL, "out of memory");
        else if (prc)
            rc = error_set(err, HI_EINPUT, "%s: run %lld: curve '%s' is not a JSON list of [x, y] points",
                           s->path, (long long)id, name);
        else
            rc = HI_OK;
    } else if (rc == SQLITE_DONE) {
        rc = HI_OK;
    } else {
        rc = db_error(s, err, "cannot read curves");
    }
    sqlite3_finalize(st);
    return rc;
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
    if (s->version >= 4)
        return load_curve(s, id, name, x, y, n, err);
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

int
store_series_names(struct store *s, int64_t id, char ***names, size_t *n, struct hi_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc;
    *names = NULL;
    *n = 0;
    if (s->version == 0)
        return HI_OK;
    if (sqlite3_prepare_v2(s->db, s->version >= 4
                                      ? "SELECT name FROM curves WHERE run_id = ?1 ORDER BY rowid"
                                      : "SELECT name FROM series WHERE run_id = ?1 GROUP BY name ORDER BY min(rowid)",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot read curves");
    sqlite3_bind_int64(q, 1, id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(q, 0);
        char **nn = realloc(*names, (*n + 1) * sizeof *nn);
        if (nn)
            *names = nn;
        if (!nn || !(nn[*n] = strdup(t ? (const char *)t : ""))) {
            sqlite3_finalize(q);
            store_names_free(*names, *n);
            *names = NULL;
            *n = 0;
            return error_set(err, HI_EINTERNAL, "out of memory");
        }
        (*n)++;
    }
    if (rc != SQLITE_DONE) {
        rc = db_error(s, err, "cannot read curves");
        sqlite3_finalize(q);
        store_names_free(*names, *n);
        *names = NULL;
        *n = 0;
        return rc;
    }
    sqlite3_finalize(q);
    return HI_OK;
}

void
store_names_free(char **names, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}
