/* check_cloud.c — the pay-per-use cloud cost against hand computations,
 * the 100 ms rounding included. */
#include <math.h>

#include "tests/suites.h"
#include "traces/cloud.h"

/* The defaults are the published Google Cloud Functions 1st gen Tier 1
 * prices for the 256 MB / 400 MHz size.  Its price per 100 ms, printed on
 * the same page as $0.000000463, is 0.1 s · (0.25 GB · $0.0000025 +
 * 0.4 GHz · $0.00001) = $0.0000004625. */
START_TEST(test_defaults)
{
    struct hi_cloud_price p;
    cloud_price_defaults(&p);
    ck_assert(p.invocation == 0.0000004);
    ck_assert(p.gb_s == 0.0000025);
    ck_assert(p.ghz_s == 0.00001);
    ck_assert(p.egress_gb == 0.12);
    ck_assert(p.billing_ms == 100.0);
    ck_assert(p.mem_gb == 0.25 && p.cpu_ghz == 0.4);
    ck_assert_double_eq_tol(0.1 * (p.mem_gb * p.gb_s + p.cpu_ghz * p.ghz_s), 0.0000004625, 1e-18);
}
END_TEST

/* Rounding up to the increment: the pricing page's own example (260 ms
 * bills as 300 ms), an exact multiple stays, a hair above goes up, a
 * sub-millisecond run bills one increment, 0 bills 0, and billing_ms = 0
 * bills the exact time.  Catches round-to-nearest (260 -> 300 but 240 ->
 * 200), floor, and an off-by-one increment on exact multiples. */
START_TEST(test_billed_ms)
{
    struct hi_cloud_price p;
    cloud_price_defaults(&p);
    ck_assert(cloud_billed_ms(&p, 260.0) == 300.0);
    ck_assert(cloud_billed_ms(&p, 240.0) == 300.0);
    ck_assert(cloud_billed_ms(&p, 300.0) == 300.0);
    ck_assert(cloud_billed_ms(&p, 0.1 + 0.2) == 100.0);
    ck_assert(cloud_billed_ms(&p, 300.001) == 400.0);
    ck_assert(cloud_billed_ms(&p, 0.5) == 100.0);
    ck_assert(cloud_billed_ms(&p, 100.0) == 100.0);
    ck_assert(cloud_billed_ms(&p, 0.0) == 0.0);
    p.billing_ms = 1.0;
    ck_assert(cloud_billed_ms(&p, 2.3) == 3.0);
    p.billing_ms = 0.0;
    ck_assert(cloud_billed_ms(&p, 2.3) == 2.3);
}
END_TEST

/* One invocation by hand.  260 ms at the defaults, 40 bytes back:
 *   invocation            0.0000004
 *   300 ms · 4.625e-6/s   0.0000013875
 *   40 / 2^30 GB · 0.12   0.0000000044703483581543
 *   total                 0.0000017919703483581543
 * and a 2 GB / 2.4 GHz function for 1.2 ms with 1 MiB back:
 *   0.0000004 + 0.1·(2·0.0000025 + 2.4·0.00001) + 2^20/2^30·0.12
 *   = 0.0000004 + 0.0000029 + 0.0001171875 = 0.0001204875 */
START_TEST(test_cost_by_hand)
{
    struct hi_cloud_price p;
    cloud_price_defaults(&p);
    ck_assert_double_eq_tol(cloud_cost(&p, 260.0, 40.0), 0.0000017919703483581543, 1e-20);
    ck_assert_double_eq_tol(cloud_cost(&p, 0.5, 0.0), 0.0000004 + 0.0000004625, 1e-19);
    p.mem_gb = 2.0;
    p.cpu_ghz = 2.4;
    ck_assert_double_eq_tol(cloud_cost(&p, 1.2, 1048576.0), 0.0001204875, 1e-17);
    /* per 1000 inferences, every one offloaded: 1000 times one */
    cloud_price_defaults(&p);
    ck_assert_double_eq_tol(1000.0 * cloud_cost(&p, 1.0, 40.0), 0.00086697034835815, 1e-17);
}
END_TEST

Suite *
suite_cloud(void)
{
    Suite *s = suite_create("cloud");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_billed_ms);
    tcase_add_test(tc, test_cost_by_hand);
    suite_add_tcase(s, tc);
    return s;
}
