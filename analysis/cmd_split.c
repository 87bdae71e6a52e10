/*
 * cmd_split.c — `hisim split`: EdgeLessPart's split of a layer profile.
 *
 *   hisim split PROFILE.csv [--rule R] [--fraction F] [--edge-speed X]
 *               [--cloud-speed X] [--placement P] [--per-part K]
 *               [--pareto-shape A] [--trace TRACE.csv --c-thr LIST
 *               [--rate-mbps R] [--delay-ms D] [--reply-ms D]
 *               [--billing-ms B]] [--json]
 *
 * Prints the split point, the backbone time and memory of each part, the
 * tensor sent, and the exits placed in each part (traces/split.h).  With
 * a trace, the closed form of EdgeLessPart's inference at each c_thr: one
 * sample at a time on an idle system (no queueing), compute + transfer +
 * delay + reply, and the pay-per-use cloud cost (traces/cloud.h).
 */
#include "analysis/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/json.h"
#include "traces/cloud.h"
#include "traces/layers.h"
#include "traces/split.h"
#include "traces/trace.h"

#define MAX_CTHR 64

/* The closed form over a trace at one c_thr. */
struct infer {
    double c_thr;
    size_t n, offloaded, correct, at_edge, at_cloud, at_final;
    double mean_ms, p95_ms, cost, cost_1000, rel_cost;
    double edge_ms, cloud_ms;   /* means of the compute */
};

struct network {
    double rate_mbps, delay_ms, reply_ms;
};

/* ms to send `bytes` and get the answer back: 8·bytes/rate + delay + reply. */
static double
net_ms(const struct network *nw, double bytes)
{
    return bytes * 8.0 / (nw->rate_mbps * 1e3) + nw->delay_ms + nw->reply_ms;
}

static int
infer_at(const struct split_net *net, const struct split_plan *plan, const struct split_params *sp,
         const struct hi_trace *t, const struct network *nw, const struct hi_cloud_price *price, double c_thr,
         double cloud_only_cost, struct infer *r)
{
    double *lat = malloc((t->n ? t->n : 1) * sizeof *lat);
    size_t i;
    if (!lat)
        return HI_EINTERNAL;
    memset(r, 0, sizeof *r);
    r->c_thr = c_thr;
    r->n = t->n;
    for (i = 0; i < t->n; i++) {
        struct split_outcome o;
        split_walk(net, plan, sp, t, i, c_thr, &o);
        lat[i] = o.edge_ms + (o.offloaded ? o.cloud_ms + net_ms(nw, o.sent_bytes) : 0.0);
        r->offloaded += (size_t)o.offloaded;
        r->correct += o.pred == t->label[i];
        r->at_final += (size_t)o.final;
        if (!o.final) {
            r->at_edge += !o.offloaded;
            r->at_cloud += (size_t)o.offloaded;
        }
        if (o.offloaded)
            r->cost += cloud_cost(price, o.cloud_ms, o.answer_bytes);
        r->edge_ms += o.edge_ms;
        r->cloud_ms += o.cloud_ms;
    }
    if (t->n) {
        r->mean_ms = gsl_stats_mean(lat, 1, t->n);
        gsl_sort(lat, 1, t->n);
        r->p95_ms = gsl_stats_quantile_from_sorted_data(lat, 1, t->n, 0.95);
        r->edge_ms /= (double)t->n;
        r->cloud_ms /= (double)t->n;
        r->cost_1000 = r->cost / (double)t->n * 1000.0;
        r->rel_cost = r->cost / ((double)t->n * cloud_only_cost);
    }
    free(lat);
    return HI_OK;
}

/* Parses "0.3,0.5" or "0.3:0.9:0.1" (from:to:step, to included); the count,
 * or -1. */
