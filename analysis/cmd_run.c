/*
 * cmd_run.c — `hisim run SCENARIO.yaml [-s key=value]... [--db PATH]
 *              [--samples-log FILE.csv] [--json]`
 *
 * Order of work, so that bad input writes nothing: scenario, overrides,
 * trace, database check, then the simulation; the samples log goes to a
 * temporary file that is renamed only after the run is stored.
 */
#include "analysis/cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/batchsize.h"
#include "analysis/store.h"
#include "analysis/summary.h"
#include "sim/config.h"
#include "sim/engine.h"
#include "sim/json.h"
#include "sim/profile.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "traces/trace.h"

struct samples_log {
    FILE *f;
    int progress;        /* standard error is a terminal */
};

/* "\r 37% 3700000/10000000 samples" on a terminal, cleared at the end */
static void
show_progress(void *ctx, size_t done, size_t total)
{
    struct samples_log *L = ctx;
    if (!L->progress || total < 200000)
        return;
    if (done >= total)
        fprintf(stderr, "\r%60s\r", "");
    else
        fprintf(stderr, "\r%3.0f%% %zu/%zu samples", 100.0 * (double)done / (double)total, done, total);
    fflush(stderr);
}

/* The samples log's name of an action. */
static const char *
action_name(const struct hi_action *a, char *buf, size_t len)
{
    switch (a->kind) {
    case HI_ACT_ACCEPT: return "accept";
    case HI_ACT_OFFLOAD: return "offload";
    case HI_ACT_OFFLOAD_RAW: return "offload-raw";
    case HI_ACT_EXIT: snprintf(buf, len, "exit%u", a->k); return buf;
    case HI_ACT_SPLIT: snprintf(buf, len, "split%u", a->k); return buf;
    default: return "continue";
    }
}

static int
log_record(void *ctx, const struct engine_record *r)
{
    struct samples_log *L = ctx;
    char p[40], q[40], cost[40], resp[40], act[24];
    /* shortest round-trip decimals: exact, and byte-identical across runs */
    json_format_number(p, sizeof p, r->p);
    json_format_number(q, sizeof q, r->q_off);
    json_format_number(cost, sizeof cost, r->cost);
    json_format_number(resp, sizeof resp, r->response_s * 1e3);
    return fprintf(L->f, "%zu,%ld,%s,%s,%d,%d,%d,%s,%s,%zu,%s,%d\n", r->idx, r->id, p, q,
                   r->offload, r->y_sml, r->y_lml, cost, resp, r->device, action_name(&r->action, act, sizeof act),
                   r->failed) < 0;
}

