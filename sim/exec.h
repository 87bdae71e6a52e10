/*
 * exec.h — the execution model: for a sample and an action, the device
 * time, the bytes sent, the server time and the device energy.
 */
#ifndef HISIM_EXEC_H
#define HISIM_EXEC_H

#include <stddef.h>
#include "sim/config.h"
#include "traces/sample.h"
#include "traces/trace.h"

struct exec_cost {
    double device_s;
    double bytes;
    double server_s;
    double device_mj;
};

struct exec_model;

int exec_model_new(struct exec_model **out, const struct hi_config *cfg, const struct hi_trace *tr,
                   struct hi_error *err);
void exec_model_free(struct exec_model *m);
double exec_sml_s(const struct exec_model *m);
double exec_exit_s(const struct exec_model *m, unsigned k);
unsigned exec_n_exits(const struct exec_model *m);
unsigned exec_n_layers(const struct exec_model *m);
void exec_cost(const struct exec_model *m, size_t row, const struct hi_action *a, struct exec_cost *c);

#endif
