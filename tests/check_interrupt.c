/* check_interrupt.c — engine_run stopped by hooks->interrupt: HI_EINTR,
 * res->interrupted, and figures of exactly the samples retired. */
#include <math.h>
#include <signal.h>

#include "sim/config.h"
#include "sim/engine.h"
#include "tests/suites.h"
#include "tests/util.h"

struct watch {
    volatile sig_atomic_t flag;
    size_t at, seen, offloaded;
    double cost;
};

/* Sets the flag once `at` samples are retired, as a signal handler would;
 * counts what the samples log sees. */
static int
watch_record(void *ctx, const struct engine_record *r)
{
    struct watch *w = ctx;
    w->seen++;
    w->offloaded += r->offload;
    w->cost += r->cost;
    if (w->seen == w->at)
        w->flag = 1;
    return 0;
}

/* Stopped mid-run, the run reports the samples it retired (within one
 * poll period, 65536 events, of the request) and every figure describes
 * those: the logged count, offloads and cost agree with the result. */
START_TEST(test_stops_with_partial_figures)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(2000, 0, 0, 4);
    struct hi_config c;
    struct engine_result r;
    struct watch w = {0, 100000, 0, 0, 0.0};
    struct engine_hooks h = {0};
    config_defaults(&c);
    config_set_arg(&c, "policy.name=hil-f", &err);
    config_set_arg(&c, "trace.order=bootstrap", &err);
    config_set_arg(&c, "trace.samples=2000000", &err);
    h.on_record = watch_record;
    h.ctx = &w;
    h.interrupt = &w.flag;
    ck_assert_int_eq(engine_run(&c, t, &h, &r, &err), HI_EINTR);
    ck_assert_int_eq(r.interrupted, 1);
    ck_assert_msg(strstr(err.msg, "interrupted after ") != NULL, "%s", err.msg);
    ck_assert_uint_ge(r.n, 100000);
    ck_assert_uint_le(r.n, 100000 + 65536);
    ck_assert_uint_eq(r.n, w.seen);
    ck_assert_uint_eq(r.offloaded, w.offloaded);
    ck_assert_double_eq_tol(r.total_cost, w.cost, 1e-6);
    ck_assert_double_eq_tol(r.accuracy * (double)r.n, round(r.accuracy * (double)r.n), 1e-6);
    ck_assert(isfinite(r.regret) && isfinite(r.p95_response_s) && r.makespan_s > 0);
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

/* Without a request the same hook changes nothing: the run completes. */
START_TEST(test_unset_flag_runs_to_the_end)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(500, 0, 0, 4);
    struct hi_config c;
    struct engine_result r;
    volatile sig_atomic_t flag = 0;
    struct engine_hooks h = {0};
    config_defaults(&c);
    config_set_arg(&c, "trace.order=bootstrap", &err);
    config_set_arg(&c, "trace.samples=300000", &err);
    h.interrupt = &flag;
    ck_assert_int_eq(engine_run(&c, t, &h, &r, &err), 0);
    ck_assert_int_eq(r.interrupted, 0);
    ck_assert_uint_eq(r.n, 300000);
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

Suite *
suite_interrupt(void)
{
    Suite *s = suite_create("interrupt");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_stops_with_partial_figures);
    tcase_add_test(tc, test_unset_flag_runs_to_the_end);
    suite_add_tcase(s, tc);
    return s;
}
