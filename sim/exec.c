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
