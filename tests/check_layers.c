/* check_layers.c — the layer profile loader: hand counts, the shipped
 * profiles, exits, the memory rule, bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/suites.h"
#include "tests/util.h"
#include "traces/layers.h"

/* tests/data/layers-small.csv by hand: times are binary fractions, so
 * every sum below is exact and compared with ==. */
START_TEST(test_small_hand_count)
{
    static const double cum[] = {0, 0.5, 0.75, 2.25, 2.375, 2.4375, 4.4375};
    struct hi_error err = {0};
    struct hi_layers L;
    size_t k;

    ck_assert_msg(layers_load(&L, util_src("tests/data/layers-small.csv"), &err) == HI_OK, "%s", err.msg);
    ck_assert_uint_eq(L.n, 6);
    ck_assert_str_eq(L.name[3], "ee2.pool");
    ck_assert_str_eq(L.type[3], "MaxPool2d");
    ck_assert(L.flops[2] == 200 && L.params[4] == 6 && L.output_bytes[0] == 128 && L.cpu_ms[5] == 2);
    ck_assert(L.input_bytes == 64);
    ck_assert(L.raw_bytes == 16);
    ck_assert_int_eq(L.has_cpu_ms, 1);
    ck_assert_ptr_null(L.energy_mj);
    ck_assert_str_eq(L.unknown, "gpu_ms");
    ck_assert_str_eq(layers_meta(&L, "model_cpu_ms"), "4.5 (sum of cpu_ms = 4.4375)");
    for (k = 0; k <= L.n; k++)
        ck_assert_msg(L.cum_ms[k] == cum[k], "cum_ms[%zu] = %g, hand count %g", k, L.cum_ms[k], cum[k]);

    /* (a, b] at speed s */
    ck_assert(layers_ms(&L, 0, 6, 1.0) == 4.4375);
    ck_assert(layers_ms(&L, 1, 3, 2.0) == (1.5 + 0.25) / 2.0);
    ck_assert(layers_ms(&L, 4, 4, 1.0) == 0.0);
    ck_assert(layers_out_bytes(&L, 0) == 64);   /* the input tensor, not the raw bytes */
    ck_assert(layers_out_bytes(&L, 3) == 64);
    ck_assert(layers_out_bytes(&L, 6) == 8);

    /* exits: ee1 = row 2, ee2 = rows 4..5 (1-based); the final fc is no exit */
    ck_assert_uint_eq(L.n_exits, 2);
    ck_assert_uint_eq(L.exit_end[0], 2);
    ck_assert_uint_eq(L.exit_end[1], 5);
    ck_assert_uint_eq(L.exit_of[0], 0);
    ck_assert_uint_eq(L.exit_of[1], 1);
    ck_assert_uint_eq(L.exit_of[4], 2);
    ck_assert_uint_eq(L.exit_of[5], 0);
    ck_assert(layers_exit_ms(&L, 1, 1.0) == 0.5 + 0.25);
    ck_assert(layers_exit_ms(&L, 2, 1.0) == 0.5 + 0.25 + 1.5 + 0.125 + 0.0625);
    ck_assert(layers_exit_ms(&L, 2, 4.0) == (0.5 + 0.25 + 1.5 + 0.125 + 0.0625) / 4.0);
    ck_assert(layers_exit_direct_ms(&L, 1, 1.0) == 0.5 + 0.25);
    ck_assert(layers_exit_direct_ms(&L, 2, 1.0) == 0.5 + 1.5 + 0.125 + 0.0625);   /* ee1.fc skipped */
    ck_assert(layers_exit_direct_ms(&L, 2, 0.5) == (0.5 + 1.5 + 0.125 + 0.0625) / 0.5);

    /* memory: 4 bytes per parameter + the largest of the part's input and its outputs */
    ck_assert(layers_memory_bytes(&L, 0, 3) == 4.0 * (10 + 5 + 20) + 128);
    ck_assert(layers_memory_bytes(&L, 3, 5) == 4.0 * (0 + 6) + 64);      /* the input (c2's 64) is the peak */
    ck_assert(layers_memory_bytes(&L, 0, 6) == 4.0 * 49 + 128);
    ck_assert(layers_memory_bytes(&L, 5, 6) == 4.0 * 8 + 8);
    ck_assert(layers_memory_bytes(&L, 2, 2) == 0.0);
    layers_free(&L);
}
END_TEST

