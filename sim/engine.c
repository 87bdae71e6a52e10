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

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/model.h"
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

static int
validate(const struct model *m, const struct hi_config *cfg, const struct hi_policy_type *type,
         struct hi_error *err)
{
    const struct hi_trace *tr = m->tr;
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
    if ((type->flags & POLICY_EXITS) && tr->n_exits == 0)
        return error_set(err, HI_EINPUT, "policy.name: %s decides at early exits; %s has no ee<k>_conf columns",
                         type->name, tr->path ? tr->path : "the trace");
    if ((type->flags & POLICY_EXITS) && exec_n_exits(m->exec) == 0)
        return error_set(err, HI_EINPUT, "policy.name: %s decides at early exits and needs device.profile "
                         "with the exits' layers (ee<k>.* rows)", type->name);
    if ((type->flags & POLICY_EXITS) && exec_n_exits(m->exec) != tr->n_exits)
        return error_set(err, HI_EINPUT, "device.profile has %u exits, the trace %zu", exec_n_exits(m->exec),
                         tr->n_exits);
    if ((type->flags & POLICY_DECIDES_AT_ARRIVAL) && cfg->policy.batch > 1)
        return error_set(err, HI_EINPUT, "policy.batch: %s decides on arrival, one sample at a time; "
                         "policy.batch must be 1", type->name);
    if (cfg->server.batch_max > 1 && cfg->server.reply == REPLY_BATCH)
        return error_set(err, HI_EINPUT, "server.reply: 'batch' answers a transmission at once and does "
                         "not combine with server.batch_max > 1 (GPU batching)");
    return HI_OK;
}

