/* check_trace.c — the trace loader: columns, metadata, round trip, bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/suites.h"
#include "tests/util.h"
#include "traces/trace.h"

/* The hand-made trace loads with every column and its metadata. */
START_TEST(test_load_small)
{
    struct hi_error err = {0};
    struct hi_trace *t = trace_load(util_src("tests/data/small.csv"), &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    ck_assert_uint_eq(t->n, 10);
    ck_assert_int_eq(t->label[1], 2);
    ck_assert_int_eq(t->sml_pred[1], 0);
    ck_assert_double_eq(t->sml_conf[1], 0.40);
    ck_assert_int_eq(t->y_sml[1], 1);
    ck_assert_int_eq(t->y_lml[7], 1);
    ck_assert_ptr_nonnull(t->sml_p2);
    ck_assert_double_eq(t->sml_p2[6], 0.005);
    ck_assert_ptr_nonnull(t->bytes);
    ck_assert_double_eq(t->bytes[0], 1000);
    ck_assert_ptr_null(t->lml_conf);
    ck_assert_str_eq(trace_meta(t, "dataset"), "hand-made");
    ck_assert_double_eq_tol(trace_sml_accuracy(t), 0.6, 1e-15);
    ck_assert_double_eq_tol(trace_lml_accuracy(t), 0.8, 1e-15);
    trace_free(t);
}
END_TEST

/* Columns in any order, softmax and exit families, unknown columns listed,
 * CRLF line ends and comment lines after the header. */
START_TEST(test_columns_any_order)
{
    struct hi_error err = {0};
    const char *path = util_tmp("order.csv");
    struct hi_trace *t;
    util_write(path,
               "# model: x\r\n"
               "extra,sml_prob_1,lml_pred,ee1_pred,sml_conf,sml_prob_0,label,ee1_conf,sml_pred,relevant,t_arrival,lml_conf,id\r\n"
               "9,0.7,1,1,0.7,0.3,1,0.6,1,1,0.5,0.99,100\r\n"
               "# a comment\r\n"
               "9,0.2,0,0,0.8,0.8,0,0.55,0,0,1.5,0.9,101\r\n");
    t = trace_load(path, &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    ck_assert_uint_eq(t->n, 2);
    ck_assert_uint_eq(t->n_classes, 2);
    ck_assert_uint_eq(t->n_exits, 1);
    ck_assert_double_eq(t->sml_prob[0 * 2 + 1], 0.7);
    ck_assert_double_eq(t->sml_prob[1 * 2 + 0], 0.8);
    ck_assert_double_eq(t->ee_conf[0][1], 0.55);
    ck_assert_int_eq(t->ee_pred[0][0], 1);
    ck_assert_int_eq(t->relevant[0], 1);
    ck_assert_double_eq(t->t_arrival[1], 1.5);
    ck_assert_double_eq(t->lml_conf[0], 0.99);
    ck_assert_int_eq(trace_id(t, 1), 101);
    ck_assert_str_eq(t->unknown, "extra");
    ck_assert_str_eq(trace_meta(t, "model"), "x");
    trace_free(t);
}
END_TEST

/* trace_write then trace_load gives back every column exactly. */
START_TEST(test_round_trip)
{
    struct hi_error err = {0};
    struct hi_trace *a = util_random_trace(500, 0, 1, 3), *b;
    const char *path = util_tmp("rt.csv");
    size_t i, k;
    trace_add_column(a, TRACE_COL_SML_P2);
    trace_add_column(a, TRACE_COL_LML_CONF);
    trace_add_column(a, TRACE_COL_BYTES);
    trace_add_column(a, TRACE_COL_RELEVANT);
    trace_add_column(a, TRACE_COL_T_ARRIVAL);
    trace_add_column(a, TRACE_COL_ID);
    a->n_classes = 3;
    a->sml_prob = calloc(a->n * 3, sizeof(double));
    a->n_exits = 2;
    for (k = 0; k < 2; k++) {
        a->ee_conf[k] = calloc(a->n, sizeof(double));
        a->ee_pred[k] = calloc(a->n, sizeof(int));
    }
    for (i = 0; i < a->n; i++) {
        a->sml_p2[i] = a->sml_conf[i] / 3.0;
        a->lml_conf[i] = 1.0 / (1.0 + (double)i);
        a->bytes[i] = 784;
        a->relevant[i] = i % 2;
        a->t_arrival[i] = 0.001 * (double)i;
        a->id[i] = 1000 + (long)i;
        for (k = 0; k < 3; k++)
            a->sml_prob[i * 3 + k] = (double)k / 7.0 + 1e-3 * (double)(i % 5);
        for (k = 0; k < 2; k++) {
            a->ee_conf[k][i] = 0.5 + 0.1 * (double)k;
            a->ee_pred[k][i] = (int)(i % 4);
        }
    }
    trace_set_meta(a, "dataset", "random");
    ck_assert_int_eq(trace_write(a, path, &err), 0);
    b = trace_load(path, &err);
    ck_assert_msg(b != NULL, "%s", err.msg);
    ck_assert_uint_eq(b->n, a->n);
    ck_assert_uint_eq(b->n_classes, 3);
    ck_assert_uint_eq(b->n_exits, 2);
    ck_assert_str_eq(trace_meta(b, "dataset"), "random");
    for (i = 0; i < a->n; i++) {
        ck_assert_int_eq(b->label[i], a->label[i]);
        ck_assert_int_eq(b->sml_pred[i], a->sml_pred[i]);
        ck_assert_int_eq(b->lml_pred[i], a->lml_pred[i]);
        ck_assert(b->sml_conf[i] == a->sml_conf[i]);
        ck_assert(b->sml_p2[i] == a->sml_p2[i]);
        ck_assert(b->lml_conf[i] == a->lml_conf[i]);
        ck_assert(b->bytes[i] == a->bytes[i]);
        ck_assert(b->t_arrival[i] == a->t_arrival[i]);
        ck_assert_int_eq(b->relevant[i], a->relevant[i]);
        ck_assert_int_eq(b->id[i], a->id[i]);
        ck_assert_int_eq(b->y_sml[i], a->y_sml[i]);
        for (k = 0; k < 3; k++)
            ck_assert(b->sml_prob[i * 3 + k] == a->sml_prob[i * 3 + k]);
        for (k = 0; k < 2; k++) {
            ck_assert(b->ee_conf[k][i] == a->ee_conf[k][i]);
            ck_assert_int_eq(b->ee_pred[k][i], a->ee_pred[k][i]);
        }
    }
    trace_free(a);
    trace_free(b);
}
END_TEST

/* Each kind of bad trace fails with a message naming the place. */
static void
expect_bad(const char *name, const char *text, const char *want)
{
    struct hi_error err = {0};
    const char *path = util_tmp(name);
    struct hi_trace *t;
    char where[4200];
    util_write(path, text);
    t = trace_load(path, &err);
    ck_assert_msg(t == NULL, "%s loaded", name);
    ck_assert_int_eq(err.status, HI_EINPUT);
    snprintf(where, sizeof where, "%s", path);
    ck_assert_msg(strncmp(err.msg, where, strlen(where)) == 0, "%s: no file in '%s'", name, err.msg);
    ck_assert_msg(strstr(err.msg, want) != NULL, "%s: '%s' lacks '%s'", name, err.msg, want);
}

START_TEST(test_bad_input)
{
    expect_bad("nocol.csv", "label,sml_pred,lml_pred\n1,1,1\n", ":1: missing required column 'sml_conf'");
    expect_bad("nonnum.csv", "label,sml_pred,sml_conf,lml_pred\n1,1,0.5,1\n1,1,abc,1\n",
               ":3:5: column 'sml_conf': expected a number in [0, 1], found 'abc'");
    expect_bad("range.csv", "label,sml_pred,sml_conf,lml_pred\n1,1,1.5,1\n",
               ":2:5: column 'sml_conf': expected a probability in [0, 1], found '1.5'");
    expect_bad("neg.csv", "label,sml_pred,sml_conf,lml_pred\n1,1,-0.1,1\n", "expected a probability in [0, 1]");
    expect_bad("p2.csv", "label,sml_pred,sml_conf,lml_pred,sml_p2\n1,1,0.4,1,0.5\n",
               ":2:11: sml_p2 = 0.5 exceeds sml_conf = 0.40000000000000002");
    expect_bad("empty.csv", "", "empty trace");
    expect_bad("header.csv", "# only: meta\nlabel,sml_pred,sml_conf,lml_pred\n", "empty trace");
    expect_bad("cells.csv", "label,sml_pred,sml_conf,lml_pred\n1,1,0.5\n", ":2:");
    expect_bad("more.csv", "label,sml_pred,sml_conf,lml_pred\n1,1,0.5,1,7\n", "found more");
    expect_bad("label.csv", "label,sml_pred,sml_conf,lml_pred\n-1,1,0.5,1\n", "class index");
    expect_bad("float.csv", "label,sml_pred,sml_conf,lml_pred\n1.5,1,0.5,1\n", "class index");
    expect_bad("nan.csv", "label,sml_pred,sml_conf,lml_pred\n1,1,nan,1\n", "expected a number");
    expect_bad("dup.csv", "label,sml_pred,sml_conf,lml_pred,label\n1,1,0.5,1,1\n", "appears twice");
    expect_bad("prob.csv", "label,sml_pred,sml_conf,lml_pred,sml_prob_0,sml_prob_2\n1,1,0.5,1,0.5,0.5\n",
               "sml_prob_1");
    expect_bad("ee.csv", "label,sml_pred,sml_conf,lml_pred,ee1_conf\n1,1,0.5,1,0.5\n", "ee1_pred");
    expect_bad("rel.csv", "label,sml_pred,sml_conf,lml_pred,relevant\n1,1,0.5,1,2\n", "0 or 1");
}
END_TEST

/* A missing file is bad input, with the path and the reason. */
START_TEST(test_missing_file)
{
    struct hi_error err = {0};
    ck_assert_ptr_null(trace_load("/nonexistent/x.csv", &err));
    ck_assert_int_eq(err.status, HI_EINPUT);
    ck_assert_str_eq(err.msg, "/nonexistent/x.csv: cannot open trace: No such file or directory");
}
END_TEST

/* A metadata accuracy ("0.8707") against the recomputed one: equal to
 * the 4 decimals written. */
static void
check_meta_accuracy(const struct hi_trace *t, const char *key, double computed)
{
    const char *v = trace_meta(t, key);
    ck_assert_msg(v != NULL, "%s: no '%s' in the header", t->path, key);
    ck_assert_msg(fabs(atof(v) - computed) <= 0.5e-4 + 1e-12, "%s: %s = %s, content gives %.6f", t->path, key,
                  v, computed);
}

/* Every shipped trace loads, and its header matches its content: the
 * sample count and the S-ML, L-ML and early-exit accuracies recomputed
 * from the rows. */
START_TEST(test_shipped_traces)
{
    static const char *const files[] = {"traces/fmnist/fmnist-cnn.csv", "traces/fmnist/fmnist-relevant.csv",
                                        "traces/fmnist/fmnist-ee8.csv"};
    size_t f, k, i;
    for (f = 0; f < sizeof files / sizeof files[0]; f++) {
        struct hi_error err = {0};
        struct hi_trace *t = trace_load(util_src(files[f]), &err);
        ck_assert_msg(t != NULL, "%s", err.msg);
        ck_assert_ptr_null(t->unknown);
        ck_assert_uint_eq(t->n, (size_t)atol(trace_meta(t, "n")));
        check_meta_accuracy(t, "sml_accuracy", trace_sml_accuracy(t));
        check_meta_accuracy(t, "lml_accuracy", trace_lml_accuracy(t));
        for (k = 0; k < t->n_exits; k++) {
            char key[32];
            size_t right = 0;
            for (i = 0; i < t->n; i++)
                right += t->ee_pred[k][i] == t->label[i];
            snprintf(key, sizeof key, "ee%zu_accuracy", k + 1);
            check_meta_accuracy(t, key, (double)right / (double)t->n);
        }
        if (t->relevant)
            for (i = 0; i < t->n; i++)
                ck_assert_int_eq(t->relevant[i], t->label[i]);
        trace_free(t);
    }
}
END_TEST

Suite *
suite_trace(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_load_small);
    tcase_add_test(tc, test_columns_any_order);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_shipped_traces);
    suite_add_tcase(s, tc);
    return s;
}
