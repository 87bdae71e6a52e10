/*
 * engine.c — wires a scenario's entities (sim/model.h) on one kernel and
 * runs them: validation, RNG streams, policy instances, the run, the
 * figures.
 *
 * RNG streams (sim/rng.h), one per entity: device 0 keeps the streams
 * of the one-device model (RNG_ORDER, RNG_POLICY), so one-device runs
 * are unchanged by the number of entities; device d ≥ 1 uses
 * RNG_DEVICE + 4d + {0 order, 1 policy, 2 arrivals, 3 own uplink}; device
 * 0's arrivals and own uplink use RNG_DEVICE + {2, 3}; the shared uplink
 * RNG_NETWORK; the server RNG_SERVER.
 */
#include "sim/engine.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/model.h"
#include "sim/profile.h"
#include "sim/rng.h"

static uint64_t
dev_stream(size_t d, unsigned which)
{
    if (d == 0 && which == 0)
        return RNG_ORDER;
    if (d == 0 && which == 1)
        return RNG_POLICY;
    return RNG_DEVICE + 4 * (uint64_t)d + which;
}

/* env.param: a scenario key's value as text, for policies' own keys. */
static const char *
param(const void *ctx, const char *key)
{
    struct device *d = (struct device *)ctx;
    static _Thread_local char buf[CONFIG_PATH_MAX];
    const struct config_key *k = config_find(key);
    if (!k)
        return NULL;
    config_format(d->cfg, k, buf, sizeof buf);
    return buf;
}

/* env.action_cost: one sample alone on the system, as exec.c and the
 * device's uplink channel charge it. */
static void
action_cost(const void *ctx, size_t row, const struct hi_action *a, struct hi_action_cost *out)
{
    const struct device *d = ctx;
    const struct model *m = d->model;
    const struct channel_spec *ch = m->n_links == 1 ? m->chan : d->group->chan;
    struct exec_cost c;
    exec_cost(d->exec, row, a, &c);
    out->device_s = c.device_s;
    out->bytes = c.bytes;
    out->server_s = c.server_s;
    out->device_mj = c.device_mj;
    out->tx_s = c.bytes > 0.0 ? channel_tx_seconds(ch, 0.0, c.bytes) : 0.0;
    out->delay_s = c.bytes > 0.0 ? channel_delay_mean_seconds(ch) : 0.0;
    out->tx_mj = d->cfg->device.tx_power_w * out->tx_s * 1e3;
}

/* Checks that depend on the trace and the execution model. */
static int
validate(const struct model *m, const struct group *g, struct hi_error *err)
{
    const struct hi_trace *tr = m->tr;
    const struct hi_config *cfg = &g->cfg;
    const struct hi_policy_type *type = g->type;
    if (cfg->arrivals.process == ARRIVALS_TRACE) {
        if (!tr->t_arrival)
            return error_set(err, HI_EINPUT, "arrivals.process: 'trace' needs a t_arrival column; %s has none",
                             tr->path ? tr->path : "the trace");
        if (cfg->trace.order != ORDER_SEQUENTIAL)
            return error_set(err, HI_EINPUT, "arrivals.process: 'trace' replays t_arrival in file order and "
                             "needs trace.order: sequential");
        if (cfg->trace.samples > tr->n)
            return error_set(err, HI_EINPUT, "arrivals.process: 'trace' replays each row once: trace.samples "
                             "(%zu) exceeds the trace's %zu rows", cfg->trace.samples, tr->n);
    }
    if (cfg->policy.batch == 0)
        return error_set(err, HI_EINPUT, "policy.batch: 'auto' must be resolved to M* before the run "
                         "(hisim run does; batchsize_resolve)");
    if ((type->flags & POLICY_EXITS) && tr->n_exits == 0)
        return error_set(err, HI_EINPUT, "policy.name: %s decides at early exits; %s has no ee<k>_conf columns",
                         type->name, tr->path ? tr->path : "the trace");
    if ((type->flags & POLICY_EXITS) && exec_n_exits(g->exec) == 0)
        return error_set(err, HI_EINPUT, "policy.name: %s decides at early exits and needs device.profile "
                         "with the exits' layers (ee<k>.* rows)", type->name);
    if ((type->flags & POLICY_EXITS) && exec_n_exits(g->exec) != tr->n_exits)
        return error_set(err, HI_EINPUT, "device.profile has %u exits, the trace %zu", exec_n_exits(g->exec),
                         tr->n_exits);
    if (type->deployment && !(type->flags & POLICY_EXITS))
        return error_set(err, HI_EINPUT, "policy.name: %s deploys early exits and must decide at them", type->name);
    if (type->deployment && exec_split_layers(g->exec) != exec_device_layers(g->exec))
        return error_set(err, HI_EINPUT, "policy.name: %s splits device.profile and runs its rest on the server; "
                         "server.profile (an L-ML) is not used: unset it", type->name);
    if ((type->flags & POLICY_DECIDES_AT_ARRIVAL) && cfg->policy.batch > 1)
        return error_set(err, HI_EINPUT, "policy.batch: %s decides on arrival, one sample at a time; "
                         "policy.batch must be 1", type->name);
    if (cfg->server.batch_max > 1 && cfg->server.reply == REPLY_BATCH)
        return error_set(err, HI_EINPUT, "server.reply: 'batch' answers a transmission at once and does "
                         "not combine with server.batch_max > 1 (GPU batching)");
    return HI_OK;
}

