/* check_edgelesspart.c — EdgeLessPart (003) inside the engine: deployed
 * exits, SPLIT after the edge exits, the server's own exits, the cloud
 * cost.  The oracle is split_walk (traces/split.h, itself checked against a
 * row-by-row walk in check_split.c); the hand sums are the rows of
 * profile-ee8.csv. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policies/policy.h"
#include "sim/config.h"
#include "sim/engine.h"
#include "sim/exec.h"
#include "sim/profile.h"
#include "tests/suites.h"
#include "tests/util.h"
#include "traces/cloud.h"
#include "traces/layers.h"
#include "traces/split.h"

#define EE8 "traces/fmnist/profile-ee8.csv"
#define EE8_TRACE "traces/fmnist/fmnist-ee8.csv"

/* Own rows of the exits of profile-ee8.csv (gap + flatten + fc), ms. */
#define EE1_MS (0.0452 + 0.0156 + 0.0316)
#define EE2_MS (0.0626 + 0.0207 + 0.0416)
#define EE3_MS (0.0515 + 0.0176 + 0.0368)
#define EE5_MS (0.0685 + 0.0226 + 0.0476)
#define EE7_MS (0.0606 + 0.0208 + 0.0444)
/* Backbone blocks, ms. */
#define B1_MS (0.1757 + 0.0598 + 0.0234)
#define B2_MS (1.6221 + 0.0826 + 0.0299 + 0.1088)
#define B1_6_MS 7.6249    /* through b6.relu (row 35): the edge part of the 70% memory split */
#define B7_8_MS 3.6263    /* b7, b8 and ee8: the cloud part */

/* Defaults, then each "key=value", then the catalog and profiles, as
 * hisim run does. */
static void
config(struct hi_config *c, const char *const *sets, size_t n)
{
    struct hi_error err = {0};
    char buf[4200];
    size_t i;
    setenv("HISIM_DEVICES", util_src("traces/devices"), 1);
    config_defaults(c);
    snprintf(buf, sizeof buf, "device.profile=%s", util_src(EE8));
    ck_assert_msg(config_set_arg(c, buf, &err) == 0, "%s", err.msg);
    ck_assert_msg(config_set_arg(c, "policy.name=edgelesspart", &err) == 0, "%s", err.msg);
    ck_assert_msg(config_set_arg(c, "arrivals.process=blocking", &err) == 0, "%s", err.msg);
    ck_assert_msg(config_set_arg(c, "device.power_w=2", &err) == 0, "%s", err.msg);
    for (i = 0; i < n; i++)
        ck_assert_msg(config_set_arg(c, sets[i], &err) == 0, "%s: %s", sets[i], err.msg);
    ck_assert_msg(profile_apply(c, &err) == 0, "%s", err.msg);
}

struct records {
    struct engine_record *r;
    size_t n, cap;
};

static int
collect(void *ctx, const struct engine_record *r)
{
    struct records *s = ctx;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16384;
        s->r = realloc(s->r, s->cap * sizeof *s->r);
        ck_assert_ptr_nonnull(s->r);
    }
    s->r[s->n++] = *r;
    return 0;
}

