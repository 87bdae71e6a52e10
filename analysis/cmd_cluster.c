/*
 * cmd_cluster.c — `hisim cluster SCENARIO.yaml [-s key.path=value]...
 *                  [--db PATH] [--json] [--plans-only]`
 *
 * Prints the plan of every strategy for one request of every DNN in the
 * scenario (the global mode, each node's part with its link transfers, and
 * every processor's block with its move, compute and move-back times), then
 * simulates the scenario with cluster.strategy and stores the run.
 *
 * Order of work, so that bad input writes nothing: scenario keys, cluster
 * lists, overrides, profiles, plans, database check, then the simulation.
 */
#include "analysis/cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/store.h"
#include "analysis/summary.h"
#include "sim/cluster.h"
#include "sim/cluster_config.h"
#include "sim/config.h"
#include "sim/json.h"
#include "sim/rng.h"
#include "sim/scenario.h"

#define N_STRATEGIES 4

/* Layer names of (a, b] as "first..last" (1-based numbers). */
static void
layer_span(const struct hi_layers *L, size_t a, size_t b, char *buf, size_t len)
{
    if (b == a + 1)
        snprintf(buf, len, "%zu (%s)", b, L->name[a]);
    else
        snprintf(buf, len, "%zu-%zu (%s..%s)", a + 1, b, L->name[a], L->name[b - 1]);
}

static void
print_plan_text(FILE *f, const struct cluster_config *cc, const struct hi_layers *L, const struct cluster_plan *P)
{
    size_t k, s;
    char span[256];
    fprintf(f, "  %-10s %s partitioning, %.3f ms", cluster_strategy_name(P->strategy), cluster_mode_name(P->mode),
            P->time * 1e3);
    if (P->strategy == CLUSTER_HIDP || P->strategy == CLUSTER_DISNET) {
        fprintf(f, " (model %.3f ms, data ", P->model_time * 1e3);
        if (isinf(P->data_time))
            fprintf(f, "one node)");
        else
            fprintf(f, "%.3f ms)", P->data_time * 1e3);
    }
    if (P->overhead > 0)
        fprintf(f, " + %.3f ms exploration", P->overhead * 1e3);
    fputc('\n', f);
    for (k = 0; k < P->n; k++) {
        const struct cluster_part *pt = &P->part[k];
        const struct cluster_node *n = &cc->node[pt->node];
        layer_span(L, pt->a, pt->b, span, sizeof span);
        fprintf(f, "    %-10s layers %s", n->name, span);
        if (P->mode == CLUSTER_DATA)
            fprintf(f, ", share %.4f", pt->share);
        fprintf(f, "; link in %.3f ms, out %.3f ms; local %s, %.3f ms\n", pt->in * 1e3, pt->out * 1e3,
                cluster_mode_name(pt->local.mode), pt->scale * pt->local.time * 1e3);
        for (s = 0; s < pt->local.n; s++) {
            const struct cluster_stage *st = &pt->local.st[s];
            layer_span(L, st->a, st->b, span, sizeof span);
            fprintf(f, "      %-8s layers %s", n->proc[st->proc].name, span);
            if (pt->local.mode == CLUSTER_DATA)
                fprintf(f, ", share %.4f", st->share);
            fprintf(f, ": move in %.3f, run %.3f, move out %.3f ms\n", pt->scale * st->in * 1e3,
                    pt->scale * st->run * 1e3, pt->scale * st->out * 1e3);
        }
    }
}

static void
plan_json(struct json *j, const struct cluster_config *cc, const struct cluster_plan *P)
{
    size_t k, s;
    json_object_begin(j);
    json_key(j, "strategy");
    json_string(j, cluster_strategy_name(P->strategy));
    json_key(j, "mode");
    json_string(j, cluster_mode_name(P->mode));
    json_key(j, "time_ms");
    json_number(j, P->time * 1e3);
    json_key(j, "model_ms");
    json_number(j, P->model_time * 1e3);   /* inf becomes null */
    json_key(j, "data_ms");
    json_number(j, P->data_time * 1e3);
    json_key(j, "overhead_ms");
    json_number(j, P->overhead * 1e3);
    json_key(j, "parts");
    json_array_begin(j);
    for (k = 0; k < P->n; k++) {
        const struct cluster_part *pt = &P->part[k];
        json_object_begin(j);
        json_key(j, "node");
        json_string(j, cc->node[pt->node].name);
        json_key(j, "first_layer");
        json_integer(j, (long long)pt->a + 1);
        json_key(j, "last_layer");
        json_integer(j, (long long)pt->b);
        json_key(j, "share");
        json_number(j, pt->share);
        json_key(j, "link_in_ms");
        json_number(j, pt->in * 1e3);
        json_key(j, "link_out_ms");
        json_number(j, pt->out * 1e3);
        json_key(j, "local_mode");
        json_string(j, cluster_mode_name(pt->local.mode));
        json_key(j, "local_ms");
        json_number(j, pt->scale * pt->local.time * 1e3);
        json_key(j, "blocks");
        json_array_begin(j);
        for (s = 0; s < pt->local.n; s++) {
            const struct cluster_stage *st = &pt->local.st[s];
            json_object_begin(j);
            json_key(j, "processor");
            json_string(j, cc->node[pt->node].proc[st->proc].name);
            json_key(j, "first_layer");
            json_integer(j, (long long)st->a + 1);
            json_key(j, "last_layer");
            json_integer(j, (long long)st->b);
            json_key(j, "share");
            json_number(j, st->share);
            json_key(j, "move_in_ms");
            json_number(j, pt->scale * st->in * 1e3);
            json_key(j, "run_ms");
            json_number(j, pt->scale * st->run * 1e3);
            json_key(j, "move_out_ms");
            json_number(j, pt->scale * st->out * 1e3);
            json_object_end(j);
        }
        json_array_end(j);
        json_object_end(j);
    }
    json_array_end(j);
    json_object_end(j);
}

