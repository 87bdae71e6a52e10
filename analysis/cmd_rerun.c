/*
 * cmd_rerun.c — `hisim rerun RUN_ID [--db PATH] [--json]`: a stored run
 * again, from what the store holds.
 *
 * The run's effective configuration (analysis/effective.h: every key,
 * file keys absolute) is read back with the scenario loader, so nothing
 * of the current directory, the scenario file or the device catalog
 * enters: the catalog's figures are in it already and profile_apply is
 * not called.  The trace must still hash to the stored SHA-256, and every
 * other input file recorded with the run (profiles, delay and rate files:
 * analysis/effective.h) to its own.  The new run is stored beside the old
 * one and printed as `hisim run` prints.
 */
#include "analysis/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/effective.h"
#include "analysis/store.h"
#include "sim/config.h"
#include "sim/scenario.h"
#include "traces/sha256.h"
#include "traces/trace.h"

int
cmd_rerun(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cli_run rq = {NULL, NULL, "", NULL, 0};
    struct hi_error err = {0};
    struct hi_config cfg;
    struct store_loaded r;
    struct hi_trace *trace = NULL;
    struct effective_inputs in = {NULL, 0};
    struct store *st;
    const char *db = NULL;
    char name[64], hex[SHA256_HEX];
    long long id;
    int c, status;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'j': rq.json = 1; break;
        case 'h': cli_help("rerun", stdout); return 0;
        case ':': return cli_usage("rerun", "%s needs a value", argv[optind - 1]);
        default: return cli_usage("rerun", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc)
        return cli_usage("rerun", "expected one run id");
    if (cli_parse_id(argv[optind], &id))
        return cli_usage("rerun", "'%s' is not a run id (a positive integer)", argv[optind]);
    rq.db = cli_db_path(db);
    if ((status = cli_db_check("rerun", rq.db)))
        return status;

    st = store_open(rq.db, STORE_READONLY, &err);
    if (!st)
        return cli_fail(&err);
    if (store_load_run(st, id, &r, &err)) {
        store_close(st);
        return cli_fail(&err);
    }
    store_close(st);
    if (!r.effective[0] || !r.trace_sha256[0]) {
        error_set(&err, HI_EINPUT, "%s: run %lld has no stored effective configuration and trace checksum "
                  "(runs of hisim sweep and hisim cluster keep none, nor did hisim before schema 2); it cannot "
                  "be rerun exactly", rq.db, id);
        goto fail;
    }

    /* the configuration, as the run had it */
    snprintf(name, sizeof name, "run %lld", id);
    config_defaults(&cfg);
    if (effective_read(name, r.effective, &cfg, &err))
        goto fail;
    if (!r.trace_path[0] || strcmp(r.trace_path, cfg.trace.file) != 0) {
        error_set(&err, HI_EINPUT, "%s: run %lld: its stored trace path '%s' disagrees with its configuration's '%s'",
                  rq.db, id, r.trace_path, cfg.trace.file);
        goto fail;
    }

    /* the trace, unchanged */
    trace = trace_load(r.trace_path, &err);
    if (!trace)
        goto fail;
    if (strcmp(trace->sha256, r.trace_sha256) != 0) {
        memcpy(hex, trace->sha256, sizeof hex);
        error_set(&err, HI_EINPUT, "%s: the trace changed since run %lld (SHA-256 was %.12s..., is now %.12s...); "
                  "refusing to rerun on other data", r.trace_path, id, r.trace_sha256, hex);
        goto fail;
    }

    /* the other input files, unchanged */
    if (effective_inputs_read(r.effective, &in, &err))
        goto fail;
    if (in.n == 0) {
        if (effective_inputs_of(&cfg, &in, &err))
            goto fail;
        if (in.n)
            fprintf(stderr, "hisim: warning: run %lld was stored without the checksums of its input files "
                    "(an older hisim): only the trace is checked, not %s%s\n", id, in.v[0].path,
                    in.n > 1 ? " and the others" : "");
    } else if (effective_inputs_check(&in, name, &err)) {
        goto fail;
    }

    rq.scenario = r.scenario;
    rq.scenario_text = r.scenario_text;
    status = cli_simulate(&cfg, trace, &rq);
    goto out;
fail:
    status = cli_fail(&err);
out:
    effective_inputs_free(&in);
    trace_free(trace);
    store_loaded_free(&r);
    return status;
}
