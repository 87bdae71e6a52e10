/*
 * fuzz_trace.c — the trace loader (traces/trace.c) on arbitrary bytes,
 * and what runs on every loaded trace before a simulation: the
 * confidence column switch, λ_min, the printed precision, θ*.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "traces/cost.h"
#include "traces/trace.h"

static void fuzz_setup(void) {}

static void
fuzz_one(const unsigned char *data, size_t len)
{
    static const char *const columns[] = {"sml_conf", "sml_p2", "lml_conf", "sml_prob_0", "ee1_conf", "ee9_conf"};
    struct hi_error err = {0};
    struct hi_trace *t;
    char *buf = malloc(len + 1);
    size_t i;

    if (!buf)
        return;
    memcpy(buf, data, len);
    buf[len] = '\0';
    t = trace_parse("fuzz.csv", buf, len, &err);   /* takes buf */
    if (!t)
        return;
    for (i = 0; i < sizeof columns / sizeof columns[0]; i++) {
        struct hi_cost c = {0.5, 1.0, t->relevant ? COST_FILTER : COST_CLASSIFY};
        struct cost_optimum o;
        struct hi_trace view;
        if (trace_view_confidence(t, columns[i], &view, &err))
            continue;
        (void)cost_lambda_min(&view);
        (void)cost_conf_decimals(&view);
        if (cost_best_threshold(&c, &view, NULL, view.n, &o) == HI_OK
            && !(o.theta >= 0.0 && o.theta <= 1.0000000000000002))
            abort();
        trace_view_free(&view);
    }
    trace_free(t);
}

#include "tests/fuzz/harness.h"
