/* check_qos.c — 001 Table 5 from the catalog: the 18 cells exactly, the
 * fallbacks, and that remote inference never meets "≤ 0.5 × offload". */
#include <math.h>
#include <string.h>

#include "analysis/qos.h"
#include "tests/suites.h"

/* 001 Table 5 as printed, row by row (Coral, RPi, Jetson; CIFAR-10 then
 * ImageNet-1K), columns accuracy, latency, energy. */
static const char *const table5[QOS_ROWS][QOS_COLUMNS] = {
    {"ResNet-8 + HI", "ResNet-8 + HI", "ResNet-8 + HI"},
    {"ResNet-8 + HI", "ResNet-8 + HI", "ResNet-8 + HI"},
    {"On Device (ResNet-56)", "ResNet-8 + HI", "ResNet-8 + HI"},
    {"Remote Inference", "Remote Inference", "Remote Inference"},
    {"Remote Inference", "Remote Inference", "Remote Inference"},
    {"ResNet-18 + HI", "ResNet-18 + HI", "ResNet-18 + HI"},
};

START_TEST(test_qos_table5)
{
    size_t i, k, matched = 0;
    for (i = 0; i < QOS_ROWS; i++) {
        struct qos_cell c;
        struct hi_error err = {0};
        const char *ds, *dev;
        size_t r;
        qos_row(i, &ds, &dev);
        ck_assert_msg(qos_cell(&c, ds, dev, NULL, &err) == 0, "%s", err.msg);
        for (k = 0; k < QOS_COLUMNS; k++) {
            ck_assert_msg(strcmp(c.cand[c.choice[k].index].label, table5[i][k]) == 0, "%s on %s, column %zu: %s, "
                          "the paper %s", ds, dev, k, c.cand[c.choice[k].index].label, table5[i][k]);
            matched++;
        }
        /* remote inference takes exactly the offload's time and energy:
         * it never meets a requirement of half of it */
        for (r = 0; r < c.n_cand && !c.cand[r].remote; r++)
            ;
        ck_assert_uint_lt(r, c.n_cand);
        ck_assert(c.cand[r].latency_ms > c.latency_max);
        ck_assert(c.cand[r].energy_mj > c.energy_max);
        ck_assert_double_eq_tol(c.latency_max, 0.5 * c.cand[r].latency_ms, 1e-12);
        /* ImageNet on the Coral and the RPi: nothing fits, remote is the
         * fastest and least-energy fallback (001 §4.4) */
        if (i == 3 || i == 4) {
            ck_assert_int_eq(c.choice[QOS_LATENCY].feasible, 0);
            ck_assert_int_eq(c.choice[QOS_ENERGY].feasible, 0);
        } else {
            ck_assert_int_eq(c.choice[QOS_LATENCY].feasible, 1);
        }
        qos_cell_free(&c);
    }
    ck_assert_uint_eq(matched, 18);
}
END_TEST

/* The rule on hand-made candidates: the feasible optimum and its
 * tie-breaks, and the three fallbacks when nothing is feasible. */
START_TEST(test_qos_select)
{
    struct qos_candidate c[3];
    struct qos_choice ch;
    memset(c, 0, sizeof c);
    /* a: accurate and slow; b: fast; c: frugal */
    c[0].accuracy = 0.95, c[0].latency_ms = 10, c[0].energy_mj = 10;
    c[1].accuracy = 0.80, c[1].latency_ms = 1, c[1].energy_mj = 5;
    c[2].accuracy = 0.85, c[2].latency_ms = 4, c[2].energy_mj = 1;
    ch = qos_select(c, 3, QOS_ACCURACY, 0.82, 0, 0);
    ck_assert_uint_eq(ch.index, 2);          /* fastest of {a, c} */
    ck_assert_int_eq(ch.feasible, 1);
    ch = qos_select(c, 3, QOS_ACCURACY, 0.99, 0, 0);
    ck_assert_uint_eq(ch.index, 0);          /* none: the most accurate */
    ck_assert_int_eq(ch.feasible, 0);
    ch = qos_select(c, 3, QOS_LATENCY, 0, 5, 0);
    ck_assert_uint_eq(ch.index, 2);          /* most accurate of {b, c} */
    ch = qos_select(c, 3, QOS_LATENCY, 0, 0.5, 0);
    ck_assert_uint_eq(ch.index, 1);          /* none: the fastest */
    ck_assert_int_eq(ch.feasible, 0);
    ch = qos_select(c, 3, QOS_ENERGY, 0, 0, 0.5);
    ck_assert_uint_eq(ch.index, 2);          /* none: the least energy */
    ck_assert_int_eq(ch.feasible, 0);
    /* ties: equal accuracy, the lower energy (latency column) */
    c[1].accuracy = 0.85;
    c[1].energy_mj = 0.5;
    ch = qos_select(c, 3, QOS_LATENCY, 0, 5, 0);
    ck_assert_uint_eq(ch.index, 1);
}
END_TEST

Suite *
suite_qos(void)
{
    Suite *s = suite_create("qos");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_qos_table5);
    tcase_add_test(tc, test_qos_select);
    suite_add_tcase(s, tc);
    return s;
}
