/*
 * cmd_trace.c — `hisim trace info TRACE.csv [--beta B] [--lml-error C]
 * [--bins N] [--json]` and `hisim trace synth (--preset NAME | --params
 * K=V,...) [-n N] [--seed S] -o FILE.csv`.
 */
#include "analysis/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/outfile.h"
#include "analysis/plot.h"
#include "analysis/summary.h"
#include "sim/config.h"
#include "sim/json.h"
#include "traces/cost.h"
#include "traces/synth.h"
#include "traces/trace.h"

/* Parses a flag value through the schema row of `key`, so flags and
 * scenario keys accept the same values. */
static int
flag_number(const char *key, const char *flag, const char *text, double *out)
{
    struct hi_config cfg;
    struct hi_error err = {0};
    char arg[256];
    config_defaults(&cfg);
    snprintf(arg, sizeof arg, "%s=%s", key, text);
    if (config_set_arg(&cfg, arg, &err)) {
        const char *msg = strchr(err.msg, ':');
        cli_usage("trace info", "%s%s", flag, msg ? msg : err.msg);
        return -1;
    }
    *out = *(const double *)((const char *)&cfg + config_find(key)->offset);
    return 0;
}

static int
trace_info(int argc, char **argv)
{
    static const struct option opts[] = {
        {"beta", required_argument, NULL, 'b'},
        {"lml-error", required_argument, NULL, 'c'},
        {"bins", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct hi_cost cost = {0.5, 0.0, COST_CLASSIFY};
    struct hi_error err = {0};
    struct hi_trace *t;
    struct cost_optimum o;
    struct plot_bin *bins;
    size_t nbins = 10, b;
    int c, json = 0;
    double acc_s, acc_l, lmin, none, all, ece;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'b': if (flag_number("cost.beta", "--beta", optarg, &cost.beta)) return EXIT_INPUT; break;
        case 'c': if (flag_number("cost.lml_error", "--lml-error", optarg, &cost.lml_error)) return EXIT_INPUT; break;
        case 'n': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 1 || v > PLOT_MAX_BINS)
                return cli_usage("trace info", "--bins: expected an integer in [1, %d], found '%s'",
                                 PLOT_MAX_BINS, optarg);
            nbins = (size_t)v;
            break;
        }
        case 'j': json = 1; break;
        case 'h': cli_help("trace", stdout); return 0;
        case ':': return cli_usage("trace info", "%s needs a value", argv[optind - 1]);
        default: return cli_usage("trace info", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc)
        return cli_usage("trace info", "expected one trace file");
    t = trace_load(argv[optind], &err);
    if (!t)
        return cli_fail(&err);
    if (t->unknown)
        fprintf(stderr, "hisim: warning: %s: ignoring unknown columns: %s\n", t->path, t->unknown);
    bins = malloc(nbins * sizeof *bins);
    if (!bins || cost_best_threshold(&cost, t, NULL, t->n, &o)) {
        free(bins);
        trace_free(t);
        error_set(&err, HI_EINTERNAL, "out of memory");
        return cli_fail(&err);
    }
    acc_s = trace_sml_accuracy(t);
    acc_l = trace_lml_accuracy(t);
    lmin = cost_lambda_min(t);
    none = cost_of_threshold(&cost, t, 0.0);
    all = cost_of_threshold(&cost, t, cost_theta_all());
    plot_reliability(t, nbins, bins, &ece);

    if (json) {
        struct json j;
        char *s;
        size_t i;
        json_init(&j);
        json_object_begin(&j);
        json_key(&j, "trace"); json_string(&j, t->path);
        json_key(&j, "n"); json_integer(&j, (long long)t->n);
        json_key(&j, "sml_accuracy"); json_number(&j, acc_s);
        json_key(&j, "lml_accuracy"); json_number(&j, acc_l);
        json_key(&j, "lambda_min"); json_number(&j, lmin);
        json_key(&j, "conf_decimals"); json_integer(&j, cost_conf_decimals(t));
        json_key(&j, "beta"); json_number(&j, cost.beta);
        json_key(&j, "lml_error"); json_number(&j, cost.lml_error);
        json_key(&j, "theta_star"); json_number(&j, o.theta);
        json_key(&j, "cost_star"); json_number(&j, o.cost);
        json_key(&j, "offloaded_star"); json_integer(&j, (long long)o.offloaded);
        json_key(&j, "cost_no_offload"); json_number(&j, none);
        json_key(&j, "cost_full_offload"); json_number(&j, all);
        json_key(&j, "ece"); json_number(&j, ece);
        json_key(&j, "reliability");
        json_array_begin(&j);
        for (b = 0; b < nbins; b++) {
            json_object_begin(&j);
            json_key(&j, "lo"); json_number(&j, bins[b].lo);
            json_key(&j, "hi"); json_number(&j, bins[b].hi);
            json_key(&j, "count"); json_integer(&j, (long long)bins[b].count);
            json_key(&j, "conf"); json_number(&j, bins[b].conf);   /* null when empty */
            json_key(&j, "accuracy"); json_number(&j, bins[b].acc);
            json_object_end(&j);
        }
        json_array_end(&j);
        json_key(&j, "meta");
        json_object_begin(&j);
        for (i = 0; i < t->n_meta; i++) {
            json_key(&j, t->meta[i].key);
            json_string(&j, t->meta[i].value);
        }
        json_object_end(&j);
        json_object_end(&j);
        s = json_take(&j);
        if (s)
            printf("%s\n", s);
        free(s);
    } else {
        printf("trace             %s\n", t->path);
        printf("samples           %zu\n", t->n);
        printf("S-ML accuracy     %.4f\n", acc_s);
        printf("L-ML accuracy     %.4f\n", acc_l);
        {
            char src[160];
            summary_lambda_source(lmin, cost_conf_decimals(t), src, sizeof src);
            printf("lambda_min        %.9g (%s)\n", lmin, src);
        }
        printf("cost              beta %g, lml_error %g\n", cost.beta, cost.lml_error);
        printf("theta*            %.9g (offloads %zu of %zu, %.2f%%)\n", o.theta, o.offloaded, t->n,
               100.0 * (double)o.offloaded / (double)t->n);
        printf("cost at theta*    %.6g (mean %.6g)\n", o.cost, o.cost / (double)t->n);
        printf("cost, no offload  %.6g\n", none);
        printf("cost, offload all %.6g\n", all);
        printf("ECE               %.6f (%zu bins)\n", ece, nbins);
        {
            /* the range column as wide as its widest cell */
            char (*range)[48] = malloc(nbins * sizeof *range);
            int w = (int)strlen("confidence");
            if (!range) {
                free(bins);
                trace_free(t);
                error_set(&err, HI_EINTERNAL, "out of memory");
                return cli_fail(&err);
            }
            for (b = 0; b < nbins; b++) {
                int l = snprintf(range[b], sizeof range[b], "[%.4g, %.4g%c", bins[b].lo, bins[b].hi,
                                 b + 1 == nbins ? ']' : ')');
                if (l > w)
                    w = l;
            }
            printf("reliability       %-*s %8s %10s %10s\n", w, "confidence", "count", "mean conf", "accuracy");
            for (b = 0; b < nbins; b++) {
                if (bins[b].count)
                    printf("                  %-*s %8zu %10.4f %10.4f\n", w, range[b], bins[b].count, bins[b].conf,
                           bins[b].acc);
                else
                    printf("                  %-*s %8zu %10s %10s\n", w, range[b], bins[b].count, "-", "-");
            }
            free(range);
        }
    }
    free(bins);
    trace_free(t);
    return 0;
}