int
cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"set", required_argument, NULL, 's'},
        {"db", required_argument, NULL, 'd'},
        {"samples-log", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct hi_config cfg;
    struct hi_error err = {0};
    struct engine_result res;
    struct engine_hooks hooks;
    struct store_metric metrics[SUMMARY_MAX_METRICS];
    struct store_series series[SUMMARY_MAX_SERIES];
    struct store_run run;
    struct store_loaded shown;
    struct samples_log log = {NULL, 0};
    struct hi_trace *trace = NULL;
    struct store *st = NULL;
    const char *db = NULL, *log_path = NULL, *scenario;
    char **sets = NULL;
    char *config_json = NULL, *log_tmp = NULL;
    double *series_buf = NULL;
    char started[32], finished[32], policy_line[256];
    int json = 0, c, n_sets = 0, status = EXIT_INTERNAL;
    double m_star;

    memset(&hooks, 0, sizeof hooks);
    memset(&res, 0, sizeof res);
    sets = calloc((size_t)argc + 1, sizeof *sets);
    if (!sets)
        return EXIT_INTERNAL;
    optind = 0;   /* glibc: 0 re-initialises getopt, with permutation */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:", opts, NULL)) != -1) {
        switch (c) {
        case 's': sets[n_sets++] = optarg; break;
        case 'd': db = optarg; break;
        case 'l': log_path = optarg; break;
        case 'j': json = 1; break;
        case 'h': cli_help("run", stdout); free(sets); return 0;
        case ':': free(sets); return cli_usage("run", "%s needs a value", argv[optind - 1]);
        default: free(sets); return cli_usage("run", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc) {
        free(sets);
        return cli_usage("run", optind >= argc ? "expected a scenario file" : "expected one scenario file, found more");
    }
    scenario = argv[optind];
    db = cli_db_path(db);

    /* 1. configuration: defaults, scenario, then -s in order */
    config_defaults(&cfg);
    if (scenario_load(scenario, &cfg, &err))
        goto fail;
    for (c = 0; c < n_sets; c++)
        if (config_set_arg(&cfg, sets[c], &err))
            goto fail;
    if (profile_apply(&cfg, &err))   /* catalog figures for the keys not set above */
        goto fail;
    if (!cfg.trace.file[0]) {
        error_set(&err, HI_EINPUT, "%s: trace.file is not set (the trace to replay)", scenario);
        goto fail;
    }

    /* 2. the trace */
    trace = trace_load(cfg.trace.file, &err);
    if (!trace)
        goto fail;
    if (trace->unknown)
        fprintf(stderr, "hisim: warning: %s: ignoring unknown columns: %s\n", cfg.trace.file, trace->unknown);

    /* policy.batch: auto becomes M* of Batch HI for this scenario */
    if (batchsize_resolve(&cfg, trace, &m_star, &err))
        goto fail;
    if (!isnan(m_star) && !json)
        printf("policy.batch auto: M* = %.0f (Batch HI eq. 9)\n", m_star);

    /* 3. an existing database must be a hisim database before we run */
    if (access(db, F_OK) == 0) {
        st = store_open(db, 0, &err);
        if (!st)
            goto fail;
        store_close(st);
        st = NULL;
    }

    /* 4. the samples log, to a temporary file beside the target */
    if (log_path) {
        size_t n = strlen(log_path) + 16;
        log_tmp = malloc(n);
        if (!log_tmp) {
            error_set(&err, HI_EINTERNAL, "out of memory");
            goto fail;
        }
        snprintf(log_tmp, n, "%s.tmp%ld", log_path, (long)getpid());
        log.f = fopen(log_tmp, "w");
        if (!log.f) {
            error_set(&err, HI_EINPUT, "%s: cannot write the samples log", log_path);
            goto fail;
        }
        fputs("idx,id,p,q_off,offload,y_sml,y_lml,cost,response_ms,device,action,failed\n", log.f);
    }

    /* 5. simulate */
    cli_now(started, sizeof started);
    hooks.on_record = log.f ? log_record : NULL;
    hooks.ctx = &log;
    hooks.on_progress = show_progress;
    log.progress = isatty(STDERR_FILENO);
    if (engine_run(&cfg, trace, &hooks, &res, &err))
        goto fail;
    cli_now(finished, sizeof finished);
    if (res.saturated)
        fprintf(stderr, "hisim: warning: the %s is saturated (offered load %.3g > 1): its queue and the response "
                "times grow with the run length; lower the load (arrivals.process: blocking or a longer "
                "arrivals.period_ms, a faster network or server, fewer offloads)\n",
                res.saturated_what, res.saturated_load);
    if (log.f) {
        int bad = ferror(log.f) != 0;
        bad |= fclose(log.f) != 0;
        log.f = NULL;
        if (bad) {
            error_set(&err, HI_EINTERNAL, "%s: write error", log_path);
            goto fail;
        }
    }

    /* 6. store, in one transaction */
    config_json = config_to_json(&cfg);
    if (!config_json) {
        error_set(&err, HI_EINTERNAL, "out of memory");
        goto fail;
    }
    memset(&run, 0, sizeof run);
    run.name = cfg.name;
    run.scenario = scenario;
    run.config = config_json;
    run.seed = cfg.seed;
    run.rng = RNG_TYPE_NAME;
    run.version = cli_version;
    snprintf(policy_line, sizeof policy_line, "%s%s%s", res.policy, res.policy_desc[0] ? " " : "", res.policy_desc);
    run.policy = policy_line;
    run.started = started;
    run.finished = finished;
    run.status = "done";
    run.metrics = metrics;
    run.n_metrics = summary_metrics(&res, metrics);
    run.series = series;
    run.n_series = summary_series(&res, series, &series_buf);
    st = store_open(db, 1, &err);
    if (!st || store_save_run(st, &run, &err))
        goto fail;
    if (log_tmp && rename(log_tmp, log_path) != 0) {
        error_set(&err, HI_EINTERNAL, "%s: cannot move the samples log into place", log_path);
        goto fail;
    }

    /* 7. report, through the same printer as `hisim show` */
    memset(&shown, 0, sizeof shown);
    shown.id = run.id;
    shown.name = cfg.name;
    shown.policy = (char *)run.policy;
    shown.config = config_json;
    shown.seed = cfg.seed;
    shown.version = (char *)cli_version;
    shown.started = started;
    shown.finished = finished;
    shown.metrics = metrics;
    shown.n_metrics = run.n_metrics;
    if (json) {
        summary_print_json(stdout, &shown, res.devices, res.n_devices);
    } else {
        summary_print_text(stdout, &shown);
        printf("stored as run %lld in %s\n", (long long)run.id, db);
    }
    status = 0;
    goto out;

fail:
    status = cli_fail(&err);
out:
    if (log.f)
        fclose(log.f);
    if (log_tmp && status != 0)
        remove(log_tmp);
    free(log_tmp);
    free(config_json);
    store_close(st);
    engine_result_free(&res);
    free(series_buf);
    trace_free(trace);
    free(sets);
    return status;
}
