/*
 * cmd_run.c — `hisim run SCENARIO.yaml [-s key=value]... [--db PATH]
 *              [--samples-log FILE.csv] [--json]`
 *
 * Order of work, so that bad input writes nothing and a finished run is
 * never lost: scenario, overrides, trace, the database (opened, checked
 * and write-locked once, before any simulation), the samples log (a
 * temporary beside a regular target), the checksums of the other input
 * files, then the simulation, the store
 * (retried while locked; written as JSON beside the database when it
 * still fails), and the samples log moved into place.  SIGINT and SIGTERM
 * stop the simulation; what was measured is stored as `interrupted`.
 */
#include "analysis/cli.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/batchsize.h"
#include "analysis/effective.h"
#include "analysis/outfile.h"
#include "analysis/store.h"
#include "analysis/summary.h"
#include "sim/config.h"
#include "sim/engine.h"
#include "sim/json.h"
#include "sim/profile.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "traces/cost.h"
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
    /* a write error is sticky (ferror) and reported when the log is
     * closed, after the run is stored: a full disk loses the log, not
     * the run */
    fprintf(L->f, "%zu,%ld,%s,%s,%d,%d,%d,%s,%s,%zu,%s,%d\n", r->idx, r->id, p, q,
            r->offload, r->y_sml, r->y_lml, cost, resp, r->device, action_name(&r->action, act, sizeof act),
            r->failed);
    return 0;
}

/* ---- SIGINT and SIGTERM during the simulation ---- */

volatile sig_atomic_t cli_interrupted;

/* The first signal asks the engine to stop; a second one ends hisim at
 * once (its temporaries removed). */
static void
on_interrupt(int sig)
{
    if (cli_interrupted) {
        outfile_cleanup_signal_safe();
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    cli_interrupted = sig;
}

void
cli_catch_interrupts(struct cli_signals *old)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, NULL, &old->intr);
    sigaction(SIGTERM, NULL, &old->term);
    cli_interrupted = 0;
    if (old->intr.sa_handler != SIG_IGN)
        sigaction(SIGINT, &sa, NULL);
    if (old->term.sa_handler != SIG_IGN)
        sigaction(SIGTERM, &sa, NULL);
}

void
cli_restore_signals(const struct cli_signals *old)
{
    sigaction(SIGINT, &old->intr, NULL);
    sigaction(SIGTERM, &old->term, NULL);
}

int
cli_db_check(const char *verb, const char *db)
{
    if (!*db)
        return cli_usage(verb, "--db '': an empty path is a temporary database that SQLite deletes at exit, "
                         "so nothing would be kept; name a file");
    if (strcmp(db, ":memory:") == 0)
        return cli_usage(verb, "--db ':memory:' keeps nothing after hisim exits; name a file");
    return 0;
}

