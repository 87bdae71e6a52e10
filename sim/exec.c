/*
 * exec.c — the execution model (exec.h; docs/exec-model.md).
 *
 * Times are kept in ms as the configuration and the profiles give them and
 * turned into seconds with `* 1e-3` at the end, the conversion the engine
 * applies to the constants, so that the default model reproduces today's
 * times bit for bit.
 */
#include "sim/exec.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct exec_model {
    struct hi_layers dev, srv;       /* device.profile, server.profile; n = 0 when absent */
    const struct hi_layers *split;   /* &srv, else &dev, else NULL */
    double dev_speed, srv_speed;
    double sml_ms, sml_mj;           /* the S-ML: time and energy */
    double lml_s;                    /* preprocessing + L-ML */
    double pre_ms;                   /* server.preprocess_ms */
    double power_w;                  /* compute power, W = mJ/ms; NaN: not defined */
    const double *row_bytes;         /* the trace's bytes column, or NULL */
    size_t n_rows;
    double bytes;                    /* network.bytes */
};

int
exec_check_config(const struct hi_config *cfg, struct hi_error *err)
{
    int dev = cfg->device.profile[0] != '\0', srv = cfg->server.profile[0] != '\0';

    if (dev && config_is_set(cfg, "device.tau_ed_ms"))
        return error_set(err, HI_EINPUT,
                         "device.tau_ed_ms and device.profile both give the S-ML time: set one "
                         "(device.speed scales the profile's times)");
    if (srv && config_is_set(cfg, "server.tau_es_ms"))
        return error_set(err, HI_EINPUT,
                         "server.tau_es_ms and server.profile both give the L-ML time: set one "
                         "(server.speed scales the profile's times)");
    if (config_is_set(cfg, "device.power_w") && !isnan(cfg->device.power_w) &&
        config_is_set(cfg, "device.energy_sml_mj"))
        return error_set(err, HI_EINPUT,
                         "device.power_w and device.energy_sml_mj both give the S-ML energy: set one");
    if (!dev && !srv && (config_is_set(cfg, "device.speed") || config_is_set(cfg, "server.speed")))
        return error_set(err, HI_EINPUT,
                         "%s is set but neither device.profile nor server.profile is "
                         "(speed factors divide a profile's times)",
                         config_is_set(cfg, "device.speed") ? "device.speed" : "server.speed");
    return HI_OK;
}

int
exec_load_profile(struct hi_layers *L, const char *key, const char *path, struct hi_error *err)
{
    struct hi_error sub = {0};
    if (layers_load(L, path, &sub))
        return error_set(err, sub.status, "%s (while loading %s)", sub.msg, key);
    if (!L->has_cpu_ms) {
        error_set(err, HI_EINPUT, "%s: %s has no cpu_ms column (the per-layer times of the model)", key, path);
        layers_free(L);
        return HI_EINPUT;
    }
    return HI_OK;
}

void
exec_model_free(struct exec_model *m)
{
    if (!m)
        return;
    layers_free(&m->dev);
    layers_free(&m->srv);
    free(m);
}

int
exec_model_new(struct exec_model **out, const struct hi_config *cfg, const struct hi_trace *tr,
               struct hi_error *err)
{
    struct exec_model *m;
    double lml_ms;

    *out = NULL;
    if (exec_check_config(cfg, err))
        return HI_EINPUT;
    if (!(m = calloc(1, sizeof *m)))
        return error_set(err, HI_EINTERNAL, "out of memory");
    m->dev_speed = cfg->device.speed;
    m->srv_speed = cfg->server.speed;
    m->pre_ms = cfg->server.preprocess_ms;
    m->bytes = cfg->network.bytes;
    if (tr && tr->bytes) {
        m->row_bytes = tr->bytes;
        m->n_rows = tr->n;
    }
    if (cfg->device.profile[0] && exec_load_profile(&m->dev, "device.profile", cfg->device.profile, err))
        goto fail;
    if (cfg->server.profile[0] && exec_load_profile(&m->srv, "server.profile", cfg->server.profile, err))
        goto fail;
    m->split = m->srv.n ? &m->srv : m->dev.n ? &m->dev : NULL;
    if (tr && tr->n_exits && m->dev.n_exits && tr->n_exits != m->dev.n_exits) {
        error_set(err, HI_EINPUT, "device.profile: %s has %zu early exits, the trace %s has %zu (ee1 .. ee%zu)",
                  m->dev.path, m->dev.n_exits, tr->path ? tr->path : "", tr->n_exits, tr->n_exits);
        goto fail;
    }

