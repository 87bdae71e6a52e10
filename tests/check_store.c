/* check_store.c — the SQLite round trip and bad databases. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/store.h"
#include "tests/suites.h"
#include "tests/util.h"

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

Suite *
suite_store(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_not_a_database);
    suite_add_tcase(s, tc);
    return s;
}
