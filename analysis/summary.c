/* summary.c — run summaries. */
#include "analysis/summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/cli.h"
#include "analysis/effective.h"
#include "sim/json.h"

size_t
summary_metrics(const struct engine_result *r, struct store_metric *m)
{
    size_t k = 0;
#define PUT(n, v) (m[k].name = (n), m[k].value = (double)(v), k++)
    PUT("samples", r->n);
    PUT("accuracy", r->accuracy);
    PUT("offloaded", r->offloaded);
    PUT("offload_fraction", r->offload_fraction);
    PUT("total_cost", r->total_cost);
    PUT("mean_cost", r->mean_cost);
    PUT("expected_cost", r->expected_cost);
    PUT("best_fixed_cost", r->best_cost);
    PUT("best_fixed_theta", r->best_theta);
    PUT("regret", r->regret);
    PUT("makespan_s", r->makespan_s);
    PUT("batch", r->batch);
    PUT("system_time_ms", r->system_time_s * 1e3);
    PUT("mean_response_ms", r->mean_response_s * 1e3);
    PUT("p95_response_ms", r->p95_response_s * 1e3);
    PUT("p95_exact", r->p95_exact);
    PUT("energy_mj", r->energy_mj);
    PUT("lambda_min", r->lambda_min);
    PUT("relevant_recall", r->relevant_recall);
    PUT("dm_tp", r->dm_tp);
    PUT("dm_fp", r->dm_fp);
    PUT("dm_fn", r->dm_fn);
    PUT("dm_tn", r->dm_tn);
    PUT("dm_precision", r->dm_precision);
    PUT("dm_recall", r->dm_recall);
    PUT("dm_f1", r->dm_f1);
    PUT("dm_f1_offload", r->dm_f1_offload);
    if (r->priced) {   /* 003: a policy that deploys exits and splits */
        PUT("cloud_cost", r->cloud_cost);
        PUT("cloud_cost_per_1000", r->cloud_cost_per_1000);
        PUT("cloud_cost_rel", r->cloud_cost_rel);
        PUT("cloud_invocations", r->cloud_invocations);
    }
    PUT("transmissions", r->transmissions);
    PUT("events", r->events);
    PUT("throughput", r->throughput);
    PUT("util_device", r->util_device);
    PUT("util_uplink", r->util_uplink);
    PUT("util_server", r->util_server);
    PUT("load_device", r->load_device);
    PUT("load_uplink", r->load_uplink);
    PUT("load_server", r->load_server);
    PUT("saturated", r->saturated);
    PUT("losses", r->losses);
    PUT("retransmissions", r->retransmissions);
    PUT("failed", r->failed);
    PUT("devices", r->n_devices);
    PUT("jain", r->jain);
    PUT("oracle", r->oracle);
    PUT("interrupted", r->interrupted);
#undef PUT
    return k;
}

/* The per-device figures, as series over the device index. */
static const char *const device_series[] = {
    "device_samples", "device_accuracy", "device_mean_cost", "device_offload_fraction",
    "device_mean_response_ms", "device_p95_response_ms", "device_energy_mj", "device_util", "device_failed"
};
#define N_DEVICE_SERIES (sizeof device_series / sizeof device_series[0])

static double
device_value(const struct engine_device *d, size_t k)
{
    switch (k) {
    case 0: return (double)d->n;
    case 1: return d->accuracy;
    case 2: return d->mean_cost;
    case 3: return d->offload_fraction;
    case 4: return d->mean_response_s * 1e3;
    case 5: return d->p95_response_s * 1e3;
    case 6: return d->energy_mj;
    case 7: return d->util;
    default: return (double)d->failed;
    }
}

size_t
summary_series(const struct engine_result *r, struct store_series *s, double **scratch)
{
    const struct engine_curves *c = &r->curves;
    size_t n = 4, i, k, N = r->n_devices;
    s[0] = (struct store_series){"regret", c->t, c->regret, c->n};
    s[1] = (struct store_series){"expected_cost", c->t, c->expected, c->n};
    s[2] = (struct store_series){"cost", c->t, c->cost, c->n};
    s[3] = (struct store_series){"best_fixed_cost", c->t, c->best, c->n};
    *scratch = NULL;
    if (N > 1 && r->devices && (*scratch = malloc((N_DEVICE_SERIES + 1) * N * sizeof **scratch))) {
        double *x = *scratch;
        for (i = 0; i < N; i++)
            x[i] = (double)i;
        for (k = 0; k < N_DEVICE_SERIES; k++) {
            double *y = x + (k + 1) * N;
            for (i = 0; i < N; i++)
                y[i] = device_value(&r->devices[i], k);
            s[n++] = (struct store_series){device_series[k], x, y, N};
        }
    }
    return n;
}