    /* the S-ML: the device's whole model */
    m->sml_ms = m->dev.n ? layers_ms(&m->dev, 0, m->dev.n, m->dev_speed) : cfg->device.tau_ed_ms;
    /* the L-ML; preprocessing of the received sample first (001 §4.1) */
    lml_ms = m->srv.n ? layers_ms(&m->srv, 0, m->srv.n, m->srv_speed) : cfg->server.tau_es_ms;
    m->lml_s = (lml_ms + m->pre_ms) * 1e-3;

    /* compute energy: an explicit power, else the S-ML's own energy per ms */
    if (!isnan(cfg->device.power_w)) {
        m->power_w = cfg->device.power_w;
        m->sml_mj = m->power_w * m->sml_ms;
    } else {
        m->sml_mj = cfg->device.energy_sml_mj;
        m->power_w = m->sml_ms > 0.0 ? m->sml_mj / m->sml_ms : m->sml_mj == 0.0 ? 0.0 : NAN;
        if (isnan(m->power_w) && (m->split || m->dev.n_exits)) {
            error_set(err, HI_EINPUT,
                      "device.energy_sml_mj = %g mJ for an S-ML time of 0 ms gives no power for exits and "
                      "splits: set device.power_w", m->sml_mj);
            goto fail;
        }
    }
    *out = m;
    return HI_OK;

fail:
    exec_model_free(m);
    return HI_EINPUT;
}

double
exec_sml_s(const struct exec_model *m)
{
    return m->sml_ms * 1e-3;
}

double
exec_lml_s(const struct exec_model *m)
{
    return m->lml_s;
}

unsigned
exec_n_exits(const struct exec_model *m)
{
    return (unsigned)m->dev.n_exits;
}

unsigned
exec_n_layers(const struct exec_model *m)
{
    return m->split ? (unsigned)m->split->n : 0u;
}

const struct hi_layers *
exec_split_layers(const struct exec_model *m)
{
    return m->split;
}

const struct hi_layers *
exec_device_layers(const struct exec_model *m)
{
    return m->dev.n ? &m->dev : NULL;
}

double
exec_exit_s(const struct exec_model *m, unsigned k)
{
    size_t from;
    assert(k >= 1 && k <= m->dev.n_exits);
    from = k > 1 ? m->dev.exit_end[k - 2] : 0;
    return layers_ms(&m->dev, from, m->dev.exit_end[k - 1], m->dev_speed) * 1e-3;
}

/* The payload of a whole sample: the trace's bytes column, else network.bytes. */
static double
sample_bytes(const struct exec_model *m, size_t row)
{
    if (m->row_bytes) {
        assert(row < m->n_rows);
        return m->row_bytes[row];
    }
    return m->bytes;
}

void
exec_cost(const struct exec_model *m, size_t row, const struct hi_action *a, struct exec_cost *c)
{
    double ms;   /* device compute, ms */

    switch (a->kind) {
    case HI_ACT_ACCEPT:
        c->device_s = m->sml_ms * 1e-3;
        c->bytes = 0.0;
        c->server_s = 0.0;
        c->device_mj = m->sml_mj;
        return;
    case HI_ACT_OFFLOAD:
        assert(a->k <= m->dev.n_exits);
        if (a->k == 0) {
            c->device_s = m->sml_ms * 1e-3;
            c->device_mj = m->sml_mj;
        } else {
            ms = layers_exit_ms(&m->dev, a->k, m->dev_speed);
            c->device_s = ms * 1e-3;
            c->device_mj = m->power_w * ms;
        }
        c->bytes = sample_bytes(m, row);
        c->server_s = m->lml_s;
        return;
    case HI_ACT_OFFLOAD_RAW:   /* 000 §5 full offload: no local inference */
        c->device_s = 0.0;
        c->bytes = sample_bytes(m, row);
        c->server_s = m->lml_s;
        c->device_mj = 0.0;
        return;
    case HI_ACT_EXIT:
        assert(a->k >= 1 && a->k <= m->dev.n_exits);
        ms = layers_exit_ms(&m->dev, a->k, m->dev_speed);
        c->device_s = ms * 1e-3;
        c->bytes = 0.0;
        c->server_s = 0.0;
        c->device_mj = m->power_w * ms;
        return;
    case HI_ACT_SPLIT: {
        /* Neurosurgeon: T(k) = sum_{i<=k} t^ed_i + transfer of D_k + sum_{i>k} t^es_i */
        const struct hi_layers *L = m->split;
        assert(L && a->k <= L->n);
        ms = layers_ms(L, 0, a->k, m->dev_speed);
        c->device_s = ms * 1e-3;
        c->device_mj = m->power_w * ms;
        if (a->k == L->n) {            /* all local */
            c->bytes = 0.0;
            c->server_s = 0.0;
        } else if (a->k == 0) {        /* the sample itself, as OFFLOAD_RAW sends it */
            c->bytes = sample_bytes(m, row);
            c->server_s = (layers_ms(L, 0, L->n, m->srv_speed) + m->pre_ms) * 1e-3;
        } else {                       /* an intermediate tensor: no preprocessing */
            c->bytes = layers_out_bytes(L, a->k);
            c->server_s = layers_ms(L, a->k, L->n, m->srv_speed) * 1e-3;
        }
        return;
    }
    case HI_ACT_CONTINUE:
        break;
    }
    assert(!"exec_cost: not a final action (CONTINUE) or an unknown kind");
    abort();
}