/* The keys a devices: entry may override: what belongs to a device. */
int
engine_device_key(const char *key)
{
    static const char *const prefixes[] = {"device.", "network.", "policy.", "arrivals.", NULL};
    size_t i;
    if (strcmp(key, "trace.order") == 0 || strcmp(key, "trace.samples") == 0 || strcmp(key, "feedback") == 0)
        return 1;
    if (strcmp(key, "network.shared") == 0)
        return 0;
    for (i = 0; prefixes[i]; i++)
        if (strncmp(key, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

/* Decodes %XX escapes of a devices.list field in place. */
static void
unescape(char *s)
{
    char *w = s;
    for (; *s; s++) {
        if (s[0] == '%' && s[1] && s[2]) {
            char hex[3] = {s[1], s[2], 0};
            *w++ = (char)strtol(hex, NULL, 16);
            s += 2;
        } else {
            *w++ = *s;
        }
    }
    *w = '\0';
}

/*
 * devices.list grammar (written by the scenario loader from a `devices:`
 * list; docs/scenarios.md):
 *
 *   list  := entry ('|' entry)*
 *   entry := item (';' item)*
 *   item  := key '=' value          value with %XX escapes for % ; | =
 *
 * `count=N` gives the entry's number of devices (default 1).
 */
static int
parse_groups(struct model *m, const struct hi_config *base, struct hi_error *err)
{
    char *text, *entry, *save_e = NULL;
    size_t n = 1, i, total = 0;
    const char *p;
    if (!base->devices.list[0]) {
        m->groups = calloc(1, sizeof *m->groups);
        if (!m->groups)
            return error_set(err, HI_EINTERNAL, "out of memory");
        m->n_groups = 1;
        m->groups[0].cfg = *base;
        m->groups[0].count = base->devices.count;
        return HI_OK;
    }
    for (p = base->devices.list; *p; p++)
        n += *p == '|';
    m->groups = calloc(n, sizeof *m->groups);
    text = strdup(base->devices.list);
    if (!m->groups || !text) {
        free(text);
        return error_set(err, HI_EINTERNAL, "out of memory");
    }
    m->n_groups = n;
    for (i = 0, entry = strtok_r(text, "|", &save_e); entry; entry = strtok_r(NULL, "|", &save_e), i++) {
        struct group *g = &m->groups[i];
        char *item, *save_i = NULL;
        g->cfg = *base;
        g->count = 1;
        for (item = strtok_r(entry, ";", &save_i); item; item = strtok_r(NULL, ";", &save_i)) {
            char *eq = strchr(item, '=');
            if (!eq) {
                free(text);
                return error_set(err, HI_EINPUT, "devices.list: entry %zu: expected key=value, found '%s'", i + 1, item);
            }
            *eq = '\0';
            unescape(eq + 1);
            if (strcmp(item, "count") == 0) {
                char *end;
                long long c = strtoll(eq + 1, &end, 10);
                if (*end || c < 1 || c > 10000000) {
                    free(text);
                    return error_set(err, HI_EINPUT, "devices.list: entry %zu: count: expected an integer "
                                     "in [1, 10^7], found '%s'", i + 1, eq + 1);
                }
                g->count = (size_t)c;
                continue;
            }
            if (!engine_device_key(item)) {
                free(text);
                return error_set(err, HI_EINPUT, "devices.list: entry %zu: '%s' is not a per-device key "
                                 "(device.*, network.*, policy.*, arrivals.*, trace.order, trace.samples, "
                                 "feedback)", i + 1, item);
            }
            if (strncmp(item, "network.", 8) == 0 && base->network.shared) {
                free(text);
                return error_set(err, HI_EINPUT, "devices.list: entry %zu: %s: per-device networks need "
                                 "network.shared: false (one uplink each)", i + 1, item);
            }
            if (config_set(&g->cfg, item, eq + 1, NULL, err)) {
                free(text);
                return HI_EINPUT;
            }
        }
        /* the entry's own catalog names fill its timing */
        if (profile_apply(&g->cfg, err)) {
            free(text);
            return err->status;
        }
        total += g->count;
    }
    free(text);
    if (total > 10000000)
        return error_set(err, HI_EINPUT, "devices.list: %zu devices in all; at most 10^7", total);
    return HI_OK;
}

/* Two deployments deploy the same network. */
static int
deployment_equal(const struct hi_deployment *a, const struct hi_deployment *b)
{
    unsigned i;
    if (a->n_device != b->n_device || a->has_split != b->has_split || a->n_server != b->n_server)
        return 0;
    if (a->has_split && (a->split != b->split || a->c_thr != b->c_thr))
        return 0;
    for (i = 0; i < a->n_device; i++)
        if (a->device[i] != b->device[i])
            return 0;
    for (i = 0; i < a->n_server; i++)
        if (a->server[i] != b->server[i])
            return 0;
    return 1;
}

/* The policy's deployment: the group's when it is the same (devices of a
 * group deploy one network, and 10^7 devices share one), else its own. */
static int
device_deploy(struct model *m, struct device *d, struct group *g, struct hi_error *err)
{
    struct hi_deployment dep;
    struct exec_deployed *x;
    double bytes, only_s;
    int rc;
    memset(&dep, 0, sizeof dep);
    g->type->deployment(d->policy->state, &dep);
    if (g->dep && deployment_equal(&dep, exec_deployed_plan(g->dep))) {
        d->dep = g->dep;
    } else {
        struct hi_error sub = {0};
        if ((rc = exec_deploy_new(&x, g->exec, &dep, &sub)))
            return error_set(err, rc, "policy.name: %s: %s", g->type->name, sub.msg);
        if (!g->dep)
            g->dep = x;
        else
            d->own_dep = x;
        d->dep = x;
    }
    only_s = exec_deployed_cloud_only_s(d->dep, &bytes);
    d->cloud_only_cost = cloud_cost(&m->price, only_s * 1e3, bytes);
    m->priced = 1;
    return HI_OK;
}

static int
device_build(struct model *m, struct device *d, size_t id, struct group *g,
             double theta_star, struct hi_error *err)
{
    struct hi_policy_env env;
    const struct hi_config *cfg = &g->cfg;
    const struct hi_policy_type *type = g->type;
    memset(d, 0, sizeof *d);
    d->id = id;
    d->cfg = cfg;
    d->group = g;
    d->model = m;
    d->exec = g->exec;
    d->exits = (type->flags & POLICY_EXITS) != 0;
    d->at_arrival = (type->flags & POLICY_DECIDES_AT_ARRIVAL) != 0;
    d->n = cfg->trace.samples ? cfg->trace.samples : m->tr->n;
    d->M = cfg->policy.batch;
    assert(id < UINT32_MAX && d->M < UINT32_MAX);   /* 32-bit fields of struct job */
    d->waits = (type->flags & POLICY_WAITS_FEEDBACK) != 0;
    d->blocking = cfg->arrivals.process == ARRIVALS_BLOCKING;
    d->open = cfg->arrivals.process != ARRIVALS_CLOSED && cfg->arrivals.process != ARRIVALS_BLOCKING;
    d->gate = 1;
    d->cur = d->batch_head = d->batch_last = d->tx_head = d->tx_last = JOB_NONE;
    d->rng_order = rng_stream(cfg->seed, dev_stream(id, 0));
    d->rng_policy = rng_stream(cfg->seed, dev_stream(id, 1));
    d->rng_arrivals = rng_stream(cfg->seed, dev_stream(id, 2));
    d->outcomes = malloc((d->M < d->n ? d->M : d->n) * sizeof *d->outcomes);
    /* a device's p95 is exact up to 4096 samples, then within 0.1%
     * (sim/quantile.h): memory bounded by the statistics */
    if (m->n_dev > 1)
        d->has_resp = quantile_init(&d->resp, 4096) == 0;
    if (!d->rng_order || !d->rng_policy || !d->rng_arrivals || !d->outcomes || (m->n_dev > 1 && !d->has_resp)
        || resource_init(&d->res, 1) || source_init(m, d))
        return error_set(err, HI_EINTERNAL, "out of memory (device %zu)", id);

    memset(&env, 0, sizeof env);
    env.trace = (type->flags & POLICY_ORACLE) ? m->tr : NULL;
    env.conf = m->tr->sml_conf;
    env.rows = m->tr->n;
    env.cost = m->cost;
    env.n = d->n;
    env.theta = cfg->policy.theta;
    if (isnan(env.theta) && (type->flags & POLICY_THETA_STAR)) {
        env.theta = theta_star;
        env.theta_oracle = 1;
    }
    env.eta = cfg->policy.eta;
    env.batch = d->M;
    env.batch_threshold = cfg->policy.batch_threshold;
    env.feedback = cfg->feedback;
    env.n_exits = (unsigned)m->tr->n_exits;
    env.n_layers = exec_n_layers(d->exec);
    env.tau_ed_s = exec_sml_s(d->exec);
    if (m->offload_s >= 0.0) {
        env.tau_off_s = m->offload_s;
    } else {
        struct exec_cost c;
        struct hi_action a = hi_act(HI_ACT_OFFLOAD_RAW, 0);
        const struct channel_spec *ch = m->n_links == 1 ? m->chan : g->chan;
        exec_cost(d->exec, 0, &a, &c);
        env.tau_off_s = channel_tx_seconds(ch, 0.0, c.bytes) + channel_delay_mean_seconds(ch)
                      + m->batch_setup + c.server_s + m->downlink;
    }
    env.rng = d->rng_policy;
    env.param = param;
    env.param_ctx = d;
    env.layers = exec_split_layers(d->exec);
    env.action_cost = action_cost;
    d->policy = policy_new(type, &env, err);
    if (!d->policy)
        return err ? err->status : HI_EINTERNAL;
    /* a deployment is run from the processor's start, not on entry */
    assert(!type->deployment || !d->at_arrival);
    if (type->deployment)
        return device_deploy(m, d, g, err);
    return HI_OK;
}

static void
device_teardown(struct device *d)
{
    policy_free(d->policy);
    exec_deployed_free(d->own_dep);
    if (d->rng_order)
        gsl_rng_free(d->rng_order);
    if (d->rng_policy)
        gsl_rng_free(d->rng_policy);
    if (d->rng_arrivals)
        gsl_rng_free(d->rng_arrivals);
    free(d->perm);
    free(d->outcomes);
    if (d->has_resp)
        quantile_fini(&d->resp);
    resource_fini(&d->res);
}

static int
build(struct model *m, const struct hi_config *cfg, const struct hi_trace *tr,
      const struct hi_policy_type *override, struct engine_result *res, struct hi_error *err)
{
    size_t i, gi, id;
    int rc;
    double theta_star = NAN;
    int need_theta = 0;

    m->cfg = cfg;
    m->tr = tr;
    m->res = res;
    m->cost.beta = cfg->cost.beta;
    m->cost.lml_error = cfg->cost.lml_error;
    m->cost.model = cfg->cost.model;
    if (m->cost.model == COST_FILTER && !tr->relevant)
        return error_set(err, HI_EINPUT, "cost.model: 'filter' needs a trace with a 'relevant' column; %s has none",
                         tr->path ? tr->path : "the trace");
    if ((rc = channel_spec_load(&m->chan, cfg, err)) || (rc = parse_groups(m, cfg, err)))
        return rc;
    m->downlink = cfg->network.downlink_ms * 1e-3;
    m->offload_s = isnan(cfg->network.offload_ms) ? -1.0 : cfg->network.offload_ms * 1e-3;
    m->reply_batch = cfg->server.reply == REPLY_BATCH;
    m->exponential = cfg->server.service == SERVICE_EXPONENTIAL;
    m->batch_max = cfg->server.batch_max;
    m->batch_timeout = cfg->server.batch_timeout_ms * 1e-3;
    m->batch_setup = cfg->server.batch_setup_ms * 1e-3;
    m->price.invocation = cfg->cloud.price_invocation;
    m->price.gb_s = cfg->cloud.price_gb_s;
    m->price.ghz_s = cfg->cloud.price_ghz_s;
    m->price.egress_gb = cfg->cloud.price_egress_gb;
    m->price.billing_ms = cfg->cloud.billing_ms;
    m->price.mem_gb = cfg->cloud.mem_gb;
    m->price.cpu_ghz = cfg->cloud.cpu_ghz;
    for (gi = 0; gi < m->n_groups; gi++) {
        struct group *g = &m->groups[gi];
        g->type = override ? override : policy_lookup(g->cfg.policy.name);
        if (!g->type)
            return error_set(err, HI_EINPUT, "policy.name: unknown policy '%s'", g->cfg.policy.name);
        if ((rc = exec_model_new(&g->exec, &g->cfg, tr, err)))
            return rc;
        if (!cfg->network.shared && (rc = channel_spec_load(&g->chan, &g->cfg, err)))
            return rc;
        if ((rc = validate(m, g, err)))
            return rc;
        if (isnan(g->cfg.policy.theta) && (g->type->flags & POLICY_THETA_STAR))
            need_theta = 1;
        if (g->type->flags & POLICY_ORACLE)
            res->oracle = 1;
        m->n_dev += g->count;
    }
    if (need_theta) {
        struct cost_optimum o;
        if (cost_best_threshold(&m->cost, tr, NULL, tr->n, &o))
            return error_set(err, HI_EINTERNAL, "out of memory");
        theta_star = o.theta;
        res->oracle = 1;
    }

    /* a small ring stays in the cache: jobs cycle through all of it; it
     * doubles when more samples are in flight (sim/source.c) */
    m->cap = 64;
    m->jobs = malloc(m->cap * sizeof *m->jobs);
    m->dev = calloc(m->n_dev, sizeof *m->dev);
    m->n_links = cfg->network.shared ? 1 : m->n_dev;
    m->links = calloc(m->n_links, sizeof *m->links);
    /* one device needs no allocation (callers that never free a result
     * leak nothing) */
    res->devices = m->n_dev == 1 ? &res->device0 : calloc(m->n_dev, sizeof *res->devices);
    m->server.timer_at = -1.0;
    m->server.rng = rng_stream(cfg->seed, RNG_SERVER);
    if (!m->jobs || !m->dev || !m->links || !res->devices || !m->server.rng
        || resource_init(&m->server.res, (unsigned)cfg->server.workers))
        return error_set(err, HI_EINTERNAL, "out of memory");
    for (id = 0, gi = 0; gi < m->n_groups; gi++)
        for (i = 0; i < m->groups[gi].count; i++, id++) {
            if ((rc = device_build(m, &m->dev[id], id, &m->groups[gi], theta_star, err)))
                return rc;
            m->total += m->dev[id].n;
        }
    for (i = 0; i < m->n_links; i++) {
        struct link *L = &m->links[i];
        L->chan = m->n_links == 1 ? m->chan : m->dev[i].group->chan;
        L->rng = rng_stream(cfg->seed, m->n_links == 1 ? RNG_NETWORK : dev_stream(i, 3));
        if (!L->rng || resource_init(&L->res, 1))
            return error_set(err, HI_EINTERNAL, "out of memory");
        channel_link_init(&L->ch, L->chan);
    }
    for (i = 0; i < m->n_dev; i++)
        m->dev[i].link = &m->links[m->n_links == 1 ? 0 : i];
    m->next_checkpoint = 1;
    if (quantile_init(&m->responses, QUANTILE_EXACT_MAX) || regret_init(&m->regret, tr, &m->cost))
        return error_set(err, HI_EINTERNAL, "out of memory (%zu samples)", m->total);

    snprintf(res->policy, sizeof res->policy, "%s", m->groups[0].type->name);
    if (m->groups[0].type->describe)
        m->groups[0].type->describe(m->dev[0].policy->state, res->policy_desc, sizeof res->policy_desc);
    for (gi = 1; gi < m->n_groups; gi++)
        if (m->groups[gi].type != m->groups[0].type) {
            snprintf(res->policy, sizeof res->policy, "mixed");
            snprintf(res->policy_desc, sizeof res->policy_desc, "(devices: entries run different policies)");
            break;
        }
    return HI_OK;
}

static void
teardown(struct model *m)
{
    size_t i;
    if (m->dev)
        for (i = 0; i < m->n_dev; i++)
            device_teardown(&m->dev[i]);
    free(m->dev);
    if (m->links)
        for (i = 0; i < m->n_links; i++) {
            if (m->links[i].rng)
                gsl_rng_free(m->links[i].rng);
            resource_fini(&m->links[i].res);
        }
    free(m->links);
    if (m->server.rng)
        gsl_rng_free(m->server.rng);
    resource_fini(&m->server.res);
    if (m->groups)
        for (i = 0; i < m->n_groups; i++) {
            exec_model_free(m->groups[i].exec);
            exec_deployed_free(m->groups[i].dep);
            channel_spec_free(m->groups[i].chan);
        }
    free(m->groups);
    channel_spec_free(m->chan);
    free(m->jobs);
    quantile_fini(&m->responses);
    regret_fini(&m->regret);
}

int
engine_run(const struct hi_config *cfg, const struct hi_trace *trace,
           const struct engine_hooks *hooks,
           struct engine_result *res, struct hi_error *err)
{
    const struct hi_policy_type *type;
    struct hi_trace view;
    struct model m;
    struct kernel k;
    size_t i;
    int rc;

    memset(&m, 0, sizeof m);
    memset(res, 0, sizeof *res);
    if (hooks) {
        m.on_record = hooks->on_record;
        m.on_progress = hooks->on_progress;
        m.ctx = hooks->ctx;
    }
    rc = trace_view_confidence(trace, cfg->trace.confidence[0] ? cfg->trace.confidence : "sml_conf", &view, err);
    if (rc)
        return rc;
    type = hooks && hooks->policy ? hooks->policy : NULL;
    kernel_init(&k);
    k.interrupt = hooks ? hooks->interrupt : NULL;
    m.k = &k;
    rc = build(&m, cfg, &view, type, res, err);
    if (rc) {
        teardown(&m);
        kernel_fini(&k);
        trace_view_free(&view);
        engine_result_free(res);
        return rc;
    }
    for (i = 0; i < m.n_dev && !m.failed; i++)
        source_start(&m, &m.dev[i]);
    if (kernel_run(&k))
        m.failed = 1;
    if (k.interrupted)
        res->interrupted = 1;
    else if (!m.failed && m.head != m.total)
        m.failed = 1;  /* every sample must be retired */
    if (!m.failed)
        metrics_finish(&m);
    if (m.on_progress)
        m.on_progress(m.ctx, m.head, m.total);
    kernel_fini(&k);
    teardown(&m);
    trace_view_free(&view);
    if (m.failed) {
        engine_result_free(res);
        return error_set(err, HI_EINTERNAL, "run failed: out of memory or a write error");
    }
    if (res->interrupted)
        return error_set(err, HI_EINTR, "interrupted after %zu of %zu samples", res->n, m.total);
    return HI_OK;
}

void
engine_result_free(struct engine_result *res)
{
    if (res->devices != &res->device0)
        free(res->devices);
    res->devices = NULL;
}
