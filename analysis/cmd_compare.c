/*
 * cmd_compare.c — `hisim compare RUN_A RUN_B`: every metric of two stored
 * runs side by side with the relative change 1 − a/b, the way the papers
 * state results ("63.15% lower latency" is 1 − makespan_HI/makespan_full).
 *
 *   hisim compare RUN_A RUN_B [--db PATH] [--json]
 */
#include "analysis/cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/store.h"
#include "sim/json.h"

/* 1 − a/b, or NaN when it means nothing (b = 0, a value missing). */
static double
change(double a, double b)
{
    if (isnan(a) || isnan(b) || b == 0.0)
        return NAN;
    return 1.0 - a / b;
}

int
cmd_compare(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL;
    struct store *st;
    struct store_loaded a, b;
    struct hi_error err = {0};
    long long ida, idb;
    int json = 0, c, status = 0;
    size_t i;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'j': json = 1; break;
        case 'h': cli_help("compare", stdout); return 0;
        case ':': return cli_usage("compare", "%s needs a value", argv[optind - 1]);
        default: return cli_usage("compare", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return cli_usage("compare", "expected two run ids, RUN_A RUN_B");
    if (cli_parse_id(argv[optind], &ida) || cli_parse_id(argv[optind + 1], &idb))
        return cli_usage("compare", "'%s' is not a run id (a positive integer)",
                         cli_parse_id(argv[optind], &ida) ? argv[optind] : argv[optind + 1]);
    db = cli_db_path(db);
    if (access(db, F_OK) != 0) {
        error_set(&err, HI_EINPUT, "%s: no such database (hisim run stores runs there; --db chooses another)", db);
        return cli_fail(&err);
    }
    if (!(st = store_open(db, 0, &err)))
        return cli_fail(&err);
    if (store_load_run(st, ida, &a, &err)) {
        store_close(st);
        return cli_fail(&err);
    }
    if (store_load_run(st, idb, &b, &err)) {
        store_loaded_free(&a);
        store_close(st);
        return cli_fail(&err);
    }
    if (json) {
        struct json j;
        char *s;
        json_init(&j);
        json_object_begin(&j);
        json_key(&j, "a");
        json_object_begin(&j);
        json_key(&j, "run_id");
        json_integer(&j, a.id);
        json_key(&j, "policy");
        json_string(&j, a.policy);
        json_object_end(&j);
        json_key(&j, "b");
        json_object_begin(&j);
        json_key(&j, "run_id");
        json_integer(&j, b.id);
        json_key(&j, "policy");
        json_string(&j, b.policy);
        json_object_end(&j);
        json_key(&j, "metrics");
        json_array_begin(&j);
        for (i = 0; i < a.n_metrics; i++) {
            double vb = store_metric(&b, a.metrics[i].name);
            json_object_begin(&j);
            json_key(&j, "name");
            json_string(&j, a.metrics[i].name);
            json_key(&j, "a");
            json_number(&j, a.metrics[i].value);
            json_key(&j, "b");
            json_number(&j, vb);
            json_key(&j, "change");
            json_number(&j, change(a.metrics[i].value, vb));
            json_object_end(&j);
        }
        json_array_end(&j);
        json_object_end(&j);
        s = json_take(&j);
        if (!s || printf("%s\n", s) < 0)
            status = EXIT_INTERNAL;
        free(s);
    } else {
        printf("A: run %lld, %s\nB: run %lld, %s\n\n", (long long)a.id, a.policy, (long long)b.id, b.policy);
        printf("%-20s %18s %18s %12s\n", "metric", "A", "B", "1 - A/B");
        for (i = 0; i < a.n_metrics; i++) {
            double va = a.metrics[i].value, vb = store_metric(&b, a.metrics[i].name), ch = change(va, vb);
            char pa[32], pb[32], pc[32];
            if (isnan(va))
                snprintf(pa, sizeof pa, "-");
            else
                snprintf(pa, sizeof pa, "%.10g", va);
            if (isnan(vb))
                snprintf(pb, sizeof pb, "-");
            else
                snprintf(pb, sizeof pb, "%.10g", vb);
            if (isnan(ch))
                snprintf(pc, sizeof pc, "-");
            else
                snprintf(pc, sizeof pc, "%.4f%%", ch * 100.0);
            printf("%-20s %18s %18s %12s\n", a.metrics[i].name, pa, pb, pc);
        }
        if (fflush(stdout) != 0 || ferror(stdout))
            status = EXIT_INTERNAL;
    }
    store_loaded_free(&a);
    store_loaded_free(&b);
    store_close(st);
    return status;
}