/* ---- deployments (003 EdgeLessPart) ---- */

struct exec_deployed {
    struct hi_deployment dep;
    double stage_s[TRACE_MAX_EXITS];       /* device stage i */
    double to_ms[TRACE_MAX_EXITS + 1];     /* [d]: device compute through d device exits, ms */
    double tail_ms[TRACE_MAX_EXITS + 1];   /* [d]: from there to the split layer, ms */
    double dev_power_w;
    double split_bytes;                    /* output of the split layer (split >= 1) */
    double srv_to_ms[TRACE_MAX_EXITS];     /* server compute from the split through server exit j, ms */
    double srv_final_ms;                   /* ... through the last row, every server exit evaluated */
    double srv_bytes[TRACE_MAX_EXITS];     /* server exit j's output tensor */
    double final_bytes;                    /* the last row's output */
    unsigned final_exit;                   /* k of the exit ending the profile, or 0 */
    double pre_ms;                         /* preprocessing of a raw sample (split 0) */
    double only_s, only_bytes;             /* cloud-only inference */
};

void
exec_deployed_free(struct exec_deployed *x)
{
    free(x);
}

const struct hi_deployment *
exec_deployed_plan(const struct exec_deployed *x)
{
    return &x->dep;
}

/* Prefix sums of cpu_ms over rows 1..r of the rows that `keep` selects:
 * c[0] = 0, c[r] = c[r − 1] + (row r kept ? cpu_ms : 0). */
static void
masked_cum(const struct hi_layers *L, const unsigned char *keep, double *c)
{
    size_t r;
    c[0] = 0.0;
    for (r = 0; r < L->n; r++)
        c[r + 1] = c[r] + (keep[r] ? L->cpu_ms[r] : 0.0);
}

int
exec_deploy_new(struct exec_deployed **out, const struct exec_model *m, const struct hi_deployment *dep,
                struct hi_error *err)
{
    const struct hi_layers *L = &m->dev;
    struct exec_deployed *x = NULL;
    unsigned char *in_dev = NULL, *in_srv = NULL, *in_bb = NULL;
    unsigned char on_dev[TRACE_MAX_EXITS + 1] = {0}, on_srv[TRACE_MAX_EXITS + 1] = {0};
    size_t *nbb = NULL, first[TRACE_MAX_EXITS + 1] = {0};
    double *cd = NULL, *cs = NULL, *cb = NULL;
    unsigned i, k, final;
    size_t r, split_bb = 0;
    int rc = HI_EINPUT;

