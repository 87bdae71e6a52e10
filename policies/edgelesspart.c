/*
 * edgelesspart.c — EdgeLessPart (003 §II): one split of the device's
 * early-exit network between the edge and a pay-per-use cloud, with up to
 * three exits kept local to each part.
 *
 * At init the policy plans on device.profile's layer profile (env->layers,
 * traces/split.h): the split point of split.rule (split.fraction), and the
 * exits of ee.placement (ee.per_part, ee.pareto_shape) among each part's
 * candidates.  It deploys the edge part's exits on the device, and the
 * cloud part's on the server with ee.c_thr (the deployment, traces/
 * sample.h); the engine runs only those.  The latency rule compares the
 * edge at device.speed with the cloud at server.speed.
 *
 * Decisions, at each edge exit in order: EXIT when its confidence is
 * greater than c_thr ("In case the local EEs do not yield accuracy greater
 * than c_thr, it will offload to the cloud"), else CONTINUE; at the last
 * edge exit SPLIT at the split layer.  The cloud part's exits answer on the
 * server (sim/server.c), "as it happens in the edge"; the final classifier
 * always answers.  An edge-only split (s = n) deploys the final classifier
 * on the device as its last exit; a plan without edge exits sends every
 * sample at once (the engine, with nothing to ask).  O(1) per decision.
 */
#include "policies/policy.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/layers.h"
#include "traces/split.h"

struct state {
    struct hi_deployment dep;
    double c_thr;
    unsigned final_exit;     /* k of the final classifier when on the device, else 0 */
    unsigned last_edge;      /* k of the last device exit */
    char desc[320];
};

/* The text of key `key`; a key the engine does not know is a programming error. */
static const char *
param(const struct hi_policy_env *env, const char *key)
{
    const char *v = env->param ? env->param(env->param_ctx, key) : NULL;
    assert(v != NULL);
    return v;
}

static int
number(const struct hi_policy_env *env, const char *key, double *out, struct hi_error *err)
{
    const char *s = param(env, key);
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(*out))
        return error_set(err, HI_EINPUT, "edgelesspart: %s: expected a number, found '%s'", key, s);
    return HI_OK;
}

static int
choice(const struct hi_policy_env *env, const char *key, const char *const *names, int *out, struct hi_error *err)
{
    const char *s = param(env, key);
    int i;
    for (i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return HI_OK;
        }
    return error_set(err, HI_EINPUT, "edgelesspart: %s: unknown value '%s'", key, s);
}

/* The plan's parameters from the scenario keys. */
static int
params(const struct hi_policy_env *env, struct split_params *sp, double *c_thr, struct hi_error *err)
{
    double per_part;
    int rule, placement;
    split_params_defaults(sp);
    if (choice(env, "split.rule", split_rule_names, &rule, err) ||
        number(env, "split.fraction", &sp->fraction, err) ||
        choice(env, "ee.placement", split_placement_names, &placement, err) ||
        number(env, "ee.per_part", &per_part, err) ||
        number(env, "ee.pareto_shape", &sp->pareto_shape, err) ||
        number(env, "ee.c_thr", c_thr, err) ||
        number(env, "device.speed", &sp->edge_speed, err) ||
        number(env, "server.speed", &sp->cloud_speed, err))
        return HI_EINPUT;
    sp->rule = (enum split_rule)rule;
    sp->placement = (enum split_placement)placement;
    if (sp->fraction < 0.0 || sp->fraction > 1.0 || per_part < 0.0 || per_part > SPLIT_MAX_PER_PART ||
        per_part != floor(per_part) || !(sp->pareto_shape > 0.0) || !(sp->edge_speed > 0.0) ||
        !(sp->cloud_speed > 0.0))
        return error_set(err, HI_EINPUT, "edgelesspart: split.fraction, ee.per_part, ee.pareto_shape or a speed "
                         "is out of range");
    sp->per_part = (size_t)per_part;
    return HI_OK;
}

