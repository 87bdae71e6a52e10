/* check_store.c — the SQLite round trip and bad databases. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/grisu.h"
#include "analysis/store.h"
#include "tests/suites.h"
#include "tests/util.h"

/* A minimal run to store. */
static struct store_run
sample_run(void)
{
    static const struct store_metric m[2] = {{"accuracy", 0.75}, {"total_cost", 12.5}};
    static const double x[2] = {1, 2}, y[2] = {0.5, 1.0};
    static const struct store_series se = {"regret", x, y, 2};
    struct store_run run = {0};
    run.name = "r";
    run.scenario = "s.yaml";
    run.config = "{}";
    run.seed = 1;
    run.rng = "mt19937";
    run.version = "test";
    run.policy = "p";
    run.started = run.finished = "2026-01-01T00:00:00Z";
    run.status = "done";
    run.trace_path = "/data/t.csv";
    run.trace_sha256 = "ab12";
    run.scenario_text = "seed: 1\n";
    run.effective = "seed: 1\n";
    run.metrics = m;
    run.n_metrics = 2;
    run.series = &se;
    run.n_series = 1;
    return run;
}

static void
sql(const char *path, const char *text)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_msg(sqlite3_exec(db, text, NULL, NULL, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_close(db);
}

static int
count_runs(void *ctx, const struct store_loaded *r)
{
    (void)r;
    ++*(int *)ctx;
    return 0;
}

/* A run written and read back has the same fields, metrics and series. */
START_TEST(test_round_trip)
{
    struct hi_error err = {0};
    const char *path = util_tmp("rt.db");
    struct store *s = store_open(path, 1, &err);
    struct store_metric m[3] = {{"accuracy", 0.8352}, {"total_cost", 3423.0}, {"regret", NAN}};
    double x[3] = {1, 10, 100}, y[3] = {0.5, 1.5, 2.5};
    struct store_series se = {"regret", x, y, 3};
    struct store_run run = {0};
    struct store_loaded back;
    double *bx, *by;
    size_t n;
    ck_assert_msg(s != NULL, "%s", err.msg);
    run.name = "quick";
    run.scenario = "scenarios/q.yaml";
    run.config = "{\"cost.beta\":0.5}";
    run.seed = 9007199254740993ull;     /* above 2^53: kept exactly */
    run.rng = "mt19937";
    run.version = "v1";
    run.policy = "fixed-threshold theta=0.6";
    run.started = "2026-01-01T00:00:00Z";
    run.finished = "2026-01-01T00:00:01Z";
    run.status = "done";
    run.metrics = m;
    run.n_metrics = 3;
    run.series = &se;
    run.n_series = 1;
    ck_assert_int_eq(store_save_run(s, &run, &err), 0);
    ck_assert_int_eq(run.id, 1);
    ck_assert_int_eq(store_save_run(s, &run, &err), 0);
    ck_assert_int_eq(run.id, 2);
    store_close(s);

    s = store_open(path, 0, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(store_load_run(s, 2, &back, &err), 0);
    ck_assert_str_eq(back.name, "quick");
    ck_assert_str_eq(back.scenario, "scenarios/q.yaml");
    ck_assert_str_eq(back.config, "{\"cost.beta\":0.5}");
    ck_assert_uint_eq(back.seed, 9007199254740993ull);
    ck_assert_str_eq(back.policy, "fixed-threshold theta=0.6");
    ck_assert_str_eq(back.status, "done");
    ck_assert_uint_eq(back.n_metrics, 3);
    ck_assert_double_eq(store_metric(&back, "accuracy"), 0.8352);
    ck_assert_double_eq(store_metric(&back, "total_cost"), 3423.0);
    ck_assert(isnan(store_metric(&back, "regret")));
    ck_assert(isnan(store_metric(&back, "absent")));
    store_loaded_free(&back);
    ck_assert_int_eq(store_load_series(s, 1, "regret", &bx, &by, &n, &err), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_double_eq(bx[2], 100);
    ck_assert_double_eq(by[1], 1.5);
    free(bx);
    free(by);
    ck_assert_int_eq(store_load_run(s, 3, &back, &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "no run with id 3"));
    store_close(s);
}
END_TEST

/* A file that is not SQLite, and an SQLite file of another program, are
 * bad input and are left unchanged. */
START_TEST(test_not_a_database)
{
    struct hi_error err = {0};
    const char *path = util_tmp("junk.db");
    char *before, *after;
    util_write(path, "this is not a database, just text that is long enough to have a header......\n");
    before = util_read(path, NULL);
    ck_assert_ptr_null(store_open(path, 1, &err));
    ck_assert_int_eq(err.status, HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a hisim database"));
    after = util_read(path, NULL);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}
END_TEST

/* A database made by schema version 1 (tests/data/store-v1.sql, written
 * by hisim before trace checksums) reads as it is when opened read-only
 * and is migrated forward, keeping every run, when opened for writing. */
START_TEST(test_migrate_v1)
{
    struct hi_error err = {0};
    char path[4200];
    char *dump = util_read(util_src("tests/data/store-v1.sql"), NULL);
    struct store_run run = sample_run();
    struct store_loaded back;
    struct store *s;
    int n = 0;

    snprintf(path, sizeof path, "%s", util_tmp("v1.db"));
    ck_assert_ptr_nonnull(dump);
    sql(path, dump);
    free(dump);
    s = store_open(path, STORE_READONLY, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    ck_assert_int_eq(store_schema_version(s), 1);
    ck_assert_int_eq(store_each_run(s, count_runs, &n, &err), 0);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(store_load_run(s, 2, &back, &err), 0);
    ck_assert_str_eq(back.trace_path, "");
    ck_assert_double_eq(store_metric(&back, "samples"), 300);
    store_loaded_free(&back);
    store_close(s);

    s = store_open(path, STORE_CREATE, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    ck_assert_int_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
    ck_assert_int_eq(store_save_run(s, &run, &err), 0);
    ck_assert_int_eq(run.id, 3);
    store_close(s);

    s = store_open(path, STORE_READONLY, &err);
    ck_assert_int_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
    ck_assert_int_eq(store_load_run(s, 1, &back, &err), 0);
    ck_assert_str_eq(back.policy, "fixed-threshold theta=0.55 (optimal)");
    ck_assert_double_eq(store_metric(&back, "total_cost"), 3.5);
    store_loaded_free(&back);
    ck_assert_int_eq(store_load_run(s, 3, &back, &err), 0);
    ck_assert_str_eq(back.trace_path, "/data/t.csv");
    ck_assert_str_eq(back.trace_sha256, "ab12");
    ck_assert_str_eq(back.effective, "seed: 1\n");
    store_loaded_free(&back);
    store_close(s);
}
END_TEST

/* A newer schema is refused in both modes and left as it is. */
START_TEST(test_newer_schema_refused)
{
    struct hi_error err = {0};
    char path[4200];
    struct store *s;
    snprintf(path, sizeof path, "%s", util_tmp("new.db"));
    s = store_open(path, STORE_CREATE, &err);
    ck_assert_ptr_nonnull(s);
    store_close(s);
    sql(path, "UPDATE hisim_meta SET value = '99' WHERE key = 'schema_version'");
    ck_assert_ptr_null(store_open(path, STORE_CREATE, &err));
    {
        char want[96];
        snprintf(want, sizeof want, "schema version 99 is newer than this hisim understands (%d)", STORE_SCHEMA_VERSION);
        ck_assert_msg(strstr(err.msg, want) != NULL, "%s", err.msg);
    }
    ck_assert_ptr_null(store_open(path, STORE_READONLY, &err));
    ck_assert_int_eq(err.status, HI_EINPUT);
}
END_TEST

/* Read-only opens never create or change a file: a missing one stays
 * missing, an empty one stays empty (and reads as no runs). */
START_TEST(test_readonly_creates_nothing)
{
    struct hi_error err = {0};
    char missing[4200], empty[4200];
    struct store_loaded back;
    struct store *s;
    struct stat st;
    int n = 0;

    snprintf(missing, sizeof missing, "%s", util_tmp("missing.db"));
    snprintf(empty, sizeof empty, "%s", util_tmp("empty.db"));
    ck_assert_ptr_null(store_open(missing, STORE_READONLY, &err));
    ck_assert_msg(strstr(err.msg, "no such database") != NULL, "%s", err.msg);
    ck_assert_int_ne(access(missing, F_OK), 0);
    util_write(empty, "");
    s = store_open(empty, STORE_READONLY, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    ck_assert_int_eq(store_schema_version(s), 0);
    ck_assert_int_eq(store_each_run(s, count_runs, &n, &err), 0);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(store_load_run(s, 1, &back, &err), HI_EINPUT);
    ck_assert_msg(strstr(err.msg, "no runs stored yet") != NULL, "%s", err.msg);
    store_close(s);
    ck_assert_int_eq(stat(empty, &st), 0);
    ck_assert_int_eq(st.st_size, 0);
}
END_TEST

/* Honest causes: a directory, a missing folder, a corrupt file. */
START_TEST(test_messages)
{
    struct hi_error err = {0};
    char path[4200], nodir[4200];
    struct store *s;
    struct store_run run = sample_run();
    FILE *f;
    int i, n = 0;

    snprintf(path, sizeof path, "%s", util_tmp("corrupt.db"));
    ck_assert_ptr_null(store_open(util_tmp(""), STORE_CREATE, &err));
    ck_assert_msg(strstr(err.msg, "is a directory") != NULL, "%s", err.msg);
    snprintf(nodir, sizeof nodir, "%s", util_tmp("nodir/x.db"));
    ck_assert_ptr_null(store_open(nodir, STORE_CREATE, &err));
    ck_assert_msg(strstr(err.msg, "cannot create the database: no such folder") != NULL, "%s", err.msg);

    s = store_open(path, STORE_CREATE, &err);
    for (i = 0; i < 50; i++)
        ck_assert_int_eq(store_save_run(s, &run, &err), 0);
    store_close(s);
    f = fopen(path, "r+b");            /* garble page 3 onwards */
    fseek(f, 2 * 4096, SEEK_SET);
    for (i = 0; i < 4096; i++)
        fputc(0x5a, f);
    fclose(f);
    s = store_open(path, STORE_READONLY, &err);
    if (s) {
        ck_assert_int_ne(store_each_run(s, count_runs, &n, &err), 0);
        store_close(s);
    }
    ck_assert_int_eq(err.status, HI_EINPUT);
    ck_assert_msg(strstr(err.msg, "corrupt") != NULL, "%s", err.msg);
}
END_TEST

/* A lock held by another process: the open for writing fails with
 * "database is locked" (not "not a hisim database") after the busy
 * timeout; a read in progress reports it rather than ending early; a
 * store that still fails leaves the run as JSON beside the database. */
START_TEST(test_locked)
{
    struct hi_error err = {0};
    char path[4200];
    struct store_run run = sample_run();
    struct store *s, *ro;
    sqlite3 *other, *check;
    sqlite3_stmt *st;
    char dump[4200], *json;
    int n = 0;

    snprintf(path, sizeof path, "%s", util_tmp("locked.db"));
    setenv("HISIM_BUSY_TIMEOUT_MS", "50", 1);
    s = store_open(path, STORE_CREATE, &err);
    ck_assert_int_eq(store_save_run(s, &run, &err), 0);
    ro = store_open(path, STORE_READONLY, &err);
    ck_assert_ptr_nonnull(ro);
    ck_assert_int_eq(sqlite3_open(path, &other), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);

    ck_assert_ptr_null(store_open(path, STORE_CREATE, &err));
    ck_assert_int_eq(err.status, HI_EINTERNAL);
    ck_assert_msg(strstr(err.msg, "database is locked") != NULL, "%s", err.msg);
    ck_assert_int_eq(store_each_run(ro, count_runs, &n, &err), HI_EINTERNAL);
    ck_assert_msg(strstr(err.msg, "database is locked") != NULL, "%s", err.msg);
    ck_assert_int_eq(store_save_run(s, &run, &err), HI_EINTERNAL);
    ck_assert_msg(strstr(err.msg, "database is locked") != NULL, "%s", err.msg);

    ck_assert_int_eq(store_spill_run(path, &run, dump, sizeof dump, &err), 0);
    ck_assert(strncmp(dump, path, strlen(path)) == 0);
    json = util_read(dump, NULL);
    ck_assert_ptr_nonnull(json);
    sqlite3_open(":memory:", &check);
    sqlite3_prepare_v2(check, "SELECT json_valid(?1), json_extract(?1, '$.metrics.total_cost'),"
                       " json_extract(?1, '$.series.regret.y[1]'), json_extract(?1, '$.trace_sha256')", -1, &st, NULL);
    sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
    ck_assert_double_eq(sqlite3_column_double(st, 1), 12.5);
    ck_assert_double_eq(sqlite3_column_double(st, 2), 1.0);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 3), "ab12");
    sqlite3_finalize(st);
    sqlite3_close(check);
    free(json);

    sqlite3_exec(other, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(other);
    ck_assert_int_eq(store_save_run(s, &run, &err), 0);   /* and once released, it stores */
    store_close(ro);
    store_close(s);
    unsetenv("HISIM_BUSY_TIMEOUT_MS");
}
END_TEST

/* Bitwise: the same double, sign of zero and NaN included. */
static int
same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

static uint64_t
xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Every finite double written by grisu_format reads back to itself:
 * 10^6 random bit patterns (every exponent, subnormals), sums of costs,
 * and the edges; the text is a JSON number (what json_valid accepts). */
START_TEST(test_grisu_round_trip)
{
    static const double edge[] = {0.0, -0.0, 5e-324, -5e-324, 2.2250738585072009e-308, 2.2250738585072014e-308,
                                  DBL_MAX, -DBL_MAX, 1.0, 0.1, 0.3, 1e21, 1e22, 1e23, 1e-6, 1e-7, 9007199254740993.0,
                                  123456789012345678.0, 5.3999999999999995, 1048.9, 0.6744064};
    uint64_t seed = 88172645463325252ULL;
    char buf[GRISU_BUF], json[GRISU_BUF + 2];
    sqlite3 *db;
    sqlite3_stmt *st;
    size_t i;
    ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT json_valid(?1)", -1, &st, NULL), SQLITE_OK);
    for (i = 0; i < 1000000 + sizeof edge / sizeof edge[0]; i++) {
        double v, back;
        int len;
        if (i < sizeof edge / sizeof edge[0])
            v = edge[i];
        else if (i % 2) {
            uint64_t u = xorshift(&seed);
            memcpy(&v, &u, sizeof v);
            if (!isfinite(v))
                continue;
        } else
            v = 0.3 * (double)(xorshift(&seed) % 100000) + (double)(xorshift(&seed) % 1000) / 7.0;
        len = grisu_format(buf, v);
        back = strtod(buf, NULL);
        /* plain tests: a passing ck_assert costs a write to Check's pipe */
        if (len != (int)strlen(buf) || len >= GRISU_BUF || memcmp(&back, &v, sizeof v) != 0)
            ck_abort_msg("%.17g written as %s (%d bytes)", v, buf, len);
        if (i % 997 == 0) {
            snprintf(json, sizeof json, "%s", buf);
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
            ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
            ck_assert_msg(sqlite3_column_int(st, 0) == 1, "%s is not JSON", buf);
        }
    }
    grisu_format(buf, 0.3);
    ck_assert_str_eq(buf, "0.3");
    grisu_format(buf, 1e21);
    ck_assert_str_eq(buf, "1e21");
    grisu_format(buf, -1.5e-7);
    ck_assert_str_eq(buf, "-1.5e-7");
    grisu_format(buf, 1048.9);
    ck_assert_str_eq(buf, "1048.9");
    sqlite3_finalize(st);
    sqlite3_close(db);
}
END_TEST

/* A curve is stored as one row and read back to the bit: random doubles
 * of every magnitude, subnormals, -0, integers, NaN (stored as null); the
 * series view gives the same points as REALs (NULL for null). */
START_TEST(test_curve_exact)
{
    struct hi_error err = {0};
    const char *path = util_tmp("curve.db");
    struct store *s;
    struct store_run run = sample_run();
    struct store_series se[2];
    double x[500], y[500], *bx, *by;
    uint64_t seed = 12345;
    size_t i, n;
    sqlite3_stmt *q;
    char **names;
    int rows = 0;

    for (i = 0; i < 500; i++) {
        uint64_t u = xorshift(&seed);
        x[i] = (double)(i + 1);
        memcpy(&y[i], &u, sizeof y[i]);
        if (!isfinite(y[i]) || i % 5 == 0)
            y[i] = ldexp((double)(u >> 11), -(int)(u % 80));
    }
    y[1] = -0.0;
    y[2] = NAN;
    y[3] = 5e-324;
    y[4] = INFINITY;      /* not finite: null, NaN when read */
    y[6] = DBL_MAX;
    se[0] = (struct store_series){"odd", x, y, 500};
    se[1] = (struct store_series){"empty", x, y, 0};
    run.series = se;
    run.n_series = 2;
    remove(path);
    s = store_open(path, STORE_CREATE, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    ck_assert_int_eq(store_save_run(s, &run, &err), 0);
    store_close(s);

    s = store_open(path, STORE_READONLY, &err);
    ck_assert_int_eq(store_load_series(s, 1, "odd", &bx, &by, &n, &err), 0);
    ck_assert_uint_eq(n, 500);
    for (i = 0; i < n; i++) {
        ck_assert(same_bits(bx[i], x[i]));
        ck_assert_msg(i == 4 ? isnan(by[i]) : same_bits(by[i], y[i]), "point %zu: %.17g read as %.17g", i, y[i],
                      by[i]);
    }
    free(bx);
    free(by);
    /* an empty series is not stored (as before: no rows) */
    ck_assert_int_eq(store_series_names(s, 1, &names, &n, &err), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(names[0], "odd");
    store_names_free(names, n);
    /* one row, and the view */
    ck_assert_int_eq(sqlite3_prepare_v2(store_sqlite(s), "SELECT count(*) FROM curves", -1, &q, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(q, 0), 1);
    sqlite3_finalize(q);
    ck_assert_int_eq(sqlite3_prepare_v2(store_sqlite(s), "SELECT idx, x, y, typeof(y) FROM series WHERE run_id = 1"
                                        " AND name = 'odd' ORDER BY idx", -1, &q, NULL), SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW) {
        int k = sqlite3_column_int(q, 0);
        ck_assert_int_eq(k, rows);
        ck_assert(same_bits(sqlite3_column_double(q, 1), x[k]));
        if (!isfinite(y[k]))
            ck_assert_str_eq((const char *)sqlite3_column_text(q, 3), "null");
        else if (y[k] != 0.0)     /* SQLite reads -0 as the integer 0 */
            ck_assert_msg(same_bits(sqlite3_column_double(q, 2), y[k]), "point %d: %.17g in the view as %.17g", k,
                          y[k], sqlite3_column_double(q, 2));
        rows++;
    }
    sqlite3_finalize(q);
    ck_assert_int_eq(rows, 500);
    store_close(s);
}
END_TEST

struct curve_set {
    size_t n;
    char *name[16];
    double *x[16], *y[16];
    size_t len[16];
};

/* Every curve of run id, read through the store. */
static void
read_curves(struct store *s, int64_t id, struct curve_set *c)
{
    struct hi_error err = {0};
    char **names;
    size_t i;
    ck_assert_int_eq(store_series_names(s, id, &names, &c->n, &err), 0);
    ck_assert_uint_le(c->n, 16);
    for (i = 0; i < c->n; i++) {
        c->name[i] = names[i];
        ck_assert_int_eq(store_load_series(s, id, names[i], &c->x[i], &c->y[i], &c->len[i], &err), 0);
    }
    free(names);
}

static void
same_curves(const struct curve_set *a, const struct curve_set *b)
{
    size_t i, k;
    ck_assert_uint_eq(a->n, b->n);
    for (i = 0; i < a->n; i++) {
        ck_assert_str_eq(a->name[i], b->name[i]);
        ck_assert_uint_eq(a->len[i], b->len[i]);
        for (k = 0; k < a->len[i]; k++)
            ck_assert_msg(same_bits(a->x[i][k], b->x[i][k]) && same_bits(a->y[i][k], b->y[i][k]),
                          "%s[%zu]: %.17g %.17g against %.17g %.17g", a->name[i], k, a->x[i][k], a->y[i][k],
                          b->x[i][k], b->y[i][k]);
    }
}

static void
free_curves(struct curve_set *c)
{
    size_t i;
    for (i = 0; i < c->n; i++) {
        free(c->name[i]);
        free(c->x[i]);
        free(c->y[i]);
    }
    c->n = 0;
}

/* A database of schema version 3 (tests/data/store-v3.sql, written by
 * hisim when every curve point was a row) reads as it is when opened
 * read-only; opened for writing it is migrated to curves of one row each
 * holding the same doubles to the bit, in the same order, and series is
 * a view that shows the rows the table held. */
START_TEST(test_migrate_v3)
{
    struct hi_error err = {0};
    char path[4200];
    char *dump = util_read(util_src("tests/data/store-v3.sql"), NULL);
    struct curve_set before[3], after[3];
    struct store_run run = sample_run();
    struct store *s;
    sqlite3 *db;
    sqlite3_stmt *q;
    double (*rows)[3];
    int n_rows = 0, i, k, nulls = 0;

    snprintf(path, sizeof path, "%s", util_tmp("v3.db"));
    remove(path);
    ck_assert_ptr_nonnull(dump);
    sql(path, dump);
    free(dump);
    /* the rows of the series table, as SQLite holds them */
    rows = malloc(400 * sizeof *rows);
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT run_id, x, y FROM series ORDER BY run_id, name, idx", -1, &q, NULL),
                     SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW && n_rows < 400) {
        rows[n_rows][0] = sqlite3_column_double(q, 0);
        rows[n_rows][1] = sqlite3_column_double(q, 1);
        rows[n_rows][2] = sqlite3_column_type(q, 2) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 2);
        nulls += isnan(rows[n_rows][2]);
        n_rows++;
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    ck_assert_int_eq(n_rows, 350);
    ck_assert_int_eq(nulls, 1);

    s = store_open(path, STORE_READONLY, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    ck_assert_int_eq(store_schema_version(s), 3);
    for (i = 0; i < 3; i++)
        read_curves(s, i + 1, &before[i]);
    store_close(s);
    ck_assert_uint_eq(before[0].n, 13);      /* 4 curves and 9 per-device series */
    ck_assert_str_eq(before[0].name[0], "regret");
    ck_assert_str_eq(before[0].name[4], "device_samples");
    ck_assert_uint_eq(before[1].n, 4);

    s = store_open(path, STORE_CREATE, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    ck_assert_int_eq(store_schema_version(s), 4);
    for (i = 0; i < 3; i++) {
        read_curves(s, i + 1, &after[i]);
        same_curves(&before[i], &after[i]);
    }
    ck_assert_int_eq(store_save_run(s, &run, &err), 0);
    ck_assert_int_eq(run.id, 4);
    /* series is a view now, of the same rows */
    ck_assert_int_eq(sqlite3_prepare_v2(store_sqlite(s), "SELECT type FROM sqlite_master WHERE name = 'series'", -1, &q,
                                        NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(q, 0), "view");
    sqlite3_finalize(q);
    ck_assert_int_eq(sqlite3_prepare_v2(store_sqlite(s), "SELECT run_id, x, y FROM series WHERE run_id <= 3"
                                        " ORDER BY run_id, name, idx", -1, &q, NULL), SQLITE_OK);
    for (k = 0; sqlite3_step(q) == SQLITE_ROW; k++) {
        ck_assert_int_lt(k, n_rows);
        ck_assert(sqlite3_column_double(q, 0) == rows[k][0]);
        ck_assert(same_bits(sqlite3_column_double(q, 1), rows[k][1]));
        ck_assert(sqlite3_column_type(q, 2) == SQLITE_NULL ? isnan(rows[k][2])
                                                            : same_bits(sqlite3_column_double(q, 2), rows[k][2]));
    }
    ck_assert_int_eq(k, n_rows);
    sqlite3_finalize(q);
    store_close(s);
    for (i = 0; i < 3; i++) {
        free_curves(&before[i]);
        free_curves(&after[i]);
    }
    free(rows);
}
END_TEST

Suite *
suite_store(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_not_a_database);
    tcase_add_test(tc, test_migrate_v1);
    tcase_add_test(tc, test_newer_schema_refused);
    tcase_add_test(tc, test_readonly_creates_nothing);
    tcase_add_test(tc, test_messages);
    tcase_add_test(tc, test_locked);
    tcase_add_test(tc, test_grisu_round_trip);
    tcase_add_test(tc, test_curve_exact);
    tcase_add_test(tc, test_migrate_v3);
    suite_add_tcase(s, tc);
    return s;
}