    *out = NULL;
    if (!L->n || !L->n_exits)
        return error_set(err, HI_EINPUT, "a deployment of early exits needs device.profile with exits (ee<k>.* rows)");
    if (dep->has_split && m->srv.n)
        return error_set(err, HI_EINPUT, "the deployment splits device.profile and the server runs the rest of it: "
                         "server.profile (%s) is not used; unset it", m->srv.path);
    if (!dep->n_device && !dep->has_split)
        return error_set(err, HI_EINPUT, "the deployment runs no exit on the device and does not split");
    if (!dep->has_split && dep->n_server)
        return error_set(err, HI_EINPUT, "the deployment has server exits but no split");
    if (dep->n_device > L->n_exits || dep->n_server > L->n_exits || isnan(dep->c_thr))
        return error_set(err, HI_EINPUT, "the deployment lists more exits than device.profile has, or c_thr is NaN");
    final = L->exit_end[L->n_exits - 1] == L->n ? (unsigned)L->n_exits : 0u;
    for (i = 0; i < dep->n_device; i++) {
        k = dep->device[i];
        if (k < 1 || k > L->n_exits || (i && k <= dep->device[i - 1]))
            return error_set(err, HI_EINPUT, "the deployment's device exits must be increasing exits 1..%zu of %s",
                             L->n_exits, L->path);
        if (k == final && (i + 1 < dep->n_device || dep->has_split))
            return error_set(err, HI_EINPUT, "the deployment runs the final classifier ee%u on the device: it must "
                             "be the last device exit, with no split after it", k);
        on_dev[k] = 1;
    }
    for (i = 0; i < dep->n_server; i++) {
        k = dep->server[i];
        if (k < 1 || k > L->n_exits || k == final || (i && k <= dep->server[i - 1]))
            return error_set(err, HI_EINPUT, "the deployment's server exits must be increasing side exits of %s "
                             "(the final classifier always answers)", L->path);
        on_srv[k] = 1;
    }
    if (dep->has_split && dep->split >= L->n)
        return error_set(err, HI_EINPUT, "the deployment splits at layer %u of %zu: the split must leave the server "
                         "a layer", dep->split, L->n);
    if (dep->has_split && dep->split && L->exit_of[dep->split - 1] && L->exit_of[dep->split - 1] != final)
        return error_set(err, HI_EINPUT, "the deployment splits after layer %u (%s), a row of exit ee%u: the split "
                         "must be a backbone layer", dep->split, L->name[dep->split - 1], L->exit_of[dep->split - 1]);

    x = calloc(1, sizeof *x);
    in_dev = malloc(L->n);
    in_srv = malloc(L->n);
    in_bb = malloc(L->n);
    nbb = malloc((L->n + 1) * sizeof *nbb);
    cd = malloc((L->n + 1) * sizeof *cd);
    cs = malloc((L->n + 1) * sizeof *cs);
    cb = malloc((L->n + 1) * sizeof *cb);
    if (!x || !in_dev || !in_srv || !in_bb || !nbb || !cd || !cs || !cb) {
        rc = error_set(err, HI_EINTERNAL, "out of memory");
        goto fail;
    }
    nbb[0] = 0;
    for (r = 0; r < L->n; r++) {
        unsigned e = L->exit_of[r];
        in_bb[r] = !e || e == final;
        in_dev[r] = in_bb[r] || on_dev[e];
        in_srv[r] = in_bb[r] || on_srv[e];
        nbb[r + 1] = nbb[r] + in_bb[r];
        if (e && !first[e])
            first[e] = r + 1;
    }
    /* where the exits hang: the backbone layers before an exit's first
     * row; a device exit at or before the split, a server exit after it */
    if (dep->has_split) {
        split_bb = nbb[dep->split];
        for (i = 0; i < dep->n_device; i++)
            if (nbb[first[dep->device[i]] - 1] > split_bb) {
                error_set(err, HI_EINPUT, "the deployment runs exit ee%u on the device, but it hangs after the split "
                          "layer %u", dep->device[i], dep->split);
                goto fail;
            }
        for (i = 0; i < dep->n_server; i++)
            if (nbb[first[dep->server[i]] - 1] <= split_bb) {
                error_set(err, HI_EINPUT, "the deployment runs exit ee%u on the server, but it hangs before the split "
                          "layer %u", dep->server[i], dep->split);
                goto fail;
            }
    }
    masked_cum(L, in_dev, cd);
    masked_cum(L, in_srv, cs);
    masked_cum(L, in_bb, cb);

