/*
 * cmd_split.c — `hisim split`: EdgeLessPart's split of a layer profile.
 *
 *   hisim split PROFILE.csv [--rule R] [--fraction F] [--edge-speed X]
 *               [--cloud-speed X] [--placement P] [--per-part K]
 *               [--pareto-shape A] [--json]
 *
 * Prints the split point, the backbone time and memory of each part, the
 * tensor sent, and the exits placed in each part (traces/split.h).
 */
#include "analysis/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/json.h"
#include "traces/layers.h"
#include "traces/split.h"

/* Parses a number in [lo, hi] (lo excluded when open); 0 or -1. */
static int
number(const char *s, double lo, int open, double hi, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v) || v < lo || (open && v == lo) || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int
choice(const char *s, const char *const *names)
{
    int i;
    for (i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

static void
exit_list(const struct split_net *net, const size_t *idx, size_t n, char *buf, size_t len)
{
    size_t i, used = 0;
    buf[0] = '\0';
    for (i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%see%zu", i ? " " : "", net->side_exit[idx[i]]);
    if (!n)
        snprintf(buf, len, "-");
}

static void
json_part(struct json *j, const struct split_net *net, size_t layers, double ms, double mem, size_t cand,
          const size_t *idx, size_t n)
{
    size_t i;
    json_object_begin(j);
    json_key(j, "layers"); json_integer(j, (long long)layers);
    json_key(j, "time_ms"); json_number(j, ms);
    json_key(j, "memory_bytes"); json_number(j, mem);
    json_key(j, "candidates"); json_integer(j, (long long)cand);
    json_key(j, "exits");
    json_array_begin(j);
    for (i = 0; i < n; i++)
        json_integer(j, (long long)net->side_exit[idx[i]]);
    json_array_end(j);
    json_object_end(j);
}

int
cmd_split(int argc, char **argv)
{
    static const struct option opts[] = {
        {"rule", required_argument, NULL, 'r'},
        {"fraction", required_argument, NULL, 'f'},
        {"edge-speed", required_argument, NULL, 'e'},
        {"cloud-speed", required_argument, NULL, 'c'},
        {"placement", required_argument, NULL, 'p'},
        {"per-part", required_argument, NULL, 'k'},
        {"pareto-shape", required_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct split_params sp;
    struct split_plan plan;
    struct split_net net;
    struct hi_layers L;
    struct hi_error err = {0};
    int json = 0, c, fraction_given = 0, status = 0;
    double v;
    size_t s, n;
    double edge_ms, cloud_ms, edge_mem, cloud_mem, sent;
    char edge_exits[128], cloud_exits[128];

    split_params_defaults(&sp);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hr:f:", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if ((c = choice(optarg, split_rule_names)) < 0)
                return cli_usage("split", "--rule: expected latency, memory-share or layer-share, found '%s'", optarg);
            sp.rule = (enum split_rule)c;
            break;
        case 'f':
            if (number(optarg, 0, 0, 1, &v))
                return cli_usage("split", "--fraction: expected a number in [0, 1], found '%s'", optarg);
            sp.fraction = v;
            fraction_given = 1;
            break;
        case 'e':
        case 'c':
            if (number(optarg, 0, 1, 1e12, &v))
                return cli_usage("split", "--%s-speed: expected a number > 0, found '%s'", c == 'e' ? "edge" : "cloud",
                                 optarg);
            *(c == 'e' ? &sp.edge_speed : &sp.cloud_speed) = v;
            break;
        case 'p':
            if ((c = choice(optarg, split_placement_names)) < 0)
                return cli_usage("split", "--placement: expected linear or pareto, found '%s'", optarg);
            sp.placement = (enum split_placement)c;
            break;
        case 'k':
            if (number(optarg, 0, 0, SPLIT_MAX_PER_PART, &v) || v != floor(v))
                return cli_usage("split", "--per-part: expected an integer in [0, %d], found '%s'", SPLIT_MAX_PER_PART,
                                 optarg);
            sp.per_part = (size_t)v;
            break;
        case 'a':
            if (number(optarg, 0, 1, 1e6, &v))
                return cli_usage("split", "--pareto-shape: expected a number > 0, found '%s'", optarg);
            sp.pareto_shape = v;
            break;
        case 'j': json = 1; break;
        case 'h': cli_help("split", stdout); return 0;
        case ':': return cli_usage("split", "%s needs a value", argv[optind - 1]);
        default: return cli_usage("split", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage("split", optind == argc ? "expected a layer profile (PROFILE.csv)" : "unexpected argument '%s'",
                         argv[argc - 1]);
    if (fraction_given && sp.rule == SPLIT_LATENCY)
        return cli_usage("split", "--fraction applies to the memory-share and layer-share rules, not latency");
    if (layers_load(&L, argv[optind], &err))
        return cli_fail(&err);
    if (L.unknown)
        fprintf(stderr, "hisim: warning: %s: ignoring unknown columns: %s\n", L.path, L.unknown);
    if (split_net_init(&net, &L, &err)) {
        layers_free(&L);
        return cli_fail(&err);
    }
    split_plan_make(&net, &sp, &plan);
    s = plan.s;
    n = net.n;
    edge_ms = split_net_ms(&net, 0, s, sp.edge_speed);
    cloud_ms = split_net_ms(&net, s, n, sp.cloud_speed);
    edge_mem = split_net_memory(&net, 0, s);
    cloud_mem = split_net_memory(&net, s, n);
    sent = s < n ? split_net_sent_bytes(&net, s) : 0.0;   /* edge-only sends nothing */
    exit_list(&net, plan.edge, plan.n_edge, edge_exits, sizeof edge_exits);
    exit_list(&net, plan.cloud, plan.n_cloud, cloud_exits, sizeof cloud_exits);

    if (json) {
        struct json j;
        char *text;
        json_init(&j);
        json_object_begin(&j);
        json_key(&j, "profile"); json_string(&j, L.path);
        json_key(&j, "rows"); json_integer(&j, (long long)L.n);
        json_key(&j, "backbone_layers"); json_integer(&j, (long long)n);
        json_key(&j, "side_exits"); json_integer(&j, (long long)net.n_side);
        json_key(&j, "final_exit");
        if (net.final_exit)
            json_integer(&j, (long long)net.final_exit);
        else
            json_null(&j);
        json_key(&j, "rule"); json_string(&j, split_rule_names[sp.rule]);
        json_key(&j, "fraction");
        if (sp.rule == SPLIT_LATENCY)
            json_null(&j);
        else
            json_number(&j, sp.fraction);
        json_key(&j, "edge_speed"); json_number(&j, sp.edge_speed);
        json_key(&j, "cloud_speed"); json_number(&j, sp.cloud_speed);
        json_key(&j, "placement"); json_string(&j, split_placement_names[sp.placement]);
        json_key(&j, "per_part"); json_integer(&j, (long long)sp.per_part);
        json_key(&j, "pareto_shape"); json_number(&j, sp.pareto_shape);
        json_key(&j, "split"); json_integer(&j, (long long)s);
        json_key(&j, "split_layer");
        if (s)
            json_string(&j, L.name[net.row[s - 1] - 1]);
        else
            json_null(&j);
        json_key(&j, "sent_bytes"); json_number(&j, sent);
        json_key(&j, "edge");
        json_part(&j, &net, s, edge_ms, edge_mem, plan.cand_edge, plan.edge, plan.n_edge);
        json_key(&j, "cloud");
        json_part(&j, &net, n - s, cloud_ms, cloud_mem, plan.cand_cloud, plan.cloud, plan.n_cloud);
        json_key(&j, "whole");
        json_object_begin(&j);
        json_key(&j, "layers"); json_integer(&j, (long long)n);
        json_key(&j, "edge_time_ms"); json_number(&j, split_net_ms(&net, 0, n, sp.edge_speed));
        json_key(&j, "cloud_time_ms"); json_number(&j, split_net_ms(&net, 0, n, sp.cloud_speed));
        json_key(&j, "memory_bytes"); json_number(&j, split_net_memory(&net, 0, n));
        json_object_end(&j);
        json_object_end(&j);
        text = json_take(&j);
        if (!text) {
            status = cli_fail(&(struct hi_error){HI_EINTERNAL, "out of memory"});
            goto out;
        }
        printf("%s\n", text);
        free(text);
    } else {
        printf("profile   %s\n", L.path);
        if (net.final_exit)
            printf("backbone  %zu layers of %zu rows; %zu side exits; final classifier ee%zu\n", n, L.n, net.n_side,
                   net.final_exit);
        else
            printf("backbone  %zu layers of %zu rows; %zu side exits; final classifier: the last layer\n", n, L.n,
                   net.n_side);
        if (sp.rule == SPLIT_LATENCY)
            printf("rule      latency (edge speed %g, cloud speed %g)\n", sp.edge_speed, sp.cloud_speed);
        else
            printf("rule      %s, fraction %g\n", split_rule_names[sp.rule], sp.fraction);
        if (s == 0)
            printf("split     s = 0: cloud-only\n");
        else if (s == n)
            printf("split     s = %zu: edge-only (the whole backbone on the edge)\n", s);
        else
            printf("split     s = %zu, after %s (row %zu)\n", s, L.name[net.row[s - 1] - 1], net.row[s - 1]);
        printf("sent      %.0f bytes%s\n", sent, s == 0 ? " (the raw sample)" : "");
        if (sp.placement == SPLIT_PLACE_PARETO)
            printf("exits     pareto (shape %g), up to %zu per part\n", sp.pareto_shape, sp.per_part);
        else
            printf("exits     linear, up to %zu per part\n", sp.per_part);
        printf("part    layers   time_ms  memory_bytes  candidates  exits\n");
        printf("edge    %6zu  %8.4f  %12.0f  %10zu  %s\n", s, edge_ms, edge_mem, plan.cand_edge, edge_exits);
        printf("cloud   %6zu  %8.4f  %12.0f  %10zu  %s\n", n - s, cloud_ms, cloud_mem, plan.cand_cloud, cloud_exits);
        printf("whole   %6zu  %8.4f  %12.0f  %10zu  (time in the cloud; %.4f ms on the edge)\n", n,
               split_net_ms(&net, 0, n, sp.cloud_speed), split_net_memory(&net, 0, n), net.n_side,
               split_net_ms(&net, 0, n, sp.edge_speed));
    }
    if (fflush(stdout) || ferror(stdout))
        status = cli_fail(&(struct hi_error){HI_EINTERNAL, "split: cannot write the output"});
out:
    split_net_free(&net);
    layers_free(&L);
    return status;
}