/* The leading number of "X (sum of cpu_ms = Y)" is X; returns Y. */
static double
header_sum(const struct hi_layers *L)
{
    const char *v = layers_meta(L, "model_cpu_ms"), *p;
    ck_assert_msg(v != NULL, "%s: no model_cpu_ms", L->path);
    p = strstr(v, "sum of cpu_ms = ");
    ck_assert_msg(p != NULL, "%s: model_cpu_ms '%s' has no sum", L->path, v);
    return atof(p + strlen("sum of cpu_ms = "));
}

/* The three shipped profiles load; their layer counts, parameter counts
 * and time sums agree with their own metadata, and profile-ee.csv's exits
 * end at rows 6, 15 and 23 (0-based). */
START_TEST(test_shipped_profiles)
{
    static const struct { const char *file; size_t n, params, exits; } want[] = {
        {"traces/fmnist/profile-sml.csv", 7, 21898, 0},
        {"traces/fmnist/profile-lml.csv", 17, 390634, 0},
        {"traces/fmnist/profile-ee.csv", 24, 112478, 3},
    };
    size_t f, r;

    for (f = 0; f < sizeof want / sizeof want[0]; f++) {
        struct hi_error err = {0};
        struct hi_layers L;
        double sum = 0.0, params = 0.0, figure;
        ck_assert_msg(layers_load(&L, util_src(want[f].file), &err) == HI_OK, "%s", err.msg);
        ck_assert_uint_eq(L.n, want[f].n);
        ck_assert_uint_eq(L.n_exits, want[f].exits);
        ck_assert_ptr_null(L.unknown);
        ck_assert(L.input_bytes == 3136);
        ck_assert(L.raw_bytes == 784);
        for (r = 0; r < L.n; r++) {
            sum += L.cpu_ms[r];
            params += L.params[r];
        }
        ck_assert_double_eq_tol(L.cum_ms[L.n], sum, 1e-12);
        ck_assert(params == (double)want[f].params);
        ck_assert(params == atof(layers_meta(&L, "params")));
        /* The header's sum is of the unrounded times; each row is rounded to
         * 4 decimals (±0.5e-4) and the sum too, so they differ by at most
         * (n + 1)·0.5e-4.  Measured: 1e-4 for each of the three files. */
        figure = header_sum(&L);
        ck_assert_msg(fabs(L.cum_ms[L.n] - figure) <= (double)(L.n + 1) * 0.5e-4,
                      "%s: sum of cpu_ms %.6f, header %.4f", L.path, L.cum_ms[L.n], figure);
        if (L.n_exits) {
            ck_assert_uint_eq(L.exit_end[0], 6 + 1);
            ck_assert_uint_eq(L.exit_end[1], 15 + 1);
            ck_assert_uint_eq(L.exit_end[2], 23 + 1);
            /* hand sums of the file's rows */
            ck_assert_double_eq_tol(layers_exit_ms(&L, 1, 1.0), 0.1531, 1e-12);
            ck_assert_double_eq_tol(layers_exit_ms(&L, 2, 1.0), 0.7699, 1e-12);
            ck_assert_double_eq_tol(layers_exit_ms(&L, 3, 1.0), 1.2943, 1e-12);
            ck_assert_double_eq_tol(layers_exit_direct_ms(&L, 1, 1.0), 0.1531, 1e-12);
            ck_assert_double_eq_tol(layers_exit_direct_ms(&L, 2, 1.0), 0.7386, 1e-12);
            ck_assert_double_eq_tol(layers_exit_direct_ms(&L, 3, 1.0), 1.0854, 1e-12);
        }
        layers_free(&L);
    }
}
END_TEST

