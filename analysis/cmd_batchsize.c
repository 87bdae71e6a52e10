/*
 * cmd_batchsize.c — `hisim batch-size`: the optimal batch size of Batch HI.
 *
 *   hisim batch-size --scenario FILE [-s key=value]... [flags] [--json]
 *   hisim batch-size --tau-ed MS --tau-es MS --tau-tx MS --tau-nw MS --rho R --alpha A [--json]
 *
 * Flags given with a scenario override what the scenario implies.
 */
#include "analysis/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/batchsize.h"
#include "sim/config.h"
#include "sim/json.h"
#include "sim/profile.h"
#include "sim/scenario.h"
#include "traces/trace.h"

enum { F_ED, F_ES, F_TX, F_NW, F_RHO, F_ALPHA, F_N };

static const struct {
    const char *flag;
    double hi;
} flags[F_N] = {
    {"--tau-ed", INFINITY}, {"--tau-es", INFINITY}, {"--tau-tx", INFINITY},
    {"--tau-nw", INFINITY}, {"--rho", 1.0}, {"--alpha", 1.0},
};

static void
print_number(const char *label, double v, const char *unit)
{
    if (isinf(v))
        printf("%-10s inf\n", label);
    else
        printf("%-10s %.9g%s\n", label, v, unit);
}

int
cmd_batchsize(int argc, char **argv)
{
    static const struct option opts[] = {
        {"scenario", required_argument, NULL, 'S'},
        {"set", required_argument, NULL, 's'},
        {"tau-ed", required_argument, NULL, 0 + 256},
        {"tau-es", required_argument, NULL, 1 + 256},
        {"tau-tx", required_argument, NULL, 2 + 256},
        {"tau-nw", required_argument, NULL, 3 + 256},
        {"rho", required_argument, NULL, 4 + 256},
        {"alpha", required_argument, NULL, 5 + 256},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    double val[F_N];
    int given[F_N] = {0};
    const char *scenario = NULL;
    char **sets = calloc((size_t)argc + 1, sizeof *sets);
    int n_sets = 0, json = 0, c, i, status = 0;
    struct batchsize_in in;
    struct batchsize_out out;
    struct hi_error err = {0};

    if (!sets)
        return EXIT_INTERNAL;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:", opts, NULL)) != -1) {
        if (c >= 256 && c < 256 + F_N) {
            char *end;
            double v;
            i = c - 256;
            errno = 0;
            v = strtod(optarg, &end);
            if (!*optarg || *end || errno || !isfinite(v) || v < 0 || v > flags[i].hi) {
                status = cli_usage("batch-size", "%s: expected a number %s, found '%s'", flags[i].flag,
                                   isinf(flags[i].hi) ? ">= 0 (ms)" : "in [0, 1]", optarg);
                goto out;
            }
            val[i] = v;
            given[i] = 1;
            continue;
        }
        switch (c) {
        case 'S': scenario = optarg; break;
        case 's': sets[n_sets++] = optarg; break;
        case 'j': json = 1; break;
        case 'h': cli_help("batch-size", stdout); goto out;
        case ':': status = cli_usage("batch-size", "%s needs a value", argv[optind - 1]); goto out;
        default: status = cli_usage("batch-size", "unknown option '%s'", argv[optind - 1]); goto out;
        }
    }
    if (optind != argc) {
        status = cli_usage("batch-size", "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    if (scenario) {
        struct hi_config cfg;
        struct hi_trace *t = NULL;
        config_defaults(&cfg);
        if (scenario_load(scenario, &cfg, &err)) {
            status = cli_fail(&err);
            goto out;
        }
        for (i = 0; i < n_sets; i++)
            if (config_set_arg(&cfg, sets[i], &err)) {
                status = cli_fail(&err);
                goto out;
            }
        if (profile_apply(&cfg, &err)) {   /* catalog figures for the keys not set above */
            status = cli_fail(&err);
            goto out;
        }
        if (cfg.trace.file[0] && !(t = trace_load(cfg.trace.file, &err))) {
            trace_free(t);
            status = cli_fail(&err);
            goto out;
        }
        if (batchsize_from_config(&cfg, t, &in, &err)) {
            trace_free(t);
            status = cli_fail(&err);
            goto out;
        }
        trace_free(t);
    } else {
        if (n_sets) {
            status = cli_usage("batch-size", "-s needs --scenario");
            goto out;
        }
        for (i = 0; i < F_N; i++)
            if (!given[i]) {
                status = cli_usage("batch-size", "%s is required without --scenario", flags[i].flag);
                goto out;
            }
    }
    if (given[F_ED]) in.tau_ed = val[F_ED];
    if (given[F_ES]) in.tau_es = val[F_ES];
    if (given[F_TX]) in.tau_tx = val[F_TX];
    if (given[F_NW]) in.tau_nw = val[F_NW];
    if (given[F_RHO]) in.rho = val[F_RHO];
    if (given[F_ALPHA]) in.alpha = val[F_ALPHA];
    batchsize_optimal(&in, &out);

    if (json) {
        struct json j;
        char *s;
        json_init(&j);
        json_object_begin(&j);
        json_key(&j, "tau_ed_ms"); json_number(&j, in.tau_ed);
        json_key(&j, "tau_es_ms"); json_number(&j, in.tau_es);
        json_key(&j, "tau_tx_ms"); json_number(&j, in.tau_tx);
        json_key(&j, "tau_nw_ms"); json_number(&j, in.tau_nw);
        json_key(&j, "rho"); json_number(&j, in.rho);
        json_key(&j, "alpha"); json_number(&j, in.alpha);
        json_key(&j, "m_dagger"); json_number(&j, out.m_dagger);   /* null when infinite */
        json_key(&j, "m_star"); json_number(&j, out.m_star);
        json_key(&j, "f_ms"); json_number(&j, out.f);
        json_key(&j, "t_s_ms"); json_number(&j, out.t_s);
        json_key(&j, "t_r_ms"); json_number(&j, out.t_r);
        if (out.no_offload) {
            json_key(&j, "note");
            json_string(&j, "rho = 0: nothing is offloaded; every M gives t_s = t_r = tau_ed");
        }
        json_object_end(&j);
        s = json_take(&j);
        if (s)
            printf("%s\n", s);
        free(s);
    } else {
        printf("inputs     tau_ed %.9g ms, tau_es %.9g ms, tau_tx %.9g ms, tau_nw %.9g ms, rho %.9g, alpha %.9g\n",
               in.tau_ed, in.tau_es, in.tau_tx, in.tau_nw, in.rho, in.alpha);
        if (out.no_offload)
            printf("%-10s none (rho = 0: nothing is offloaded; every M gives t_s = t_r = tau_ed)\n", "M_dagger");
        else
            print_number("M_dagger", out.m_dagger, "");
        print_number("M*", out.m_star, "");
        print_number("f(M*)", out.f, " ms");
        print_number("t_s(M*)", out.t_s, " ms");
        print_number("t_r(M*)", out.t_r, " ms");
    }
out:
    free(sets);
    return status;
}