int
summary_load_devices(struct store *st, int64_t id, struct engine_device **out, size_t *n_out,
                     struct hi_error *err)
{
    struct engine_device *d = NULL;
    size_t k, i, N = 0;
    *out = NULL;
    *n_out = 0;
    for (k = 0; k < N_DEVICE_SERIES; k++) {
        double *x = NULL, *y = NULL;
        size_t n = 0;
        if (store_load_series(st, id, device_series[k], &x, &y, &n, err)) {
            free(d);
            return err->status;
        }
        if (k == 0) {
            N = n;
            d = N ? calloc(N, sizeof *d) : NULL;
            if (N && !d) {
                free(x);
                free(y);
                return error_set(err, HI_EINTERNAL, "out of memory");
            }
        }
        for (i = 0; i < n && i < N; i++) {
            double v = y[i];
            switch (k) {
            case 0: d[i].n = (size_t)v; break;
            case 1: d[i].accuracy = v; break;
            case 2: d[i].mean_cost = v; break;
            case 3: d[i].offload_fraction = v; break;
            case 4: d[i].mean_response_s = v * 1e-3; break;
            case 5: d[i].p95_response_s = v * 1e-3; break;
            case 6: d[i].energy_mj = v; break;
            case 7: d[i].util = v; break;
            default: d[i].failed = (size_t)v; break;
            }
        }
        free(x);
        free(y);
    }
    *out = d;
    *n_out = N;
    return HI_OK;
}

static int
config_says(const struct store_loaded *run, const char *needle)
{
    return run->config && strstr(run->config, needle) != NULL;
}

/* A learner that reads the full-feedback costs. */
static int
policy_learns(const struct store_loaded *run)
{
    return run->policy && (strncmp(run->policy, "hil-f", 5) == 0 || strncmp(run->policy, "batch-hi", 8) == 0);
}

/* A cluster run (hisim cluster) has its own figures: all of them, by name. */
static void
print_cluster(FILE *f, const struct store_loaded *run)
{
    size_t i;
    fprintf(f, "run %lld: %s\n", (long long)run->id, run->name);
    fprintf(f, "  policy            %s\n", run->policy);
    for (i = 0; i < run->n_metrics; i++)
        fprintf(f, "  %-40s %.6g\n", run->metrics[i].name, run->metrics[i].value);
}

void
summary_lambda_source(double lambda_min, double decimals, char *buf, size_t len)
{
    if (decimals >= 0 && decimals <= 17 && fabs(lambda_min * pow(10.0, decimals) - 1.0) < 1e-6)
        snprintf(buf, len, "the rounding step of the confidences, printed with %.0f decimals", decimals);
    else
        snprintf(buf, len, "the smallest gap between distinct confidences");
}

void
summary_print_text(FILE *f, const struct store_loaded *run)
{
#define M(n) store_metric(run, n)
    char name[400], policy[400];
    if (!isnan(M("inferences_per_100s"))) {
        print_cluster(f, run);
        return;
    }
    cli_escape(run->name, name, sizeof name);
    cli_escape(run->policy, policy, sizeof policy);
    fprintf(f, "run %lld: %s\n", (long long)run->id, name);
    fprintf(f, "  policy            %s\n", policy);
    fprintf(f, "  samples           %.0f\n", M("samples"));
    fprintf(f, "  accuracy          %.4f\n", M("accuracy"));
    fprintf(f, "  offloaded         %.4f (%.0f %s, %.0f %s)\n", M("offload_fraction"), M("offloaded"),
            cli_plural(M("offloaded"), "sample", "samples"), M("transmissions"),
            cli_plural(M("transmissions"), "transmission", "transmissions"));
    if (!isnan(M("relevant_recall")))
        fprintf(f, "  relevant kept     %.4f of the relevant samples were offloaded\n", M("relevant_recall"));
    if (M("dm_tp") + M("dm_fp") > 0 && M("dm_fn") + M("dm_tn") > 0)
        fprintf(f, "  decision module   F1 %.4f (precision %.4f, recall %.4f; TP %.0f FP %.0f FN %.0f TN %.0f: "
                "positive = local answer used); F1 with offload as positive %.4f\n", M("dm_f1"), M("dm_precision"),
                M("dm_recall"), M("dm_tp"), M("dm_fp"), M("dm_fn"), M("dm_tn"), M("dm_f1_offload"));
    fprintf(f, "  total cost        %.4f (mean %.6f per sample)\n", M("total_cost"), M("mean_cost"));
    /* the best fixed threshold is HI's (the S-ML's confidence, the L-ML's
     * answers): no baseline for a split network's exits */
    if (isnan(M("cloud_cost_per_1000")))
        fprintf(f, "  expected cost     %.4f; best fixed threshold %.4f at theta %.6g; regret %.4f\n",
                M("expected_cost"), M("best_fixed_cost"), M("best_fixed_theta"), M("regret"));
    fprintf(f, "  makespan          %.6f s (system time %.4f ms per sample, batch %.0f)\n", M("makespan_s"),
            M("system_time_ms"), M("batch"));
    fprintf(f, "  response time     mean %.4f ms, p95 %.4f ms\n", M("mean_response_ms"), M("p95_response_ms"));
    fprintf(f, "  device energy     %.4f mJ\n", M("energy_mj"));
    if (!isnan(M("lambda_min"))) {
        char src[160];
        summary_lambda_source(M("lambda_min"), M("conf_decimals"), src, sizeof src);
        fprintf(f, "  lambda_min        %.9g (%s)\n", M("lambda_min"), src);
    }
    if (!isnan(M("cloud_cost_per_1000")))
        fprintf(f, "  cloud cost        $%.6g per 1000 inferences, %.4f of cloud-only (%.0f invocations)\n",
                M("cloud_cost_per_1000"), M("cloud_cost_rel"), M("cloud_invocations"));
    if (!isnan(M("throughput")))
        fprintf(f, "  throughput        %.4f samples/s\n", M("throughput"));
    if (!isnan(M("util_device")))
        fprintf(f, "  utilisation       device %.4f, uplink %.4f, server %.4f%s\n", M("util_device"),
                M("util_uplink"), M("util_server"), M("saturated") > 0 ? " (saturated)" : "");
    if (M("losses") > 0 || M("failed") > 0)
        fprintf(f, "  losses            %.0f lost attempts, %.0f retransmissions, %.0f samples failed\n",
                M("losses"), M("retransmissions"), M("failed"));
    if (M("devices") > 1)
        fprintf(f, "  devices           %.0f; Jain's fairness of mean response times %.4f\n", M("devices"),
                M("jain"));
    if (M("oracle") > 0)
        fprintf(f, "  oracle            the policy uses the labels (planner or theta = optimal)\n");
    if (config_says(run, "\"feedback\":\"full\"") && policy_learns(run))
        fprintf(f, "  assumption        feedback: full (accepted samples' correctness is known, as in HIL-F)\n");
    if (M("interrupted") > 0)
        fprintf(f, "  interrupted       figures of the samples finished before the stop\n");
#undef M
}

