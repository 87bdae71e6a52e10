/* check_quantile.c — the bounded-memory quantile (sim/quantile.h) against
 * the exact quantile of the sorted values. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/quantile.h"
#include "tests/suites.h"

static const double ps[] = {0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0};

/* Up to exact_max values the result is exactly GSL's quantile of the
 * sorted values, ties and zeros included. */
START_TEST(test_exact_below_the_limit)
{
    enum { N = 5000 };
    double *x = malloc(N * sizeof *x);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    struct quantile q;
    size_t i, k;
    ck_assert_ptr_nonnull(x);
    gsl_rng_set(r, 3);
    ck_assert_int_eq(quantile_init(&q, N), 0);
    for (i = 0; i < N; i++) {
        x[i] = i % 7 == 0 ? 0.0 : floor(gsl_ran_exponential(r, 5.0) * 4.0) / 4.0;   /* many ties */
        ck_assert_int_eq(quantile_add(&q, x[i]), 0);
    }
    ck_assert(quantile_is_exact(&q));
    gsl_sort(x, 1, N);
    for (k = 0; k < sizeof ps / sizeof ps[0]; k++)
        ck_assert_double_eq(quantile_get(&q, ps[k]), gsl_stats_quantile_from_sorted_data(x, 1, N, ps[k]));
    quantile_fini(&q);
    gsl_rng_free(r);
    free(x);
}
END_TEST

/* Past exact_max the histogram takes over: every quantile is within 0.1%
 * relative of the exact one, over nine decades of a log-normal and with
 * zeros, and the memory is a few thousand buckets, not one per value. */
START_TEST(test_histogram_within_bound)
{
    enum { N = 400000 };
    double *x = malloc(N * sizeof *x);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    struct quantile q;
    size_t i, k;
    ck_assert_ptr_nonnull(x);
    gsl_rng_set(r, 5);
    ck_assert_int_eq(quantile_init(&q, 1000), 0);
    for (i = 0; i < N; i++) {
        x[i] = i % 50 == 0 ? 0.0 : gsl_ran_lognormal(r, -4.0, 3.0);
        ck_assert_int_eq(quantile_add(&q, x[i]), 0);
    }
    ck_assert(!quantile_is_exact(&q));
    ck_assert_ptr_null(q.v);
    ck_assert_uint_lt(q.nb, 40000);
    gsl_sort(x, 1, N);
    for (k = 0; k < sizeof ps / sizeof ps[0]; k++) {
        double exact = gsl_stats_quantile_from_sorted_data(x, 1, N, ps[k]);
        double got = quantile_get(&q, ps[k]);
        ck_assert_msg(fabs(got - exact) <= QUANTILE_REL_ERROR * exact, "p %g: %.17g vs %.17g (rel %g)", ps[k], got,
                      exact, exact > 0 ? fabs(got - exact) / exact : 0.0);
    }
    ck_assert_double_eq(quantile_get(&q, 0.0), 0.0);   /* the zeros, exactly */
    ck_assert_double_eq(quantile_get(&q, 1.0), x[N - 1]);   /* the maximum, exactly */
    quantile_fini(&q);
    gsl_rng_free(r);
    free(x);
}
END_TEST

/* Edge cases: no value is NaN; one value is itself; all zeros past the
 * limit stay zero; a constant is exact to the bound. */
START_TEST(test_edges)
{
    struct quantile q;
    size_t i;
    ck_assert_int_eq(quantile_init(&q, 4), 0);
    ck_assert(isnan(quantile_get(&q, 0.5)));
    quantile_add(&q, 7.25);
    ck_assert_double_eq(quantile_get(&q, 0.95), 7.25);
    quantile_fini(&q);

    quantile_init(&q, 4);
    for (i = 0; i < 100; i++)
        quantile_add(&q, 0.0);
    ck_assert(!quantile_is_exact(&q));
    ck_assert_double_eq(quantile_get(&q, 0.95), 0.0);
    quantile_fini(&q);

    quantile_init(&q, 4);
    for (i = 0; i < 100; i++)
        quantile_add(&q, 0.0371);
    ck_assert_double_eq(quantile_get(&q, 0.5), 0.0371);   /* clamped to [min, max] */
    quantile_fini(&q);
}
END_TEST

Suite *
suite_quantile(void)
{
    Suite *s = suite_create("quantile");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_exact_below_the_limit);
    tcase_add_test(tc, test_histogram_within_bound);
    tcase_add_test(tc, test_edges);
    suite_add_tcase(s, tc);
    return s;
}
