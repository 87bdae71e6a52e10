/*
 * omd.c — OMD, Offloading for Minimizing Delay (000 §5 (3)): "a
 * work-conserving schedule that schedules the images one after another on
 * S-ML and L-ML whenever either of them becomes idle".
 *
 * The model (docs/baselines.md, "OMD"): all n samples are at the device at
 * t = 0 (arrivals.process: all-at-once); two resources work in parallel,
 * the device (τed per sample, the S-ML) and the offload path (τoff per
 * sample, sent raw: no S-ML).  Samples are taken in order, and the plan is
 * a list schedule kept in closed form: after d samples on the device and o
 * on the path, the device is free at d·τed and the path at o·τoff.
 *
 *   omd.rule: idle-first   the next sample goes to the resource free first,
 *                          ties to the device (000's wording)
 *   omd.rule: ect          the next sample goes where it would finish first,
 *                          (d+1)·τed vs (o+1)·τoff, ties to the device
 *
 * At 000's figures (n = 10⁴, τed 0.99 ms, τoff 74.34 ms) idle-first offloads
 * 132 samples with makespan 132·τoff = 9812.88 ms; ECT offloads 131 with
 * makespan 9869·τed = 9770.31 ms, which is min_k max((n−k)τed, kτoff).  So
 * "minimizes the makespan" holds for ECT exactly and for idle-first within
 * one job.  Either beats tinyML's n·τed = 9900 ms by under 1%.
 *
 * Products, not running sums, keep the comparisons exact up to one
 * rounding.  β plays no part.  O(1) per sample, no labels.
 */
#include "policies/policy.h"

#include <stdio.h>
#include <string.h>

struct state {
    double tau_ed, tau_off;
    int ect;
    size_t on_device, offloaded;
};

/* Shared by the planners: the scenario settings a plan over the whole run
 * of one device relies on. */
static int
require(const struct hi_policy_env *env, const char *name, const char *key, const char *want,
        struct hi_error *err)
{
    const char *v = env->param ? env->param(env->param_ctx, key) : NULL;
    if (v && strcmp(v, want) != 0)
        return error_set(err, HI_EINPUT, "%s: plans the whole run at t = 0 and needs %s: %s (found '%s')",
                         name, key, want, v);
    return HI_OK;
}

static int
init(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    struct state *s = st;
    const char *rule;
    int rc;
    if ((rc = require(env, "omd", "arrivals.process", "all-at-once", err))
        || (rc = require(env, "omd", "devices.count", "1", err))
        || (rc = require(env, "omd", "devices.list", "", err)))
        return rc;
    if (!(env->tau_ed_s > 0.0) || !(env->tau_off_s > 0.0))
        return error_set(err, HI_EINPUT, "omd: needs a positive S-ML time and offload time (tau_ed %g s, "
                         "tau_off %g s)", env->tau_ed_s, env->tau_off_s);
    s->tau_ed = env->tau_ed_s;
    s->tau_off = env->tau_off_s;
    /* env->param's text lives until its next call: compare at once */
    rule = env->param ? env->param(env->param_ctx, "omd.rule") : NULL;
    s->ect = rule && strcmp(rule, "ect") == 0;
    return HI_OK;
}

static struct hi_action
decide(void *st, const struct hi_view *v, double *q_off)
{
    struct state *s = st;
    int device;
    *q_off = 0.0;
    if (v->stage != HI_STAGE_ARRIVAL)
        return hi_act(HI_ACT_ACCEPT, 0);   /* the S-ML ran: its answer is used */
    if (s->ect)
        device = (double)(s->on_device + 1) * s->tau_ed <= (double)(s->offloaded + 1) * s->tau_off;
    else
        device = (double)s->on_device * s->tau_ed <= (double)s->offloaded * s->tau_off;
    if (device) {
        s->on_device++;
        return hi_act(HI_ACT_CONTINUE, 0);
    }
    s->offloaded++;
    *q_off = 1.0;
    return hi_act(HI_ACT_OFFLOAD_RAW, 0);
}

static void
describe(const void *st, char *buf, size_t len)
{
    const struct state *s = st;
    snprintf(buf, len, "rule=%s", s->ect ? "ect" : "idle-first");
}

const struct hi_policy_type hi_policy_omd = {
    .name = "omd",
    .summary = "OMD (000 §5): work-conserving list schedule of all samples over device and offload path (raw); omd.rule idle-first or ect",
    .size = sizeof(struct state),
    .flags = POLICY_DECIDES_AT_ARRIVAL,
    .init = init,
    .decide = decide,
    .describe = describe,
};