static struct hi_trace *
ee8_trace(void)
{
    struct hi_error err = {0};
    struct hi_trace *t = trace_load(util_src(EE8_TRACE), &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    return t;
}

/* Runs cfg on t, keeping every sample's record. */
static void
run(const struct hi_config *c, const struct hi_trace *t, struct records *rec, struct engine_result *r)
{
    struct engine_hooks h;
    struct hi_error err = {0};
    memset(&h, 0, sizeof h);
    h.on_record = collect;
    h.ctx = rec;
    rec->n = 0;
    ck_assert_msg(engine_run(c, t, &h, r, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(rec->n, r->n);
}

static void
price_of(const struct hi_config *c, struct hi_cloud_price *p)
{
    p->invocation = c->cloud.price_invocation;
    p->gb_s = c->cloud.price_gb_s;
    p->ghz_s = c->cloud.price_ghz_s;
    p->egress_gb = c->cloud.price_egress_gb;
    p->billing_ms = c->cloud.billing_ms;
    p->mem_gb = c->cloud.mem_gb;
    p->cpu_ghz = c->cloud.cpu_ghz;
}

/* The schema's defaults are the documented ones: traces/split.h's plan
 * and traces/cloud.h's prices, exactly. */
START_TEST(test_defaults)
{
    struct hi_config c;
    struct hi_cloud_price p, q;
    struct split_params sp;
    config_defaults(&c);
    cloud_price_defaults(&p);
    price_of(&c, &q);
    ck_assert(memcmp(&p, &q, sizeof p) == 0);
    split_params_defaults(&sp);
    ck_assert_int_eq(c.elp.rule, sp.rule);
    ck_assert(c.elp.fraction == sp.fraction);
    ck_assert_int_eq(c.elp.placement, sp.placement);
    ck_assert_uint_eq(c.elp.per_part, sp.per_part);
    ck_assert(c.elp.pareto_shape == SPLIT_PARETO_8020);
}
END_TEST

/* Every sample through the engine equals split_walk on the recorded EE8
 * trace and profile: its latency (edge compute + 8·bytes/rate + delay +
 * cloud compute + downlink when offloaded), its answer, its action (EXIT
 * at the answering edge exit, or SPLIT at the split layer), its cloud
 * cost; and the aggregates.  Both placements, three thresholds, the
 * memory-share rule at speeds 1.25 and 2, a threshold equal to a confidence, the latency rule, cloud-only
 * (fraction 0: no edge exit, the raw sample) and edge-only (fraction 1).
 * Catches: an undeployed exit's rows charged or asked, the raw sample sent
 * instead of the tensor, the L-ML's answer or time instead of the cloud
 * part's, a server exit skipped, >= for >, the cost of the whole cloud
 * part billed. */
START_TEST(test_oracle)
{
    static const char *const variants[][3] = {
        {"split.rule=memory-share", "device.speed=1.25", "network.downlink_ms=1.5"},
        {"split.rule=latency", "device.speed=1", "network.downlink_ms=0"},
        {"split.fraction=0", "device.speed=1", "network.downlink_ms=0"},
        {"split.fraction=1", "device.speed=1", "network.downlink_ms=0"},
    };
    static const char *const placements[] = {"linear", "pareto"};
    struct hi_trace *t = ee8_trace();
    /* the third threshold ties with row 0 at ee2, the first linear exit:
     * it must not answer there ("greater than c_thr") */
    const double cthr[] = {0.5, 0.8, t->ee_conf[1][0]};
    struct records rec = {0};
    struct hi_error err = {0};
    struct hi_layers L;
    size_t v, p, h, i, checked = 0, offloaded_runs = 0, s_seen[4] = {0};

    ck_assert_msg(layers_load(&L, util_src(EE8), &err) == HI_OK, "%s", err.msg);
    for (v = 0; v < 4; v++)
        for (p = 0; p < 2; p++)
            for (h = 0; h < 3; h++) {
                char pl[64], ct[64];
                const char *sets[7] = {variants[v][0], variants[v][1], variants[v][2], pl, ct,
                                       "server.speed=2", "network.rate_mbps=40"};
                struct hi_config c;
                struct engine_result r;
                struct split_net net;
                struct split_params sp;
                struct split_plan plan;
                struct hi_cloud_price price;
                struct split_outcome o;
                double sum_lat = 0.0, sum_cost = 0.0, sum_edge = 0.0, only;
                size_t right = 0, off = 0;

                snprintf(pl, sizeof pl, "ee.placement=%s", placements[p]);
                snprintf(ct, sizeof ct, "ee.c_thr=%.17g", cthr[h]);
                config(&c, sets, 7);
                run(&c, t, &rec, &r);
                /* the oracle's plan: the same keys through traces/split.h */
                ck_assert_int_eq(split_net_init(&net, &L, &err), HI_OK);
                split_params_defaults(&sp);
                sp.rule = (enum split_rule)c.elp.rule;
                sp.fraction = c.elp.fraction;
                sp.placement = (enum split_placement)c.elp.placement;
                sp.edge_speed = c.device.speed;
                sp.cloud_speed = c.server.speed;
                split_plan_make(&net, &sp, &plan);
                s_seen[v] = plan.s;
                price_of(&c, &price);
                ck_assert_uint_eq(r.n, t->n);
                for (i = 0; i < rec.n; i++) {
                    const struct engine_record *e = &rec.r[i];
                    double lat, cost;
                    split_walk(&net, &plan, &sp, t, e->row, c.elp.c_thr, &o);
                    lat = o.edge_ms;
                    if (o.offloaded)
                        lat += 8.0 * o.sent_bytes / (40e6 * 1e-3) + 20.0 + o.cloud_ms + c.network.downlink_ms;
                    cost = o.offloaded ? cloud_cost(&price, o.cloud_ms, o.answer_bytes) : 0.0;
                    ck_assert_uint_eq(e->row, i);          /* blocking, sequential: one pass in order */
                    ck_assert_msg(fabs(e->response_s * 1e3 - lat) <= 1e-9 * lat, "sample %zu: %.12g ms, oracle %.12g",
                                  i, e->response_s * 1e3, lat);
                    ck_assert_int_eq(e->offload, o.offloaded);
                    ck_assert_int_eq(e->correct, o.pred == t->label[e->row]);
                    ck_assert_msg(fabs(e->cloud_cost - cost) <= 1e-12 * cost, "sample %zu: cost %.17g, oracle %.17g", i,
                                  e->cloud_cost, cost);
                    if (o.offloaded) {
                        ck_assert_int_eq(e->action.kind, HI_ACT_SPLIT);
                        ck_assert_uint_eq(e->action.k, plan.s ? net.row[plan.s - 1] : 0);
                    } else {
                        ck_assert_int_eq(e->action.kind, HI_ACT_EXIT);
                        ck_assert_uint_eq(e->action.k, o.exit);
                    }
                    sum_lat += lat;
                    sum_cost += cost;
                    sum_edge += o.edge_ms;
                    right += o.pred == t->label[e->row];
                    off += (size_t)o.offloaded;
                    checked++;
                }
                split_walk(&net, &(struct split_plan){0}, &sp, t, 0, 2.0, &o);   /* cloud-only */
                only = cloud_cost(&price, o.cloud_ms, o.answer_bytes);
                ck_assert_uint_eq(r.offloaded, off);
                ck_assert_uint_eq(r.cloud_invocations, off);
                ck_assert_double_eq_tol(r.accuracy, (double)right / (double)t->n, 1e-15);
                ck_assert_double_eq_tol(r.mean_response_s * 1e3, sum_lat / (double)t->n, 1e-9);
                ck_assert_double_eq_tol(r.makespan_s * 1e3, sum_lat, 1e-9 * sum_lat + 1e-12);   /* one at a time */
                /* power × device time */
                ck_assert_double_eq_tol(r.energy_mj, 2.0 * sum_edge, 1e-9 * sum_edge + 1e-12);
                ck_assert_int_eq(r.priced, 1);
                ck_assert_double_eq_tol(r.cloud_cost_per_1000, 1000.0 * sum_cost / (double)t->n,
                                        1e-12 * sum_cost + 1e-20);
                ck_assert_double_eq_tol(r.cloud_cost_rel, sum_cost / ((double)t->n * only), 1e-12);
                offloaded_runs += off > 0;
                engine_result_free(&r);
                split_net_free(&net);
            }
    /* the variants are what they claim: the 70% split at b6.relu, another
     * split for the latency rule, cloud-only, edge-only */
    ck_assert_uint_eq(s_seen[0], 20);
    ck_assert(s_seen[1] != 20 && s_seen[1] > 0 && s_seen[1] < 29);
    ck_assert_uint_eq(s_seen[2], 0);
    ck_assert_uint_eq(s_seen[3], 29);
    ck_assert_uint_eq(offloaded_runs, 18);   /* all but edge-only send samples */
    ck_assert_uint_eq(checked, 24 * t->n);
    free(rec.r);
    layers_free(&L);
    trace_free(t);
}
END_TEST

/* c_thr > 1: no exit answers early.  Every sample runs the edge part with
 * its three linear exits (ee2, ee3, ee5: the rows of ee1, ee4 and ee6 are
 * not deployed), sends b6.relu's 12544 bytes, and the cloud part runs b7,
 * b8 and ee7 at speed 2 to the final classifier ee8, whose answer counts:
 * the closed form of 003 from the profile's rows, the same for every
 * sample.  Each invocation bills one 100 ms increment and so does
 * cloud-only: the relative cost is 1; billed by the millisecond it is the
 * cloud part's time over the whole network's. */
START_TEST(test_no_early_exit)
{
    const char *sets[] = {"ee.c_thr=1.5", "server.speed=2"};
    const double edge = B1_6_MS + EE2_MS + EE3_MS + EE5_MS, cloud = (B7_8_MS + EE7_MS) / 2.0;
    const double lat = edge + 12544.0 * 8.0 / 50e3 + 20.0 + cloud;   /* ms */
    const double inc = 0.1 * (0.25 * 0.0000025 + 0.4 * 0.00001);     /* one 100 ms increment, $ */
    const double one = 0.0000004 + inc + 40.0 / 1073741824.0 * 0.12;  /* per invocation */
    struct hi_trace *t = ee8_trace();
    struct records rec = {0};
    struct hi_config c;
    struct engine_result r;
    size_t i, right = 0;

    config(&c, sets, 2);
    run(&c, t, &rec, &r);
    ck_assert_msg(strstr(r.policy_desc, "s=20 after b6.relu edge ee2,ee3,ee5 cloud ee7"), "%s", r.policy_desc);
    for (i = 0; i < rec.n; i++) {
        ck_assert_double_eq_tol(rec.r[i].response_s * 1e3, lat, 1e-9);
        ck_assert_int_eq(rec.r[i].action.kind, HI_ACT_SPLIT);
        ck_assert_uint_eq(rec.r[i].action.k, 35);   /* b6.relu, row 35 */
        ck_assert_double_eq_tol(rec.r[i].cloud_cost, one, 1e-12 * one);
        right += t->ee_pred[7][i] == t->label[i];
    }
    ck_assert_double_eq_tol(lat, 31.87749, 1e-9);   /* hisim split's p95 at high c_thr */
    ck_assert_uint_eq(r.offloaded, t->n);
    ck_assert_double_eq_tol(r.accuracy, (double)right / (double)t->n, 1e-15);
    ck_assert_double_eq_tol(r.accuracy, 0.9134, 1e-12);   /* ee8's recorded accuracy */
    ck_assert_double_eq_tol(r.cloud_cost_per_1000, 1000.0 * one, 1e-9 * one);
    ck_assert_double_eq_tol(r.cloud_cost_rel, 1.0, 1e-12);
    engine_result_free(&r);

    /* billed per ms: ceil(1.87605) = 2 ms against ceil(11.2512/2) = 6 ms */
    {
        const char *sets2[] = {"ee.c_thr=1.5", "server.speed=2", "cloud.billing_ms=1"};
        double rate = 0.25 * 0.0000025 + 0.4 * 0.00001;
        double cost = 0.0000004 + 0.002 * rate + 40.0 / 1073741824.0 * 0.12;
        double ref = 0.0000004 + 0.006 * rate + 40.0 / 1073741824.0 * 0.12;
        config(&c, sets2, 3);
        run(&c, t, &rec, &r);
        ck_assert_double_eq_tol(r.cloud_cost_per_1000, 1000.0 * cost, 1e-9 * cost);
        ck_assert_double_eq_tol(r.cloud_cost_rel, cost / ref, 1e-12);
        engine_result_free(&r);
    }
    free(rec.r);
    trace_free(t);
}
END_TEST

/* c_thr below every confidence (the trace's least exit-1 and exit-2
 * confidences are 0.1257 and 0.1960): everything exits at the first edge
 * exit and the cloud costs nothing.  Linear: ee2 after b1, b2 and ee2's
 * rows, ee1's rows not run (it is not deployed); Pareto: ee1 after b1.
 * The answers are those exits' (0.7068 and 0.5193 accurate). */
START_TEST(test_all_exit_first)
{
    static const char *const placements[] = {"ee.placement=linear", "ee.placement=pareto"};
    const double lat[] = {B1_MS + B2_MS + EE2_MS, B1_MS + EE1_MS};
    const double acc[] = {0.7068, 0.5193};
    const unsigned first[] = {2, 1};
    struct hi_trace *t = ee8_trace();
    struct records rec = {0};
    size_t p, i;

    for (i = 0; i < t->n; i++)
        ck_assert(t->ee_conf[0][i] > 0.1 && t->ee_conf[1][i] > 0.1);
    for (p = 0; p < 2; p++) {
        const char *sets[] = {"ee.c_thr=0.1", placements[p]};
        struct hi_config c;
        struct engine_result r;
        config(&c, sets, 2);
        run(&c, t, &rec, &r);
        for (i = 0; i < rec.n; i++) {
            ck_assert_int_eq(rec.r[i].action.kind, HI_ACT_EXIT);
            ck_assert_uint_eq(rec.r[i].action.k, first[p]);
            ck_assert_double_eq_tol(rec.r[i].response_s * 1e3, lat[p], 1e-9);
            ck_assert(rec.r[i].cloud_cost == 0.0);
        }
        ck_assert_uint_eq(r.offloaded, 0);
        ck_assert_uint_eq(r.cloud_invocations, 0);
        ck_assert(r.cloud_cost == 0.0 && r.cloud_cost_per_1000 == 0.0 && r.cloud_cost_rel == 0.0);
        ck_assert_double_eq_tol(r.accuracy, acc[p], 1e-12);
        ck_assert_double_eq_tol(r.energy_mj, 2.0 * lat[p] * (double)t->n, 1e-6);
        engine_result_free(&r);
    }
    free(rec.r);
    trace_free(t);
}
END_TEST

/* Closed arrivals (the device takes the next sample once it has decided)
 * let offloads queue on the uplink and the server: the answers and cloud
 * costs are the samples' own and do not change, responses only grow, and
 * some grow (a queue formed). */
START_TEST(test_queueing)
{
    const char *blocking[] = {"ee.c_thr=0.7", "server.speed=2"};
    const char *closed[] = {"ee.c_thr=0.7", "server.speed=2", "arrivals.process=closed", "network.rate_mbps=5"};
    const char *blocking5[] = {"ee.c_thr=0.7", "server.speed=2", "network.rate_mbps=5"};
    struct hi_trace *t = ee8_trace();
    struct records a = {0}, b = {0}, a5 = {0};
    struct hi_config c;
    struct engine_result ra, rb, ra5;
    size_t i, longer = 0;

    config(&c, blocking, 2);
    run(&c, t, &a, &ra);
    config(&c, blocking5, 3);
    run(&c, t, &a5, &ra5);
    config(&c, closed, 4);
    run(&c, t, &b, &rb);
    for (i = 0; i < t->n; i++) {
        ck_assert_uint_eq(a5.r[i].row, b.r[i].row);
        ck_assert_int_eq(a5.r[i].correct, b.r[i].correct);
        ck_assert(a5.r[i].cloud_cost == b.r[i].cloud_cost && a.r[i].cloud_cost == b.r[i].cloud_cost);
        ck_assert(b.r[i].response_s >= a5.r[i].response_s - 1e-12);
        longer += b.r[i].response_s > a5.r[i].response_s + 1e-9;
    }
    ck_assert_uint_gt(longer, 100);
    ck_assert_double_eq_tol(rb.accuracy, ra.accuracy, 1e-15);
    ck_assert(rb.cloud_cost == ra.cloud_cost);
    ck_assert(rb.makespan_s < ra5.makespan_s);   /* the device works while samples are in flight */
    engine_result_free(&ra);
    engine_result_free(&ra5);
    engine_result_free(&rb);
    free(a.r);
    free(a5.r);
    free(b.r);
    trace_free(t);
}
END_TEST

/* The execution model's deployment by hand on profile-ee8.csv: device
 * exits {2, 5}, split after b6.relu (row 35), server exit ee7.  Stage 0
 * is b1, b2 and ee2's rows (ee1 skipped); stage 1 b3..b5 and ee5's rows
 * (ee3, ee4 skipped); a SPLIT after ee2 skips ee5 too; the server runs
 * b7, ee7's rows and b8 with ee8, or stops after ee7. */
START_TEST(test_exec_deployment)
{
    const char *sets[] = {"device.speed=2", "server.speed=4", "device.power_w=3"};
    const double b3_5 = 0.8554 + 0.0705 + 0.0241 + 1.6564 + 0.0814 + 0.0273 + 1.6737 + 0.0874 + 0.0287 + 0.0824;
    const double b6 = 0.8437 + 0.0684 + 0.0232, b7 = 1.6378 + 0.0827 + 0.0258;
    struct hi_deployment dep = {2, {2, 5}, 1, 35, 1, {7}, 0.6};
    struct hi_trace *t = ee8_trace();
    struct hi_error err = {0};
    struct hi_config c;
    struct exec_model *m = NULL;
    struct exec_deployed *x = NULL;
    struct exec_cost k;
    struct exec_server_run sr;
    struct hi_action split = {HI_ACT_SPLIT, 35}, ex = {HI_ACT_EXIT, 5};
    double bytes;
    size_t i, stops = 0;

    config(&c, sets, 3);
    ck_assert_msg(exec_model_new(&m, &c, t, &err) == 0, "%s", err.msg);
    ck_assert_msg(exec_deploy_new(&x, m, &dep, &err) == 0, "%s", err.msg);
    ck_assert_double_eq_tol(exec_deployed_stage_s(x, 0), (B1_MS + B2_MS + EE2_MS) / 2 * 1e-3, 1e-15);
    ck_assert_double_eq_tol(exec_deployed_stage_s(x, 1), (b3_5 + EE5_MS) / 2 * 1e-3, 1e-15);
    ck_assert_double_eq_tol(exec_deployed_tail_s(x, 2), b6 / 2 * 1e-3, 1e-15);
    ck_assert_double_eq_tol(exec_deployed_tail_s(x, 1), (b3_5 + b6) / 2 * 1e-3, 1e-15);
    exec_deployed_cost(m, x, 0, 2, &ex, &k);
    ck_assert_double_eq_tol(k.device_s, (B1_MS + B2_MS + EE2_MS + b3_5 + EE5_MS) / 2 * 1e-3, 1e-15);
    ck_assert(k.bytes == 0.0 && k.server_s == 0.0);
    ck_assert_double_eq_tol(k.device_mj, 3.0 * (B1_MS + B2_MS + EE2_MS + b3_5 + EE5_MS) / 2, 1e-12);
    exec_deployed_cost(m, x, 0, 1, &split, &k);
    ck_assert_double_eq_tol(k.device_s, (B1_MS + B2_MS + EE2_MS + b3_5 + b6) / 2 * 1e-3, 1e-15);
    ck_assert(k.bytes == 12544.0);
    ck_assert_double_eq_tol(k.server_s, (B7_8_MS + EE7_MS) / 4 * 1e-3, 1e-15);
    for (i = 0; i < t->n; i++) {
        exec_server_run(x, t, i, &sr);
        if (t->ee_conf[6][i] > 0.6) {
            ck_assert_uint_eq(sr.exit, 7);
            ck_assert_int_eq(sr.final, 0);
            ck_assert_double_eq_tol(sr.server_s, (b7 + EE7_MS) / 4 * 1e-3, 1e-15);
            stops++;
        } else {
            ck_assert_uint_eq(sr.exit, 8);
            ck_assert_int_eq(sr.final, 1);
            ck_assert_double_eq_tol(sr.server_s, (B7_8_MS + EE7_MS) / 4 * 1e-3, 1e-15);
        }
        ck_assert(sr.answer_bytes == 40.0);
    }
    ck_assert(stops > 1000 && stops < t->n);
    exec_deployed_free(x);
    /* a server exit whose confidence equals c_thr does not answer */
    dep.c_thr = t->ee_conf[6][0];
    ck_assert_msg(exec_deploy_new(&x, m, &dep, &err) == 0, "%s", err.msg);
    exec_server_run(x, t, 0, &sr);
    ck_assert_uint_eq(sr.exit, 8);
    dep.c_thr = nextafter(t->ee_conf[6][0], 0.0);
    exec_deployed_free(x);
    ck_assert_msg(exec_deploy_new(&x, m, &dep, &err) == 0, "%s", err.msg);
    exec_server_run(x, t, 0, &sr);
    ck_assert_uint_eq(sr.exit, 7);
    ck_assert_double_eq_tol(exec_deployed_cloud_only_s(x, &bytes), 11.2512 / 4 * 1e-3, 1e-15);
    ck_assert(bytes == 40.0);
    exec_deployed_free(x);
    exec_model_free(m);
    trace_free(t);
}
END_TEST

/* Deployments the model refuses, each with its reason. */
START_TEST(test_exec_bad_deployments)
{
    static const struct {
        struct hi_deployment d;
        const char *msg;
    } bad[] = {
        {{2, {3, 2}, 1, 35, 0, {0}, 0.5}, "increasing"},
        {{1, {9}, 1, 35, 0, {0}, 0.5}, "increasing"},
        {{1, {8}, 1, 35, 0, {0}, 0.5}, "final classifier"},
        {{2, {8, 2}, 0, 0, 0, {0}, 0.5}, "final classifier"},
        {{1, {7}, 1, 35, 0, {0}, 0.5}, "hangs after the split"},
        {{1, {2}, 1, 35, 1, {5}, 0.5}, "hangs before the split"},
        {{1, {2}, 1, 35, 1, {8}, 0.5}, "side exits"},
        {{1, {2}, 1, 37, 0, {0}, 0.5}, "a row of exit ee6"},
        {{1, {2}, 1, 50, 0, {0}, 0.5}, "leave the server"},
        {{1, {2}, 0, 0, 1, {7}, 0.5}, "no split"},
        {{0, {0}, 0, 0, 0, {0}, 0.5}, "no exit"},
        {{1, {2}, 1, 35, 0, {0}, NAN}, "NaN"},
    };
    struct hi_trace *t = ee8_trace();
    struct hi_config c;
    struct exec_model *m = NULL;
    size_t i;

    config(&c, NULL, 0);
    {
        struct hi_error err = {0};
        ck_assert_msg(exec_model_new(&m, &c, t, &err) == 0, "%s", err.msg);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hi_error err = {0};
        struct exec_deployed *x = (void *)&err;   /* must come back NULL */
        ck_assert_int_eq(exec_deploy_new(&x, m, &bad[i].d, &err), HI_EINPUT);
        ck_assert_ptr_null(x);
        ck_assert_msg(strstr(err.msg, bad[i].msg), "case %zu: '%s' lacks '%s'", i, err.msg, bad[i].msg);
    }
    /* the edge-only deployment with the final classifier last is fine */
    {
        struct hi_deployment ok = {2, {2, 8}, 0, 0, 0, {0}, 0.5};
        struct hi_error err = {0};
        struct exec_deployed *x = NULL;
        ck_assert_msg(exec_deploy_new(&x, m, &ok, &err) == 0, "%s", err.msg);
        exec_deployed_free(x);
    }
    exec_model_free(m);
    trace_free(t);
}
END_TEST

/* The engine refuses edgelesspart next to an L-ML profile (the server runs
 * the rest of device.profile), and without an early-exit device.profile. */
START_TEST(test_engine_refuses)
{
    char lml[4200];
    const char *sets[] = {lml};
    struct hi_trace *t = ee8_trace();
    struct hi_config c;
    struct engine_result r;
    struct hi_error err = {0};

    snprintf(lml, sizeof lml, "server.profile=%s", util_src("traces/fmnist/profile-lml.csv"));
    config(&c, sets, 1);
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), HI_EINPUT);
    ck_assert_msg(strstr(err.msg, "server.profile") && strstr(err.msg, "unset it"), "%s", err.msg);
    config_defaults(&c);
    ck_assert_int_eq(config_set_arg(&c, "policy.name=edgelesspart", &err), 0);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), HI_EINPUT);
    ck_assert_msg(strstr(err.msg, "device.profile"), "%s", err.msg);
    trace_free(t);
}
END_TEST

Suite *
suite_edgelesspart(void)
{
    Suite *s = suite_create("edgelesspart");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);   /* 26 runs of 10 000 samples on a loaded machine */
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_oracle);
    tcase_add_test(tc, test_no_early_exit);
    tcase_add_test(tc, test_all_exit_first);
    tcase_add_test(tc, test_queueing);
    tcase_add_test(tc, test_exec_deployment);
    tcase_add_test(tc, test_exec_bad_deployments);
    tcase_add_test(tc, test_engine_refuses);
    suite_add_tcase(s, tc);
    return s;
}
