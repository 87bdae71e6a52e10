/* cmd_trace.c — `hisim trace info TRACE.csv [--beta B] [--lml-error C] [--json]`. */
#include "analysis/cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/config.h"
#include "sim/json.h"
#include "traces/cost.h"
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
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct hi_cost cost = {0.5, 0.0};
    struct hi_error err = {0};
    struct hi_trace *t;
    struct cost_optimum o;
    int c, json = 0;
    double acc_s, acc_l, lmin, none, all;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'b': if (flag_number("cost.beta", "--beta", optarg, &cost.beta)) return EXIT_INPUT; break;
        case 'c': if (flag_number("cost.lml_error", "--lml-error", optarg, &cost.lml_error)) return EXIT_INPUT; break;
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
    if (cost_best_threshold(&cost, t, NULL, t->n, &o)) {
        trace_free(t);
        error_set(&err, HI_EINTERNAL, "out of memory");
        return cli_fail(&err);
    }
    acc_s = trace_sml_accuracy(t);
    acc_l = trace_lml_accuracy(t);
    lmin = cost_lambda_min(t);
    none = cost_of_threshold(&cost, t, 0.0);
    all = cost_of_threshold(&cost, t, cost_theta_all());

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
        json_key(&j, "beta"); json_number(&j, cost.beta);
        json_key(&j, "lml_error"); json_number(&j, cost.lml_error);
        json_key(&j, "theta_star"); json_number(&j, o.theta);
        json_key(&j, "cost_star"); json_number(&j, o.cost);
        json_key(&j, "offloaded_star"); json_integer(&j, (long long)o.offloaded);
        json_key(&j, "cost_no_offload"); json_number(&j, none);
        json_key(&j, "cost_full_offload"); json_number(&j, all);
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
        printf("lambda_min        %.9g\n", lmin);
        printf("cost              beta %g, lml_error %g\n", cost.beta, cost.lml_error);
        printf("theta*            %.9g (offloads %zu of %zu, %.2f%%)\n", o.theta, o.offloaded, t->n,
               100.0 * (double)o.offloaded / (double)t->n);
        printf("cost at theta*    %.6g (mean %.6g)\n", o.cost, o.cost / (double)t->n);
        printf("cost, no offload  %.6g\n", none);
        printf("cost, offload all %.6g\n", all);
    }
    trace_free(t);
    return 0;
}

int
cmd_trace(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("trace", "expected a sub-command: info");
    if (strcmp(argv[1], "info") == 0)
        return trace_info(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cli_help("trace", stdout);
        return 0;
    }
    return cli_usage("trace", "unknown sub-command '%s' (expected: info)", argv[1]);
}