/* "ee2 ee3 ee5", or "-". */
static void
exit_names(const unsigned *k, unsigned n, char *buf, size_t len)
{
    size_t used = 0;
    unsigned i;
    buf[0] = '\0';
    for (i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%see%u", i ? "," : "", k[i]);
    if (!n)
        snprintf(buf, len, "-");
}

static int
init(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    struct state *s = st;
    struct split_params sp;
    struct split_plan plan;
    struct split_net net;
    struct hi_deployment *d = &s->dep;
    char edge[64], cloud[64];
    size_t i;

    if (!env->layers || !env->layers->n_exits)
        return error_set(err, HI_EINPUT, "edgelesspart: needs device.profile, an early-exit network (ee<k>.* rows)");
    if (params(env, &sp, &s->c_thr, err))
        return HI_EINPUT;
    if (split_net_init(&net, env->layers, err))
        return err->status;
    split_plan_make(&net, &sp, &plan);
    memset(d, 0, sizeof *d);
    for (i = 0; i < plan.n_edge; i++)
        d->device[d->n_device++] = (unsigned)net.side_exit[plan.edge[i]];
    if (plan.s == net.n) {
        /* edge-only: the final classifier answers on the device */
        if (!net.final_exit) {
            split_net_free(&net);
            return error_set(err, HI_EINPUT, "edgelesspart: the split keeps all of %s on the edge, whose last layer "
                             "is not an exit (ee<k>.*): nothing would answer on the device", env->layers->path);
        }
        s->final_exit = (unsigned)net.final_exit;
        d->device[d->n_device++] = s->final_exit;
    } else {
        d->has_split = 1;
        d->split = plan.s ? (unsigned)net.row[plan.s - 1] : 0u;   /* backbone layer s as a profile row */
        for (i = 0; i < plan.n_cloud; i++)
            d->server[d->n_server++] = (unsigned)net.side_exit[plan.cloud[i]];
        d->c_thr = s->c_thr;
    }
    s->last_edge = d->n_device ? d->device[d->n_device - 1] : 0u;
    exit_names(d->device, d->n_device, edge, sizeof edge);
    exit_names(d->server, d->n_server, cloud, sizeof cloud);
    snprintf(s->desc, sizeof s->desc, "%s s=%zu%s%s edge %s cloud %s c_thr=%g", split_rule_names[sp.rule], plan.s,
             plan.s && plan.s < net.n ? " after " : "", plan.s && plan.s < net.n ? env->layers->name[d->split - 1] : "",
             edge, cloud, s->c_thr);
    split_net_free(&net);
    return HI_OK;
}

static struct hi_action
decide(void *st, const struct hi_view *v, double *q_off)
{
    const struct state *s = st;
    assert(v->stage == HI_STAGE_EXIT);
    *q_off = 0.0;
    if (v->exit == s->final_exit || v->p > s->c_thr)   /* "greater than c_thr" */
        return hi_act(HI_ACT_EXIT, v->exit);
    if (v->exit == s->last_edge) {
        assert(s->dep.has_split);
        *q_off = 1.0;
        return hi_act(HI_ACT_SPLIT, s->dep.split);
    }
    return hi_act(HI_ACT_CONTINUE, 0);
}

static void
deployment(const void *st, struct hi_deployment *d)
{
    const struct state *s = st;
    *d = s->dep;
}

static void
describe(const void *st, char *buf, size_t len)
{
    const struct state *s = st;
    snprintf(buf, len, "%s", s->desc);
}

const struct hi_policy_type hi_policy_edgelesspart = {
    .name = "edgelesspart",
    .summary = "EdgeLessPart (003): split device.profile once, exits in each part, offload past the edge exits",
    .size = sizeof(struct state),
    .flags = POLICY_EXITS,
    .init = init,
    .decide = decide,
    .describe = describe,
    .deployment = deployment,
};