void
summary_print_json(FILE *f, const struct store_loaded *run, const struct engine_device *dev, size_t n_dev)
{
    struct effective_inputs in;
    struct json j;
    char *s;
    size_t i;
    json_init(&j);
    json_object_begin(&j);
    json_key(&j, "run_id");
    json_integer(&j, run->id);
    json_key(&j, "name");
    json_string(&j, run->name);
    json_key(&j, "policy");
    json_string(&j, run->policy);
    json_key(&j, "seed");
    json_integer(&j, (long long)run->seed);
    json_key(&j, "version");
    json_string(&j, run->version);
    json_key(&j, "started");
    json_string(&j, run->started);
    json_key(&j, "finished");
    json_string(&j, run->finished);
    json_key(&j, "metrics");
    json_object_begin(&j);
    for (i = 0; i < run->n_metrics; i++) {
        json_key(&j, run->metrics[i].name);
        json_number(&j, run->metrics[i].value);
    }
    json_object_end(&j);
    json_key(&j, "status");
    json_string(&j, run->status ? run->status : "");
    if (dev && n_dev > 1) {
        json_key(&j, "devices");
        json_array_begin(&j);
        for (i = 0; i < n_dev; i++) {
            size_t k;
            json_object_begin(&j);
            for (k = 0; k < N_DEVICE_SERIES; k++) {
                json_key(&j, device_series[k] + 7);
                json_number(&j, device_value(&dev[i], k));
            }
            json_object_end(&j);
        }
        json_array_end(&j);
    }
    json_key(&j, "config");
    json_raw(&j, run->config && *run->config ? run->config : "{}");
    /* what reproduces the run (hisim rerun) */
    json_key(&j, "trace_path");
    json_string(&j, run->trace_path ? run->trace_path : "");
    json_key(&j, "trace_sha256");
    json_string(&j, run->trace_sha256 ? run->trace_sha256 : "");
    json_key(&j, "scenario");
    json_string(&j, run->scenario ? run->scenario : "");
    json_key(&j, "scenario_text");
    json_string(&j, run->scenario_text ? run->scenario_text : "");
    json_key(&j, "effective");
    json_string(&j, run->effective ? run->effective : "");
    json_key(&j, "rng");
    json_string(&j, run->rng ? run->rng : "");
    /* the other input files and their checksums (analysis/effective.h) */
    json_key(&j, "inputs");
    json_array_begin(&j);
    if (run->effective && effective_inputs_read(run->effective, &in, NULL) == HI_OK) {
        for (i = 0; i < in.n; i++) {
            json_object_begin(&j);
            json_key(&j, "key");
            json_string(&j, in.v[i].key);
            json_key(&j, "path");
            json_string(&j, in.v[i].path);
            json_key(&j, "sha256");
            json_string(&j, in.v[i].sha256);
            json_object_end(&j);
        }
        effective_inputs_free(&in);
    }
    json_array_end(&j);
    json_object_end(&j);
    s = json_take(&j);
    if (s) {
        fprintf(f, "%s\n", s);
        free(s);
    }
}
