/* summary.c — run summaries. */
#include "analysis/summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    PUT("energy_mj", r->energy_mj);
    PUT("lambda_min", r->lambda_min);
    PUT("relevant_recall", r->relevant_recall);
    PUT("transmissions", r->transmissions);
    PUT("events", r->events);
#undef PUT
    return k;
}

size_t
summary_series(const struct engine_result *r, struct store_series *s)
{
    const struct engine_curves *c = &r->curves;
    s[0] = (struct store_series){"regret", c->t, c->regret, c->n};
    s[1] = (struct store_series){"expected_cost", c->t, c->expected, c->n};
    s[2] = (struct store_series){"cost", c->t, c->cost, c->n};
    s[3] = (struct store_series){"best_fixed_cost", c->t, c->best, c->n};
    return 4;
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
summary_print_text(FILE *f, const struct store_loaded *run)
{
#define M(n) store_metric(run, n)
    if (!isnan(M("inferences_per_100s"))) {
        print_cluster(f, run);
        return;
    }
    fprintf(f, "run %lld: %s\n", (long long)run->id, run->name);
    fprintf(f, "  policy            %s\n", run->policy);
    fprintf(f, "  samples           %.0f\n", M("samples"));
    fprintf(f, "  accuracy          %.4f\n", M("accuracy"));
    fprintf(f, "  offloaded         %.4f (%.0f samples, %.0f transmissions)\n",
            M("offload_fraction"), M("offloaded"), M("transmissions"));
    if (!isnan(M("relevant_recall")))
        fprintf(f, "  relevant kept     %.4f of the relevant samples were offloaded\n", M("relevant_recall"));
    fprintf(f, "  total cost        %.4f (mean %.6f per sample)\n", M("total_cost"), M("mean_cost"));
    fprintf(f, "  expected cost     %.4f; best fixed threshold %.4f at theta %.6g; regret %.4f\n",
            M("expected_cost"), M("best_fixed_cost"), M("best_fixed_theta"), M("regret"));
    fprintf(f, "  makespan          %.6f s (system time %.4f ms per sample, batch %.0f)\n", M("makespan_s"),
            M("system_time_ms"), M("batch"));
    fprintf(f, "  response time     mean %.4f ms, p95 %.4f ms\n", M("mean_response_ms"), M("p95_response_ms"));
    fprintf(f, "  device energy     %.4f mJ\n", M("energy_mj"));
#undef M
}

void
summary_print_json(FILE *f, const struct store_loaded *run)
{
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
    json_key(&j, "config");
    json_raw(&j, run->config && *run->config ? run->config : "{}");
    json_object_end(&j);
    s = json_take(&j);
    if (s) {
        fprintf(f, "%s\n", s);
        free(s);
    }
}
