/* check_ksum.c — compensated summation (traces/ksum.h). */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "tests/suites.h"
#include "traces/ksum.h"

/* Neumaier's case that Kahan summation gets wrong: a large term that
 * cancels leaves the small one exactly. */
START_TEST(test_cancellation)
{
    struct ksum k = KSUM_ZERO;
    ksum_add(&k, 1.0);
    ksum_add(&k, 1e100);
    ksum_add(&k, 1.0);
    ksum_add(&k, -1e100);
    ck_assert_double_eq(ksum_value(&k), 2.0);
}
END_TEST

/* 10^7 terms of 0.1: the exact sum is 10^7 · 0.1(double), whose
 * correctly rounded value is the IEEE product 0.1 * 1e7; the compensated
 * sum gives exactly that, the plain sum is off in the 10th digit. */
START_TEST(test_many_small)
{
    struct ksum k = KSUM_ZERO;
    double plain = 0.0, exact = 0.1 * 1e7;
    size_t i;
    for (i = 0; i < 10000000; i++) {
        ksum_add(&k, 0.1);
        plain += 0.1;
    }
    ck_assert_double_eq(ksum_value(&k), exact);
    ck_assert(fabs(plain - exact) > 1e-6);   /* the plain sum drifts: the test can fail */
}
END_TEST

/* The order of the terms does not change the result: a shuffled sum of
 * 10^6 costs of 0.3 and 1 (the HI cost model) equals the sorted one. */
START_TEST(test_order_independent)
{
    enum { N = 1000000 };
    double *x = malloc(N * sizeof *x);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    struct ksum a = KSUM_ZERO, b = KSUM_ZERO, c = KSUM_ZERO, part = KSUM_ZERO;
    double pa = 0.0, pb = 0.0;
    size_t i;
    ck_assert_ptr_nonnull(x);
    gsl_rng_set(r, 11);
    for (i = 0; i < N; i++)
        x[i] = gsl_rng_uniform(r) < 0.3 ? 0.3 : (gsl_rng_uniform(r) < 0.5 ? 1.0 : 0.0);
    for (i = 0; i < N; i++) {
        ksum_add(&a, x[i]);
        pa += x[i];
    }
    for (i = N; i-- > 0;) {
        ksum_add(&b, x[i]);
        pb += x[i];
    }
    /* merging partial sums: the first half, then the second as one ksum */
    for (i = 0; i < N / 2; i++)
        ksum_add(&c, x[i]);
    for (; i < N; i++)
        ksum_add(&part, x[i]);
    ksum_merge(&c, &part);
    ck_assert_double_eq(ksum_value(&a), ksum_value(&b));
    ck_assert_double_eq(ksum_value(&a), ksum_value(&c));
    ck_assert(pa != pb);   /* plain sums of the same terms disagree */
    gsl_rng_free(r);
    free(x);
}
END_TEST

Suite *
suite_ksum(void)
{
    Suite *s = suite_create("ksum");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_cancellation);
    tcase_add_test(tc, test_many_small);
    tcase_add_test(tc, test_order_independent);
    suite_add_tcase(s, tc);
    return s;
}