static int
cthr_list(const char *s, double *v)
{
    char *end;
    int n = 0;
    if (strchr(s, ':')) {
        double a, b, step;
        int i, k;
        errno = 0;
        a = strtod(s, &end);
        if (end == s || *end != ':')
            return -1;
        b = strtod(end + 1, &end);
        if (*end != ':')
            return -1;
        step = strtod(end + 1, &end);
        if (*end || errno || !isfinite(a) || !isfinite(b) || !(step > 0) || b < a)
            return -1;
        k = (int)floor((b - a) / step + 1e-9);
        if (k + 1 > MAX_CTHR)
            return -1;
        for (i = 0; i <= k; i++)   /* 0.3 + 3·0.1 is 0.6000000000000001: round to 1e-12 */
            v[n++] = round((a + step * i) * 1e12) / 1e12;
        return n;
    }
    for (;;) {
        errno = 0;
        if (n == MAX_CTHR)
            return -1;
        v[n] = strtod(s, &end);
        if (end == s || errno || !isfinite(v[n]))
            return -1;
        n++;
        if (!*end)
            return n;
        if (*end != ',')
            return -1;
        s = end + 1;
    }
}

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
        {"trace", required_argument, NULL, 't'},
        {"c-thr", required_argument, NULL, 'C'},
        {"rate-mbps", required_argument, NULL, 'R'},
        {"delay-ms", required_argument, NULL, 'D'},
        {"reply-ms", required_argument, NULL, 'Y'},
        {"billing-ms", required_argument, NULL, 'B'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct network nw = {50.0, 20.0, 0.0};   /* the scenario defaults (002 §IV) */
    struct hi_cloud_price price;
    struct hi_trace *trace = NULL;
    const char *trace_path = NULL;
    double cthr[MAX_CTHR];
    int n_cthr = 0, net_given = 0;
    struct infer *inf = NULL;
    double only_ms = 0.0, only_cost = 0.0, only_acc = 0.0;
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
    cloud_price_defaults(&price);
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
        case 't': trace_path = optarg; break;
        case 'C':
            if ((n_cthr = cthr_list(optarg, cthr)) < 0)
                return cli_usage("split", "--c-thr: expected numbers as 0.3,0.5 or from:to:step (at most %d), found '%s'",
                                 MAX_CTHR, optarg);
            break;
        case 'R':
            if (number(optarg, 0, 1, 1e12, &nw.rate_mbps))
                return cli_usage("split", "--rate-mbps: expected a number > 0, found '%s'", optarg);
            net_given = 1;
            break;
        case 'D':
        case 'Y':
            if (number(optarg, 0, 0, 1e12, &v))
                return cli_usage("split", "--%s-ms: expected a number >= 0, found '%s'", c == 'D' ? "delay" : "reply",
                                 optarg);
            *(c == 'D' ? &nw.delay_ms : &nw.reply_ms) = v;
            net_given = 1;
            break;
        case 'B':
            if (number(optarg, 0, 0, 1e12, &price.billing_ms))
                return cli_usage("split", "--billing-ms: expected a number >= 0, found '%s'", optarg);
            net_given = 1;
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
    if (!trace_path != !n_cthr)
        return cli_usage("split", "--trace and --c-thr go together");
    if (net_given && !trace_path)
        return cli_usage("split", "--rate-mbps, --delay-ms, --reply-ms and --billing-ms need --trace");
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
    if (trace_path) {
        int i;
        struct split_outcome o;
        struct split_plan none = plan;
        if (!(trace = trace_load(trace_path, &err)) || split_check_trace(&net, &plan, trace, &err)) {
            status = cli_fail(&err);
            goto out;
        }
        if (trace->unknown)
            fprintf(stderr, "hisim: warning: %s: ignoring unknown columns: %s\n", trace_path, trace->unknown);
        /* cloud-only: the raw sample, the whole backbone in the cloud, no
         * exits; the same for every sample but its answer */
        none.s = 0;
        none.n_edge = none.n_cloud = 0;
        split_walk(&net, &none, &sp, trace, 0, 2.0, &o);
        only_ms = o.cloud_ms + net_ms(&nw, o.sent_bytes);
        only_cost = cloud_cost(&price, o.cloud_ms, o.answer_bytes);
        for (i = 0; i < (int)trace->n; i++) {
            split_walk(&net, &none, &sp, trace, (size_t)i, 2.0, &o);
            only_acc += o.pred == trace->label[i];
        }
        only_acc /= trace->n ? (double)trace->n : 1.0;
        if (!(inf = calloc((size_t)n_cthr, sizeof *inf))) {
            status = cli_fail(&(struct hi_error){HI_EINTERNAL, "out of memory"});
            goto out;
        }
        for (i = 0; i < n_cthr; i++)
            if (infer_at(&net, &plan, &sp, trace, &nw, &price, cthr[i], only_cost, &inf[i])) {
                status = cli_fail(&(struct hi_error){HI_EINTERNAL, "out of memory"});
                goto out;
            }
    }
    edge_ms = split_net_ms(&net, 0, s, sp.edge_speed);
    cloud_ms = split_net_ms(&net, s, n, sp.cloud_speed);
    edge_mem = split_part_memory(&net, &plan, 0);
    cloud_mem = split_part_memory(&net, &plan, 1);
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
        if (trace) {
            int i;
            json_key(&j, "inference");
            json_object_begin(&j);
            json_key(&j, "trace"); json_string(&j, trace_path);
            json_key(&j, "samples"); json_integer(&j, (long long)trace->n);
            json_key(&j, "rate_mbps"); json_number(&j, nw.rate_mbps);
            json_key(&j, "delay_ms"); json_number(&j, nw.delay_ms);
            json_key(&j, "reply_ms"); json_number(&j, nw.reply_ms);
            json_key(&j, "billing_ms"); json_number(&j, price.billing_ms);
            json_key(&j, "cloud_only");
            json_object_begin(&j);
            json_key(&j, "accuracy"); json_number(&j, only_acc);
            json_key(&j, "latency_ms"); json_number(&j, only_ms);
            json_key(&j, "cost_per_1000"); json_number(&j, 1000.0 * only_cost);
            json_object_end(&j);
            json_key(&j, "c_thr");
            json_array_begin(&j);
            for (i = 0; i < n_cthr; i++) {
                const struct infer *r = &inf[i];
                double nn = r->n ? (double)r->n : 1.0;
                json_object_begin(&j);
                json_key(&j, "c_thr"); json_number(&j, r->c_thr);
                json_key(&j, "edge_exit"); json_number(&j, (double)r->at_edge / nn);
                json_key(&j, "cloud_exit"); json_number(&j, (double)r->at_cloud / nn);
                json_key(&j, "final"); json_number(&j, (double)r->at_final / nn);
                json_key(&j, "offloaded"); json_number(&j, (double)r->offloaded / nn);
                json_key(&j, "accuracy"); json_number(&j, (double)r->correct / nn);
                json_key(&j, "mean_latency_ms"); json_number(&j, r->mean_ms);
                json_key(&j, "p95_latency_ms"); json_number(&j, r->p95_ms);
                json_key(&j, "edge_compute_ms"); json_number(&j, r->edge_ms);
                json_key(&j, "cloud_compute_ms"); json_number(&j, r->cloud_ms);
                json_key(&j, "cost_per_1000"); json_number(&j, r->cost_1000);
                json_key(&j, "relative_cost"); json_number(&j, r->rel_cost);
                json_object_end(&j);
            }
            json_array_end(&j);
            json_object_end(&j);
        }
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
        if (trace) {
            int i;
            printf("\ninference on %s, %zu samples (closed form: one sample at a time, no queueing)\n", trace_path,
                   trace->n);
            printf("network   %g Mbit/s, %g ms per transmission, reply %g ms; billing %g ms\n", nw.rate_mbps,
                   nw.delay_ms, nw.reply_ms, price.billing_ms);
            printf("c_thr  edge_exit  cloud_exit  final  offloaded  accuracy  latency_ms  p95_ms  cost_per_1000  rel_cost\n");
            for (i = 0; i < n_cthr; i++) {
                const struct infer *r = &inf[i];
                double nn = r->n ? (double)r->n : 1.0;
                printf("%-5.3g  %9.4f  %10.4f  %5.4f  %9.4f  %8.4f  %10.4f  %6.3f  %13.6g  %8.4f\n", r->c_thr,
                       (double)r->at_edge / nn, (double)r->at_cloud / nn, (double)r->at_final / nn,
                       (double)r->offloaded / nn, (double)r->correct / nn, r->mean_ms, r->p95_ms, r->cost_1000,
                       r->rel_cost);
            }
            printf("cloud-only: accuracy %.4f, latency %.4f ms, cost per 1000 %.6g\n", only_acc, only_ms,
                   1000.0 * only_cost);
        }
    }
    if (fflush(stdout) || ferror(stdout))
        status = cli_fail(&(struct hi_error){HI_EINTERNAL, "split: cannot write the output"});
out:
    free(inf);
    trace_free(trace);
    split_net_free(&net);
    layers_free(&L);
    return status;
}