/* Columns in any order, CRLF, comments between rows, no index column, an
 * energy_mj column, explicit input_bytes/raw_bytes winning over `input:`. */
START_TEST(test_columns_any_order)
{
    struct hi_error err = {0};
    struct hi_layers L;
    const char *path = util_tmp("any-order.csv");
    util_write(path,
               "# input: 1x3 float32 (12 bytes); raw image 3 bytes\r\n"
               "# input_bytes: 24\r\n"
               "\r\n"
               "cpu_ms,output_bytes,energy_mj,type,params,flops,name\r\n"
               "0.25,8,1.5,Linear,4,10,a\r\n"
               "# a comment\r\n"
               "0.5,4,2.5,ReLU,0,2,b\r\n");
    ck_assert_msg(layers_load(&L, path, &err) == HI_OK, "%s", err.msg);
    ck_assert_uint_eq(L.n, 2);
    ck_assert(L.input_bytes == 24);
    ck_assert(L.raw_bytes == 3);
    ck_assert_ptr_nonnull(L.energy_mj);
    ck_assert(L.energy_mj[1] == 2.5);
    ck_assert_str_eq(L.name[1], "b");
    ck_assert_str_eq(L.type[0], "Linear");
    ck_assert(L.cum_ms[2] == 0.75);
    ck_assert_uint_eq(L.n_exits, 0);
    layers_free(&L);
}
END_TEST

/* Without cpu_ms the profile loads with NaN times; layers_set_cpu_ms
 * fills them and the sums.  Without a raw size, raw_bytes = input_bytes. */
START_TEST(test_no_times)
{
    struct hi_error err = {0};
    struct hi_layers L;
    const char *path = util_tmp("no-times.csv");
    static const double ms[] = {1.0, 0.25};
    util_write(path,
               "# input_bytes: 100\n"
               "name,type,flops,params,output_bytes\n"
               "ee1.x,Linear,10,4,8\n"
               "y,ReLU,2,0,4\n");
    ck_assert_msg(layers_load(&L, path, &err) == HI_OK, "%s", err.msg);
    ck_assert_int_eq(L.has_cpu_ms, 0);
    ck_assert(isnan(L.cpu_ms[0]) && isnan(L.cum_ms[2]) && L.cum_ms[0] == 0.0);
    ck_assert(L.raw_bytes == 100);
    ck_assert_uint_eq(L.n_exits, 1);
    ck_assert_uint_eq(L.exit_end[0], 1);
    layers_set_cpu_ms(&L, ms);
    ck_assert_int_eq(L.has_cpu_ms, 1);
    ck_assert(L.cum_ms[1] == 1.0 && L.cum_ms[2] == 1.25);
    ck_assert(layers_exit_ms(&L, 1, 2.0) == 0.5);
    layers_free(&L);
}
END_TEST

/* Each kind of bad profile: HI_EINPUT, one line starting with the path,
 * naming the place and what was expected. */
static void
expect_bad(const char *name, const char *text, const char *want)
{
    struct hi_error err = {0};
    struct hi_layers L;
    const char *path = util_tmp(name);
    char where[4200];
    util_write(path, text);
    ck_assert_msg(layers_load(&L, path, &err) == HI_EINPUT, "%s loaded", name);
    ck_assert_int_eq(err.status, HI_EINPUT);
    ck_assert_ptr_null(L.name);
    snprintf(where, sizeof where, "%s", path);
    ck_assert_msg(strncmp(err.msg, where, strlen(where)) == 0, "%s: no file in '%s'", name, err.msg);
    ck_assert_msg(strstr(err.msg, want) != NULL, "%s: '%s' lacks '%s'", name, err.msg, want);
    ck_assert_msg(strchr(err.msg, '\n') == NULL, "%s: more than one line", name);
}

#define IN "# input: x (64 bytes)\n"
#define HDR "index,name,type,flops,params,output_bytes,cpu_ms\n"