int
cli_simulate(struct hi_config *cfg, struct hi_trace *trace, const struct cli_run *rq)
{
    struct hi_error err = {0};
    struct engine_result *res = calloc(1, sizeof *res);
    struct engine_hooks hooks;
    struct store_metric metrics[SUMMARY_MAX_METRICS];
    struct store_series series[SUMMARY_MAX_SERIES];
    struct store_run run;
    struct store_loaded shown;
    struct samples_log log = {NULL, 0};
    struct outfile logf = {NULL, NULL, NULL, NULL};
    struct cli_signals sigs;
    struct effective_inputs inputs = {NULL, 0};
    struct store *st = NULL;
    char *config_json = NULL, *effective = NULL, *trace_abs = NULL;
    double *series_buf = NULL;
    char started[32], finished[32], policy_line[256];
    int status = EXIT_INTERNAL, rc, sig = 0;

    if (!res) {
        error_set(&err, HI_EINTERNAL, "out of memory");
        goto fail;
    }
    /* 1. the database: open, check, take the write lock once */
    st = store_open(rq->db, STORE_CREATE, &err);
    if (!st)
        goto fail;

    /* 2. what is stored besides the figures */
    trace_abs = realpath(cfg->trace.file, NULL);
    if (effective_absolute_paths(cfg, &err) || effective_inputs_of(cfg, &inputs, &err))
        goto fail;
    config_json = config_to_json(cfg);
    effective = effective_yaml(cfg, &inputs);
    if (!config_json || !effective || !trace_abs) {
        error_set(&err, HI_EINTERNAL, "%s", trace_abs ? "out of memory" : "cannot resolve the trace's path");
        goto fail;
    }

    /* 3. the samples log */
    if (rq->log_path) {
        if (outfile_open(&logf, rq->log_path, &err))
            goto fail;
        log.f = logf.f;
        fputs("idx,id,p,q_off,offload,y_sml,y_lml,cost,response_ms,device,action,failed\n", log.f);
    }

    /* 4. simulate */
    memset(&hooks, 0, sizeof hooks);
    hooks.on_record = log.f ? log_record : NULL;
    hooks.ctx = &log;
    hooks.on_progress = show_progress;
    hooks.interrupt = &cli_interrupted;
    log.progress = isatty(STDERR_FILENO);
    cli_now(started, sizeof started);
    cli_catch_interrupts(&sigs);
    rc = engine_run(cfg, trace, &hooks, res, &err);
    cli_restore_signals(&sigs);
    sig = cli_interrupted;
    cli_now(finished, sizeof finished);
    if (rc && rc != HI_EINTR)
        goto fail;
    if (res->saturated)
        fprintf(stderr, "hisim: warning: the %s is saturated (offered load %.3g > 1): its queue and the response "
                "times grow with the run length; lower the load (arrivals.process: blocking or a longer "
                "arrivals.period_ms, a faster network or server, fewer offloads)\n",
                res->saturated_what, res->saturated_load);

    /* 5. store, in one transaction; never lose a finished run */
    memset(&run, 0, sizeof run);
    run.name = cfg->name;
    run.scenario = rq->scenario;
    run.config = config_json;
    run.seed = cfg->seed;
    run.rng = RNG_TYPE_NAME;
    run.version = cli_version;
    snprintf(policy_line, sizeof policy_line, "%s%s%s", res->policy, res->policy_desc[0] ? " " : "", res->policy_desc);
    run.policy = policy_line;
    run.started = started;
    run.finished = finished;
    run.status = rc == HI_EINTR ? "interrupted" : "done";
    run.trace_path = trace_abs;
    run.trace_sha256 = trace->sha256;
    run.scenario_text = rq->scenario_text;
    run.effective = effective;
    run.metrics = metrics;
    run.n_metrics = summary_metrics(res, metrics);
    assert(run.n_metrics < SUMMARY_MAX_METRICS);
    metrics[run.n_metrics].name = "conf_decimals";
    metrics[run.n_metrics++].value = cost_conf_decimals(trace);
    run.series = series;
    run.n_series = summary_series(res, series, &series_buf);
    if (store_save_run(st, &run, &err)) {
        char dump[4200];
        struct hi_error e2 = {0};
        if (store_spill_run(rq->db, &run, dump, sizeof dump, &e2) == HI_OK)
            fprintf(stderr, "hisim: %s\nhisim: the run was not lost: it is saved as %s\n", err.msg, dump);
        else
            fprintf(stderr, "hisim: %s\nhisim: and it could not be saved as JSON either: %s\n", err.msg, e2.msg);
        status = EXIT_INTERNAL;
        goto out;
    }

    /* 6. the samples log into place */
    if (log.f) {
        log.f = NULL;
        if (outfile_commit(&logf, &err)) {
            fprintf(stderr, "hisim: %s\nhisim: the run itself is stored as run %lld in %s\n", err.msg,
                    (long long)run.id, rq->db);
            status = EXIT_INTERNAL;
            goto out;
        }
    }

    /* 7. report, through the same printer as `hisim show` */
    memset(&shown, 0, sizeof shown);
    shown.id = run.id;
    shown.name = cfg->name;
    shown.policy = (char *)run.policy;
    shown.config = config_json;
    shown.seed = cfg->seed;
    shown.rng = (char *)RNG_TYPE_NAME;
    shown.version = (char *)cli_version;
    shown.started = started;
    shown.finished = finished;
    shown.status = (char *)run.status;
    shown.trace_path = trace_abs;
    shown.trace_sha256 = trace->sha256;
    shown.scenario = (char *)rq->scenario;
    shown.scenario_text = (char *)rq->scenario_text;
    shown.effective = effective;
    shown.metrics = metrics;
    shown.n_metrics = run.n_metrics;
    if (rq->json) {
        summary_print_json(stdout, &shown, res->devices, res->n_devices);
    } else {
        summary_print_text(stdout, &shown);
        printf("stored as run %lld in %s\n", (long long)run.id, rq->db);
    }
    if (rc == HI_EINTR) {
        fflush(stdout);
        fprintf(stderr, "hisim: %s (%s): stored as run %lld with status 'interrupted'\n", err.msg,
                sig == SIGTERM ? "SIGTERM" : "SIGINT", (long long)run.id);
        status = 128 + (sig ? sig : SIGINT);
    } else {
        status = 0;
    }
    goto out;

fail:
    status = cli_fail(&err);
out:
    outfile_abort(&logf);   /* a no-op once committed */
    free(config_json);
    free(effective);
    effective_inputs_free(&inputs);
    free(trace_abs);
    store_close(st);
    if (res)
        engine_result_free(res);
    free(res);
    free(series_buf);
    return status;
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
    struct cli_run rq = {NULL, NULL, "", NULL, 0};
    struct hi_trace *trace = NULL;
    const char *db = NULL;
    char **sets = NULL, *text = NULL;
    int c, n_sets = 0, status = EXIT_INTERNAL;
    double m_star;

    sets = calloc((size_t)argc + 1, sizeof *sets);
    if (!sets)
        return EXIT_INTERNAL;
    optind = 0;   /* glibc: 0 re-initialises getopt, with permutation */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:h", opts, NULL)) != -1) {
        switch (c) {
        case 's': sets[n_sets++] = optarg; break;
        case 'd': db = optarg; break;
        case 'l': rq.log_path = optarg; break;
        case 'j': rq.json = 1; break;
        case 'h': cli_help("run", stdout); free(sets); return 0;
        case ':': free(sets); return cli_usage("run", "%s needs a value", argv[optind - 1]);
        default: free(sets); return cli_usage("run", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc) {
        free(sets);
        return cli_usage("run", optind >= argc ? "expected a scenario file" : "expected one scenario file, found more");
    }
    rq.scenario = argv[optind];
    rq.db = cli_db_path(db);
    if ((status = cli_db_check("run", rq.db))) {
        free(sets);
        return status;
    }

    /* 1. configuration: defaults, scenario, then -s in order */
    config_defaults(&cfg);
    if (scenario_load(rq.scenario, &cfg, &err))
        goto fail;
    if (!(text = cli_read_file(rq.scenario, NULL, &err)))
        goto fail;
    rq.scenario_text = text;
    for (c = 0; c < n_sets; c++)
        if (config_set_arg(&cfg, sets[c], &err))
            goto fail;
    if (profile_apply(&cfg, &err))   /* catalog figures for the keys not set above */
        goto fail;
    if (!cfg.trace.file[0]) {
        error_set(&err, HI_EINPUT, "%s: trace.file is not set (the trace to replay)", rq.scenario);
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
    if (!isnan(m_star) && !rq.json) {
        size_t n = cfg.trace.samples ? cfg.trace.samples : trace->n;
        if (m_star > (double)n)
            printf("policy.batch auto: M* = %.0f (Batch HI eq. 9), capped at the run's %zu samples\n", m_star, n);
        else
            printf("policy.batch auto: M* = %.0f (Batch HI eq. 9)\n", m_star);
    }

    status = cli_simulate(&cfg, trace, &rq);
    goto out;
fail:
    status = cli_fail(&err);
out:
    free(text);
    trace_free(trace);
    free(sets);
    return status;
}