/* Writes t to path whole or not at all (analysis/outfile.h). */
static int
write_whole(const struct hi_trace *t, const char *path, struct hi_error *err)
{
    struct outfile o;
    int rc = outfile_open(&o, path, err);
    if (rc)
        return rc;
    trace_write_stream(t, o.f);
    return outfile_commit(&o, err);
}

static int
trace_synth(int argc, char **argv)
{
    static const struct option opts[] = {
        {"preset", required_argument, NULL, 'p'},
        {"params", required_argument, NULL, 'P'},
        {"seed", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *preset = NULL, *out = NULL, *n_text = NULL, *seed_text = NULL;
    const char **lists = calloc((size_t)argc + 1, sizeof *lists);
    struct synth_params p;
    struct hi_error err = {0};
    struct hi_trace *t;
    size_t n_lists = 0, i;
    int c, rc = EXIT_INPUT;

    if (!lists) {
        error_set(&err, HI_EINTERNAL, "out of memory");
        return cli_fail(&err);
    }
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":n:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (preset) {
                cli_usage("trace synth", "--preset given twice");
                goto done;
            }
            preset = optarg;
            break;
        case 'P': lists[n_lists++] = optarg; break;
        case 'n': n_text = optarg; break;
        case 's': seed_text = optarg; break;
        case 'o': out = optarg; break;
        case 'h': cli_help("trace", stdout); rc = 0; goto done;
        case ':': cli_usage("trace synth", "%s needs a value", argv[optind - 1]); goto done;
        default: cli_usage("trace synth", "unknown option '%s'", argv[optind - 1]); goto done;
        }
    }
    if (optind != argc) {
        cli_usage("trace synth", "unexpected argument '%s'", argv[optind]);
        goto done;
    }
    if (!preset && !n_lists) {
        cli_usage("trace synth", "expected --preset NAME or --params K=V,...");
        goto done;
    }
    if (!out) {
        cli_usage("trace synth", "missing -o FILE.csv");
        goto done;
    }
    if (preset) {
        const struct synth_preset *ps = synth_preset_find(preset);
        if (!ps) {
            const char *names[16], *near;
            char known[256] = "";
            size_t k;
            for (k = 0; synth_presets[k].name && k < 16; k++) {
                names[k] = synth_presets[k].name;
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", k ? ", " : "",
                         names[k]);
            }
            near = error_closest(preset, names, k);
            if (near)
                cli_usage("trace synth", "unknown preset '%s' (did you mean '%s'?)", preset, near);
            else
                cli_usage("trace synth", "unknown preset '%s' (presets: %s)", preset, known);
            goto done;
        }
        p = ps->params;
    } else {
        synth_defaults(&p);
    }
    for (i = 0; i < n_lists; i++)
        if (synth_parse(&p, lists[i], &err)) {
            cli_usage("trace synth", "--params: %s", err.msg);
            goto done;
        }
    /* synth_set's messages start "n: " and "seed: "; the flag replaces it */
    if (n_text && synth_set(&p, "n", n_text, &err)) {
        cli_usage("trace synth", "-n: %s", err.msg + strlen("n: "));
        goto done;
    }
    if (seed_text && synth_set(&p, "seed", seed_text, &err)) {
        cli_usage("trace synth", "--seed: %s", err.msg + strlen("seed: "));
        goto done;
    }
    if (synth_check(&p, &err)) {
        cli_usage("trace synth", "%s", err.msg);
        goto done;
    }
    t = synth_generate(&p, preset, &err);
    if (!t || write_whole(t, out, &err)) {
        trace_free(t);
        rc = cli_fail(&err);
        goto done;
    }
    printf("wrote %s: %zu samples, S-ML accuracy %.4f, L-ML accuracy %.4f\n", out, t->n,
           trace_sml_accuracy(t), trace_lml_accuracy(t));
    trace_free(t);
    rc = 0;
done:
    free(lists);
    return rc;
}

int
cmd_trace(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("trace", "expected a sub-command: info, synth");
    if (strcmp(argv[1], "info") == 0)
        return trace_info(argc - 1, argv + 1);
    if (strcmp(argv[1], "synth") == 0)
        return trace_synth(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cli_help("trace", stdout);
        return 0;
    }
    return cli_usage("trace", "unknown sub-command '%s' (expected: info, synth)", argv[1]);
}
