/*
 * cmd_qos.c — `hisim qos`: 001 Table 5 from the device catalog.
 *
 *   hisim qos [--candidates] [--json] [--accuracy-cifar10 A] [--accuracy-imagenet A]
 *             [--latency-factor F] [--energy-factor F]
 */
#include "analysis/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/qos.h"
#include "sim/json.h"

static const char *const column_names[QOS_COLUMNS] = {"accuracy", "latency", "energy"};

static void
json_cell(struct json *j, const struct qos_cell *c, int candidates)
{
    size_t k, i;
    json_object_begin(j);
    json_key(j, "dataset");
    json_string(j, c->dataset);
    json_key(j, "device");
    json_string(j, c->device);
    json_key(j, "accuracy_min");
    json_number(j, c->accuracy_min);
    json_key(j, "latency_max_ms");
    json_number(j, c->latency_max);
    json_key(j, "energy_max_mj");
    json_number(j, c->energy_max);
    for (k = 0; k < QOS_COLUMNS; k++) {
        const struct qos_candidate *s = &c->cand[c->choice[k].index];
        json_key(j, column_names[k]);
        json_object_begin(j);
        json_key(j, "strategy");
        json_string(j, s->label);
        json_key(j, "model");
        json_string(j, s->model);
        json_key(j, "feasible");
        json_bool(j, c->choice[k].feasible);
        json_object_end(j);
    }
    if (candidates) {
        json_key(j, "candidates");
        json_array_begin(j);
        for (i = 0; i < c->n_cand; i++) {
            json_object_begin(j);
            json_key(j, "strategy");
            json_string(j, c->cand[i].label);
            json_key(j, "accuracy");
            json_number(j, c->cand[i].accuracy);
            json_key(j, "latency_ms");
            json_number(j, c->cand[i].latency_ms);
            json_key(j, "energy_mj");
            json_number(j, c->cand[i].energy_mj);
            json_key(j, "source");
            json_string(j, c->cand[i].source ? c->cand[i].source : "");
            json_object_end(j);
        }
        json_array_end(j);
    }
    json_object_end(j);
}

int
cmd_qos(int argc, char **argv)
{
    static const struct option opts[] = {
        {"candidates", no_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {"accuracy-cifar10", required_argument, NULL, 256},
        {"accuracy-imagenet", required_argument, NULL, 257},
        {"latency-factor", required_argument, NULL, 258},
        {"energy-factor", required_argument, NULL, 259},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct qos_requirements req = {NAN, NAN, NAN, NAN};
    struct qos_cell cells[QOS_ROWS];
    struct hi_error err = {0};
    int json = 0, candidates = 0, c, status = 0, fallback = 0;
    size_t i, k, built = 0;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        double *slot = NULL, v;
        char *end;
        switch (c) {
        case 'c': candidates = 1; continue;
        case 'j': json = 1; continue;
        case 'h': cli_help("qos", stdout); return 0;
        case 256: slot = &req.accuracy_cifar10; break;
        case 257: slot = &req.accuracy_imagenet; break;
        case 258: slot = &req.latency_factor; break;
        case 259: slot = &req.energy_factor; break;
        case ':': return cli_usage("qos", "%s needs a value", argv[optind - 1]);
        default: return cli_usage("qos", "unknown option '%s'", argv[optind - 1]);
        }
        errno = 0;
        v = strtod(optarg, &end);
        if (!*optarg || *end || errno || !isfinite(v) || v < 0.0 || (c < 258 && v > 1.0))
            return cli_usage("qos", "--%s: expected %s, found '%s'", opts[c - 256 + 2].name,
                             c < 258 ? "an accuracy in [0, 1]" : "a factor >= 0", optarg);
        *slot = v;
    }
    if (optind != argc)
        return cli_usage("qos", "unexpected argument '%s'", argv[optind]);

    for (i = 0; i < QOS_ROWS; i++, built++) {
        const char *ds, *dev;
        qos_row(i, &ds, &dev);
        if (qos_cell(&cells[i], ds, dev, &req, &err)) {
            qos_cell_free(&cells[i]);
            status = cli_fail(&err);
            goto done;
        }
    }
    if (json) {
        struct json j;
        char *s;
        json_init(&j);
        json_object_begin(&j);
        json_key(&j, "table");
        json_string(&j, "001 Table 5");
        json_key(&j, "rows");
        json_array_begin(&j);
        for (i = 0; i < QOS_ROWS; i++)
            json_cell(&j, &cells[i], candidates);
        json_array_end(&j);
        json_object_end(&j);
        s = json_take(&j);
        if (!s || printf("%s\n", s) < 0) {
            free(s);
            status = EXIT_INTERNAL;
            goto done;
        }
        free(s);
    } else {
        printf("%-12s %-13s %-24s %-26s %s\n", "Dataset", "Device", "Accuracy >= SOTA - 10%", "Latency <= 0.5 x offload",
               "Energy <= 0.5 x offload");
        for (i = 0; i < QOS_ROWS; i++) {
            char col[QOS_COLUMNS][72];
            for (k = 0; k < QOS_COLUMNS; k++) {
                snprintf(col[k], sizeof col[k], "%s%s", cells[i].cand[cells[i].choice[k].index].label,
                         cells[i].choice[k].feasible ? "" : " *");
                fallback |= !cells[i].choice[k].feasible;
            }
            printf("%-12s %-13s %-24s %-26s %s\n", i % 3 == 0 ? cells[i].dataset_label : "", cells[i].device_label,
                   col[0], col[1], col[2]);
        }
        if (fallback)
            printf("* nothing meets the requirement: the fastest (latency) or the least energy (energy) is shown\n");
        if (candidates)
            for (i = 0; i < QOS_ROWS; i++) {
                printf("\n%s on %s: accuracy >= %.4g, latency <= %.6g ms, energy <= %.6g mJ\n",
                       cells[i].dataset_label, cells[i].device_label, cells[i].accuracy_min, cells[i].latency_max,
                       cells[i].energy_max);
                for (k = 0; k < cells[i].n_cand; k++)
                    printf("  %-24s accuracy %.4f  latency %9.4f ms  energy %9.4f mJ  (%s)\n", cells[i].cand[k].label,
                           cells[i].cand[k].accuracy, cells[i].cand[k].latency_ms, cells[i].cand[k].energy_mj,
                           cells[i].cand[k].source ? cells[i].cand[k].source : "");
            }
        if (fflush(stdout) != 0 || ferror(stdout))
            status = EXIT_INTERNAL;
    }
done:
    for (i = 0; i < built; i++)
        qos_cell_free(&cells[i]);
    return status;
}
