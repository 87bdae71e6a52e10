/* exec.c — the constant execution model. */
#include "sim/exec.h"

#include <assert.h>
#include <stdlib.h>

struct exec_model {
    const struct hi_trace *tr;
    double tau_ed, tau_es, bytes, e_sml;
};

int
exec_model_new(struct exec_model **out, const struct hi_config *cfg, const struct hi_trace *tr,
               struct hi_error *err)
{
    struct exec_model *m = calloc(1, sizeof *m);
    if (!m)
        return error_set(err, HI_EINTERNAL, "out of memory");
    m->tr = tr;
    m->tau_ed = cfg->device.tau_ed_ms * 1e-3;
    m->tau_es = cfg->server.tau_es_ms * 1e-3;
    m->bytes = cfg->network.bytes;
    m->e_sml = cfg->device.energy_sml_mj;
    *out = m;
    return HI_OK;
}

void exec_model_free(struct exec_model *m) { free(m); }
double exec_sml_s(const struct exec_model *m) { return m->tau_ed; }
double exec_exit_s(const struct exec_model *m, unsigned k) { (void)k; return m->tau_ed; }
unsigned exec_n_exits(const struct exec_model *m) { (void)m; return 0; }
unsigned exec_n_layers(const struct exec_model *m) { (void)m; return 0; }

void
exec_cost(const struct exec_model *m, size_t row, const struct hi_action *a, struct exec_cost *c)
{
    double bytes = m->tr->bytes ? m->tr->bytes[row] : m->bytes;
    c->device_s = m->tau_ed;
    c->device_mj = m->e_sml;
    c->bytes = 0.0;
    c->server_s = 0.0;
    switch (a->kind) {
    case HI_ACT_ACCEPT:
        break;
    case HI_ACT_OFFLOAD:
        c->bytes = bytes;
        c->server_s = m->tau_es;
        break;
    case HI_ACT_OFFLOAD_RAW:
        c->device_s = 0.0;
        c->device_mj = 0.0;
        c->bytes = bytes;
        c->server_s = m->tau_es;
        break;
    default:
        assert(!"exec_cost: action needs a profile");
    }
}