START_TEST(test_bad_input)
{
    expect_bad("empty.csv", "", ":1: empty profile: expected a header row");
    expect_bad("hdr.csv", IN HDR, ":2: empty profile: the header is followed by no layers");
    expect_bad("nocol.csv", IN "name,type,params,output_bytes\na,b,1,1\n", ":2: missing required column 'flops'");
    expect_bad("dup.csv", IN "name,type,flops,params,output_bytes,flops\na,b,1,1,1,1\n",
               ":2: column 'flops' appears twice");
    expect_bad("noinput.csv", "# model: m\n" HDR "0,a,b,1,1,1,1\n", ":2: missing metadata '# input: ... (N bytes)'");
    expect_bad("badinput.csv", "# input: 3136 bytes\n" HDR "0,a,b,1,1,1,1\n",
               ":1: input: expected the tensor size as '(N bytes)', found '3136 bytes'");
    expect_bad("badraw.csv", "# input: (8 bytes); raw image many bytes\n" HDR "0,a,b,1,1,1,1\n",
               ":1: input: expected 'raw image N bytes'");
    expect_bad("badbytes.csv", "# input_bytes: -1\n" HDR "0,a,b,1,1,1,1\n",
               ":1: input_bytes: expected a number of bytes >= 0, found '-1'");
    expect_bad("num.csv", IN HDR "0,a,Conv2d,1,1,1,0.1\n1,b,Conv2d,x2,1,1,0.1\n",
               ":4:12: column 'flops': expected a number >= 0, found 'x2'");
    expect_bad("neg.csv", IN HDR "0,a,Conv2d,1,1,1,-0.1\n", ":3:18: column 'cpu_ms': expected a number >= 0, found '-0.1'");
    expect_bad("nan.csv", IN HDR "0,a,Conv2d,1,nan,1,0.1\n", ":3:14: column 'params': expected a number >= 0");
    expect_bad("index.csv", IN HDR "0,a,b,1,1,1,1\n2,c,d,1,1,1,1\n",
               ":4:1: column 'index': expected 1 (rows in execution order, counted from 0), found '2'");
    expect_bad("name.csv", IN HDR "0, ,b,1,1,1,1\n", ":3:3: column 'name': expected a layer name");
    expect_bad("few.csv", IN HDR "0,a,b,1,1,1\n", ":3:12: expected 7 cells as in the header, found 6");
    expect_bad("more.csv", IN HDR "0,a,b,1,1,1,1,9\n", ":3:14: expected 7 cells as in the header, found more");
    expect_bad("ee0.csv", IN HDR "0,ee0.fc,b,1,1,1,1\n", ":3:3: layer 'ee0.fc': exits are numbered from 1");
    expect_bad("eeorder.csv", IN HDR "0,ee2.fc,b,1,1,1,1\n1,ee1.fc,b,1,1,1,1\n",
               ":3:3: layer 'ee2.fc': exit 2 comes before exit 1");
    expect_bad("eesplit.csv", IN HDR "0,ee1.a,b,1,1,1,1\n1,c,b,1,1,1,1\n2,ee1.b,b,1,1,1,1\n",
               ":5:3: layer 'ee1.b': the rows of exit 1 must be contiguous (its block started at line 3)");
    expect_bad("eeback.csv", IN HDR "0,ee1.a,b,1,1,1,1\n1,ee2.a,b,1,1,1,1\n2,ee1.b,b,1,1,1,1\n",
               "the rows of exit 1 must be contiguous");
}
END_TEST

/* A missing file is bad input, with the path and the reason. */
START_TEST(test_missing_file)
{
    struct hi_error err = {0};
    struct hi_layers L;
    ck_assert_int_eq(layers_load(&L, "/nonexistent/p.csv", &err), HI_EINPUT);
    ck_assert_str_eq(err.msg, "/nonexistent/p.csv: cannot open profile: No such file or directory");
}
END_TEST

Suite *
suite_layers(void)
{
    Suite *s = suite_create("layers");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_small_hand_count);
    tcase_add_test(tc, test_shipped_profiles);
    tcase_add_test(tc, test_columns_any_order);
    tcase_add_test(tc, test_no_times);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_missing_file);
    suite_add_tcase(s, tc);
    return s;
}