static int
device_build(struct model *m, struct device *d, size_t id, const struct hi_config *cfg,
             const struct hi_policy_type *type, double theta_star, struct hi_error *err)
{
    struct hi_policy_env env;
    memset(d, 0, sizeof *d);
    d->id = id;
    d->cfg = cfg;
    d->n = cfg->trace.samples ? cfg->trace.samples : m->tr->n;
    d->M = cfg->policy.batch;
    d->waits = (type->flags & POLICY_WAITS_FEEDBACK) != 0;
    d->blocking = cfg->arrivals.process == ARRIVALS_BLOCKING;
    d->open = cfg->arrivals.process != ARRIVALS_CLOSED && cfg->arrivals.process != ARRIVALS_BLOCKING;
    d->gate = 1;
    d->cur = d->batch_head = d->batch_last = d->tx_head = d->tx_last = JOB_NONE;
    d->rng_order = rng_stream(cfg->seed, dev_stream(id, 0));
    d->rng_policy = rng_stream(cfg->seed, dev_stream(id, 1));
    d->rng_arrivals = rng_stream(cfg->seed, dev_stream(id, 2));
    d->outcomes = malloc((d->M < d->n ? d->M : d->n) * sizeof *d->outcomes);
    if (m->n_dev > 1)
        d->resp = malloc(d->n * sizeof *d->resp);
    if (!d->rng_order || !d->rng_policy || !d->rng_arrivals || !d->outcomes || (m->n_dev > 1 && !d->resp)
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
    env.n_layers = exec_n_layers(m->exec);
    env.tau_ed_s = exec_sml_s(m->exec);
    if (m->offload_s >= 0.0) {
        env.tau_off_s = m->offload_s;
    } else {
        struct exec_cost c;
        struct hi_action a = hi_act(HI_ACT_OFFLOAD_RAW, 0);
        exec_cost(m->exec, 0, &a, &c);
        env.tau_off_s = channel_tx_seconds(m->chan, 0.0, c.bytes) + channel_delay_mean_seconds(m->chan)
                      + m->batch_setup + c.server_s + m->downlink;
    }
    env.rng = d->rng_policy;
    env.param = param;
    env.param_ctx = d;
    d->policy = policy_new(type, &env, err);
    if (!d->policy)
        return err ? err->status : HI_EINTERNAL;
    return HI_OK;
}

static void
device_teardown(struct device *d)
{
    policy_free(d->policy);
    if (d->rng_order)
        gsl_rng_free(d->rng_order);
    if (d->rng_policy)
        gsl_rng_free(d->rng_policy);
    if (d->rng_arrivals)
        gsl_rng_free(d->rng_arrivals);
    free(d->perm);
    free(d->outcomes);
    free(d->resp);
    resource_fini(&d->res);
}

static int
build(struct model *m, const struct hi_config *cfg, const struct hi_trace *tr,
      const struct hi_policy_type *type, struct engine_result *res, struct hi_error *err)
{
    size_t i;
    int rc;
    double theta_star = NAN;

    m->cfg = cfg;
    m->tr = tr;
    m->res = res;
    m->cost.beta = cfg->cost.beta;
    m->cost.lml_error = cfg->cost.lml_error;
    m->cost.model = cfg->cost.model;
    if (m->cost.model == COST_FILTER && !tr->relevant)
        return error_set(err, HI_EINPUT, "cost.model: 'filter' needs a trace with a 'relevant' column; %s has none",
                         tr->path ? tr->path : "the trace");
    if (!type)
        return error_set(err, HI_EINPUT, "policy.name: unknown policy '%s'", cfg->policy.name);
    if (cfg->policy.batch == 0)
        return error_set(err, HI_EINPUT, "policy.batch: 'auto' must be resolved to M* before the run "
                         "(hisim run does; batchsize_resolve)");
    if ((rc = exec_model_new(&m->exec, cfg, tr, err)) || (rc = channel_spec_load(&m->chan, cfg, err)))
        return rc;
    if ((rc = validate(m, cfg, type, err)))
        return rc;
    m->downlink = cfg->network.downlink_ms * 1e-3;
    m->offload_s = isnan(cfg->network.offload_ms) ? -1.0 : cfg->network.offload_ms * 1e-3;
    m->reply_batch = cfg->server.reply == REPLY_BATCH;
    m->exits = (type->flags & POLICY_EXITS) != 0;
    m->at_arrival = (type->flags & POLICY_DECIDES_AT_ARRIVAL) != 0;
    m->exponential = cfg->server.service == SERVICE_EXPONENTIAL;
    m->batch_max = cfg->server.batch_max;
    m->batch_timeout = cfg->server.batch_timeout_ms * 1e-3;
    m->batch_setup = cfg->server.batch_setup_ms * 1e-3;
    m->n_dev = cfg->devices.count;

    if (isnan(cfg->policy.theta) && (type->flags & POLICY_THETA_STAR)) {
        struct cost_optimum o;
        if (cost_best_threshold(&m->cost, tr, NULL, tr->n, &o))
            return error_set(err, HI_EINTERNAL, "out of memory");
        theta_star = o.theta;
        res->oracle = 1;
    }
    if (type->flags & POLICY_ORACLE)
        res->oracle = 1;

    m->cap = 1024;
    m->jobs = malloc(m->cap * sizeof *m->jobs);
    m->dev = calloc(m->n_dev, sizeof *m->dev);
    m->n_links = cfg->network.shared ? 1 : m->n_dev;
    m->links = calloc(m->n_links, sizeof *m->links);
    res->devices = calloc(m->n_dev, sizeof *res->devices);
    m->server.timer_at = -1.0;
    m->server.rng = rng_stream(cfg->seed, RNG_SERVER);
    if (!m->jobs || !m->dev || !m->links || !res->devices || !m->server.rng
        || resource_init(&m->server.res, (unsigned)cfg->server.workers))
        return error_set(err, HI_EINTERNAL, "out of memory");
    for (i = 0; i < m->n_links; i++) {
        struct link *L = &m->links[i];
        L->rng = rng_stream(cfg->seed, m->n_links == 1 ? RNG_NETWORK : dev_stream(i, 3));
        if (!L->rng || resource_init(&L->res, 1))
            return error_set(err, HI_EINTERNAL, "out of memory");
        channel_link_init(&L->ch, m->chan);
    }
    for (i = 0; i < m->n_dev; i++) {
        if ((rc = device_build(m, &m->dev[i], i, cfg, type, theta_star, err)))
            return rc;
        m->dev[i].link = &m->links[m->n_links == 1 ? 0 : i];
        m->total += m->dev[i].n;
    }
    m->responses = malloc(m->total * sizeof *m->responses);
    m->next_checkpoint = 1;
    if (!m->responses || regret_init(&m->regret, tr, &m->cost))
        return error_set(err, HI_EINTERNAL, "out of memory (%zu samples)", m->total);

    snprintf(res->policy, sizeof res->policy, "%s", type->name);
    if (type->describe)
        type->describe(m->dev[0].policy->state, res->policy_desc, sizeof res->policy_desc);
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
    exec_model_free(m->exec);
    channel_spec_free(m->chan);
    free(m->jobs);
    free(m->responses);
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
    type = hooks && hooks->policy ? hooks->policy : policy_lookup(cfg->policy.name);
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
    free(res->devices);
    res->devices = NULL;
}