    x->dep = *dep;
    x->final_exit = final;
    x->dev_power_w = m->power_w;
    x->pre_ms = m->pre_ms;
    x->to_ms[0] = 0.0;
    for (i = 0; i < dep->n_device; i++) {
        size_t from = i ? L->exit_end[dep->device[i - 1] - 1] : 0, to = L->exit_end[dep->device[i] - 1];
        x->stage_s[i] = (cd[to] - cd[from]) / m->dev_speed * 1e-3;
        x->to_ms[i + 1] = cd[to] / m->dev_speed;
    }
    if (dep->has_split) {
        for (i = 0; i <= dep->n_device; i++) {
            size_t from = i ? L->exit_end[dep->device[i - 1] - 1] : 0;
            x->tail_ms[i] = dep->split > from ? (cb[dep->split] - cb[from]) / m->dev_speed : 0.0;
        }
        x->split_bytes = dep->split ? layers_out_bytes(L, dep->split) : NAN;
        for (i = 0; i < dep->n_server; i++) {
            size_t end = L->exit_end[dep->server[i] - 1];
            x->srv_to_ms[i] = (cs[end] - cs[dep->split]) / m->srv_speed;
            x->srv_bytes[i] = L->output_bytes[end - 1];
        }
        x->srv_final_ms = (cs[L->n] - cs[dep->split]) / m->srv_speed;
    }
    x->final_bytes = L->output_bytes[L->n - 1];
    x->only_s = (cb[L->n] / m->srv_speed + m->pre_ms) * 1e-3;
    x->only_bytes = x->final_bytes;
    *out = x;
    x = NULL;
    rc = HI_OK;
fail:
    free(x);
    free(in_dev);
    free(in_srv);
    free(in_bb);
    free(nbb);
    free(cd);
    free(cs);
    free(cb);
    return rc;
}

double
exec_deployed_stage_s(const struct exec_deployed *x, unsigned i)
{
    assert(i < x->dep.n_device);
    return x->stage_s[i];
}

double
exec_deployed_tail_s(const struct exec_deployed *x, unsigned done)
{
    assert(x->dep.has_split && done <= x->dep.n_device);
    return x->tail_ms[done] * 1e-3;
}

void
exec_deployed_cost(const struct exec_model *m, const struct exec_deployed *x, size_t row, unsigned done,
                   const struct hi_action *a, struct exec_cost *c)
{
    double ms;
    assert(done <= x->dep.n_device);
    switch (a->kind) {
    case HI_ACT_EXIT:
        assert(done >= 1 && a->k == x->dep.device[done - 1]);
        ms = x->to_ms[done];
        c->bytes = 0.0;
        c->server_s = 0.0;
        break;
    case HI_ACT_SPLIT:
        assert(x->dep.has_split && a->k == x->dep.split);
        ms = x->to_ms[done] + x->tail_ms[done];
        c->bytes = x->dep.split ? x->split_bytes : sample_bytes(m, row);
        c->server_s = (x->srv_final_ms + (x->dep.split ? 0.0 : x->pre_ms)) * 1e-3;
        break;
    case HI_ACT_OFFLOAD:   /* the raw sample after the exits, as without a deployment */
        assert(done >= 1);
        ms = x->to_ms[done];
        c->bytes = sample_bytes(m, row);
        c->server_s = m->lml_s;
        break;
    default:
        assert(!"exec_deployed_cost: not EXIT, SPLIT or OFFLOAD");
        abort();
    }
    c->device_s = ms * 1e-3;
    c->device_mj = x->dev_power_w * ms;
}

/* 003 §II: "In case the local EEs do not yield accuracy greater than
 * c_thr, it will offload to the cloud, where the next network part will
 * continue as it happens in the edge." */
void
exec_server_run(const struct exec_deployed *x, const struct hi_trace *tr, size_t row, struct exec_server_run *r)
{
    double pre = x->dep.split ? 0.0 : x->pre_ms;
    unsigned j;
    assert(x->dep.has_split && row < tr->n);
    for (j = 0; j < x->dep.n_server; j++) {
        unsigned k = x->dep.server[j];
        assert(k <= tr->n_exits && tr->ee_conf[k - 1]);
        if (tr->ee_conf[k - 1][row] > x->dep.c_thr) {   /* "greater than c_thr" */
            r->server_s = (x->srv_to_ms[j] + pre) * 1e-3;
            r->exit = k;
            r->final = 0;
            r->answer_bytes = x->srv_bytes[j];
            return;
        }
    }
    r->server_s = (x->srv_final_ms + pre) * 1e-3;
    r->exit = x->final_exit;
    r->final = 1;
    r->answer_bytes = x->final_bytes;
}

double
exec_deployed_cloud_only_s(const struct exec_deployed *x, double *answer_bytes)
{
    if (answer_bytes)
        *answer_bytes = x->only_bytes;
    return x->only_s;
}