int
cmd_cluster(int argc, char **argv)
{
    static const struct option opts[] = {
        {"set", required_argument, NULL, 's'},
        {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"plans-only", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct hi_config cfg;
    struct cluster_config cc;
    struct cluster_workloads w;
    struct cluster_result res;
    struct cluster_plan *plans = NULL;
    struct cluster_metric *cm = NULL;
    struct store_metric *sm = NULL;
    size_t n_metrics = 0;
    struct store_series series[2];
    struct store_run run;
    struct store_loaded shown;
    struct hi_error err = {0};
    struct store *st = NULL;
    struct json j;
    const char *db = NULL, *scenario;
    char **sets = NULL, *config_json = NULL;
    char started[32], finished[32], policy[256];
    int json = 0, plans_only = 0, c, n_sets = 0, status = EXIT_INTERNAL, have_cc = 0, have_w = 0, have_res = 0;
    size_t k, s;

    memset(&res, 0, sizeof res);
    json_init(&j);
    sets = calloc((size_t)argc + 1, sizeof *sets);
    if (!sets)
        return EXIT_INTERNAL;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:h", opts, NULL)) != -1) {
        switch (c) {
        case 's': sets[n_sets++] = optarg; break;
        case 'd': db = optarg; break;
        case 'j': json = 1; break;
        case 'p': plans_only = 1; break;
        case 'h': cli_help("cluster", stdout); free(sets); return 0;
        case ':': free(sets); return cli_usage("cluster", "%s needs a value", argv[optind - 1]);
        default: free(sets); return cli_usage("cluster", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc) {
        free(sets);
        return cli_usage("cluster", optind >= argc ? "expected a scenario file" : "expected one scenario file, found more");
    }
    scenario = argv[optind];
    db = cli_db_path(db);
    if ((status = cli_db_check("cluster", db))) {
        free(sets);
        return status;
    }
    status = EXIT_INTERNAL;

    /* 1. configuration: defaults, scenario keys, the cluster lists, then -s in order */
    config_defaults(&cfg);
    if (scenario_load(scenario, &cfg, &err) || cluster_config_load(&cc, scenario, &err))
        goto fail;
    have_cc = 1;
    for (c = 0; c < n_sets; c++) {
        int rc = cluster_config_owns(sets[c]) ? cluster_config_set_arg(&cc, sets[c], &err)
                                               : config_set_arg(&cfg, sets[c], &err);
        if (rc)
            goto fail;
    }

    /* 2. profiles and the plans of every strategy */
    if (cluster_workloads_load(&w, &cc, &err))
        goto fail;
    have_w = 1;
    for (k = 0; k < w.n; k++)
        if (w.layers[k].unknown)
            fprintf(stderr, "hisim: warning: %s: ignoring unknown columns: %s\n", w.layers[k].path, w.layers[k].unknown);
    plans = calloc(w.n * N_STRATEGIES, sizeof *plans);
    if (!plans) {
        error_set(&err, HI_EINTERNAL, "out of memory");
        goto fail;
    }
    for (k = 0; k < w.n; k++)
        for (s = 0; s < N_STRATEGIES; s++)
            if (cluster_plan_for(&cfg, &cc, &w, k, (int)s, &plans[k * N_STRATEGIES + s], &err))
                goto fail;

    /* 3. an existing database must be a hisim database before we run */
    if (!plans_only && access(db, F_OK) == 0) {
        st = store_open(db, 0, &err);
        if (!st)
            goto fail;
        store_close(st);
        st = NULL;
    }

    if (!json) {
        for (k = 0; k < w.n; k++) {
            const struct hi_layers *L = &w.layers[k];
            double f = 0;
            size_t i;
            for (i = 0; i < L->n; i++)
                f += L->flops[i];
            printf("%s: %zu layers, %.3f GFLOP, input %.0f bytes; one request:\n", w.name[k], L->n, f / 1e9,
                   L->raw_bytes);
            for (s = 0; s < N_STRATEGIES; s++)
                print_plan_text(stdout, &cc, L, &plans[k * N_STRATEGIES + s]);
        }
    }
    if (plans_only && !json)
        goto done;

    /* 4. simulate */
    if (!plans_only) {
        cli_now(started, sizeof started);
        if (cluster_run(&cfg, &cc, &w, &res, &err))
            goto fail;
        have_res = 1;
        cli_now(finished, sizeof finished);
        n_metrics = cluster_n_metrics(&res);
        cm = calloc(n_metrics, sizeof *cm);
        sm = calloc(n_metrics, sizeof *sm);
        if (!cm || !sm) {
            error_set(&err, HI_EINTERNAL, "out of memory");
            goto fail;
        }
        cluster_metrics(&res, &w, cm);
        for (k = 0; k < n_metrics; k++) {
            sm[k].name = cm[k].name;
            sm[k].value = cm[k].value;
        }
        /* 5. store, in one transaction */
        config_json = cluster_config_run_json(&cfg, &cc);
        if (!config_json) {
            error_set(&err, HI_EINTERNAL, "out of memory");
            goto fail;
        }
        cluster_describe(&cfg, &cc, policy, sizeof policy);
        series[0] = (struct store_series){"gflops", res.bin_x, res.bin_gflops, res.n_bins};
        series[1] = (struct store_series){"response_ms", res.resp_x, res.resp_ms, res.completed};
        memset(&run, 0, sizeof run);
        run.name = cfg.name;
        run.scenario = scenario;
        run.config = config_json;
        run.seed = cfg.seed;
        run.rng = RNG_TYPE_NAME;
        run.version = cli_version;
        run.policy = policy;
        run.started = started;
        run.finished = finished;
        run.status = "done";
        run.metrics = sm;
        run.n_metrics = n_metrics;
        run.series = series;
        run.n_series = 2;
        st = store_open(db, 1, &err);
        if (!st || store_save_run(st, &run, &err))
            goto fail;
    }

    /* 6. report */
    memset(&shown, 0, sizeof shown);
    if (!plans_only) {
        shown.id = run.id;
        shown.name = cfg.name;
        shown.policy = policy;
        shown.config = config_json;
        shown.seed = cfg.seed;
        shown.rng = (char *)RNG_TYPE_NAME;
        shown.version = (char *)cli_version;
        shown.started = started;
        shown.finished = finished;
        shown.metrics = sm;
        shown.n_metrics = n_metrics;
    }
    if (json) {
        char *out;
        json_object_begin(&j);
        json_key(&j, "plans");
        json_array_begin(&j);
        for (k = 0; k < w.n; k++) {
            json_object_begin(&j);
            json_key(&j, "model");
            json_string(&j, w.name[k]);
            json_key(&j, "profile");
            json_string(&j, w.layers[k].path);
            json_key(&j, "strategies");
            json_array_begin(&j);
            for (s = 0; s < N_STRATEGIES; s++)
                plan_json(&j, &cc, &plans[k * N_STRATEGIES + s]);
            json_array_end(&j);
            json_object_end(&j);
        }
        json_array_end(&j);
        if (!plans_only) {
            json_key(&j, "run");
            json_object_begin(&j);
            json_key(&j, "run_id");
            json_integer(&j, run.id);
            json_key(&j, "name");
            json_string(&j, cfg.name);
            json_key(&j, "policy");
            json_string(&j, policy);
            json_key(&j, "seed");
            json_integer(&j, (long long)cfg.seed);
            json_key(&j, "metrics");
            json_object_begin(&j);
            for (k = 0; k < n_metrics; k++) {
                json_key(&j, sm[k].name);
                json_number(&j, sm[k].value);
            }
            json_object_end(&j);
            json_key(&j, "config");
            json_raw(&j, config_json);
            json_object_end(&j);
        }
        json_object_end(&j);
        out = json_take(&j);
        if (!out) {
            error_set(&err, HI_EINTERNAL, "out of memory");
            goto fail;
        }
        printf("%s\n", out);
        free(out);
    } else {
        summary_print_text(stdout, &shown);
        printf("stored as run %lld in %s\n", (long long)run.id, db);
    }
done:
    status = 0;             /* a failed write to standard output: main's finish_stdout says so */
    goto out;
fail:
    status = cli_fail(&err);
out:
    json_discard(&j);
    free(cm);
    free(sm);
    free(config_json);
    store_close(st);
    if (have_res)
        cluster_result_free(&res);
    free(plans);
    if (have_w)
        cluster_workloads_free(&w);
    if (have_cc)
        cluster_config_free(&cc);
    free(sets);
    return status;
}
