/*
 * exec.h — the execution model: what one sample costs under one action.
 *
 * For a sample (a trace row) decided with an action (traces/sample.h) the
 * model gives the device's compute time, the bytes sent uplink, the
 * server's compute time and the device's compute energy.  Queueing,
 * transmission and radio energy are the engine's; the model knows only
 * work.  docs/exec-model.md has every formula and where it comes from.
 *
 * Two sources of times, chosen by the configuration:
 *   - the constants (the default): device.tau_ed_ms for the S-ML,
 *     server.tau_es_ms + server.preprocess_ms for the L-ML;
 *   - layer profiles (traces/layers.h): device.profile is the device's
 *     model (an S-ML or an early-exit network), server.profile the L-ML;
 *     profile times are divided by device.speed / server.speed.  Splits
 *     cut the split network: server.profile when set, else device.profile.
 *
 * A model is built once per run and is immutable afterwards: every device
 * of a run shares it read-only.  Every query is O(1).
 */
#ifndef HISIM_EXEC_H
#define HISIM_EXEC_H

#include <stddef.h>

#include "sim/config.h"
#include "traces/error.h"
#include "traces/layers.h"
#include "traces/sample.h"
#include "traces/trace.h"

struct exec_cost {
    double device_s;   /* device compute time */
    double bytes;      /* payload sent uplink (0: nothing is sent) */
    double server_s;   /* server time: preprocessing + L-ML or the split's server part */
    double device_mj;  /* device compute energy (radio energy is the engine's) */
};

struct exec_model;

/* Builds the model of cfg (after profile_apply) for trace tr (its bytes
 * column; tr may be NULL: no column).  HI_EINPUT for a bad or missing
 * profile, a profile without cpu_ms, a profile whose exits do not match
 * the trace's ee<k> columns, an explicit device.tau_ed_ms or
 * server.tau_es_ms next to the profile that gives the same time, an
 * explicit energy_sml_mj next to device.power_w, or a speed without a
 * profile. */
int exec_model_new(struct exec_model **out, const struct hi_config *cfg, const struct hi_trace *tr,
                   struct hi_error *err);
void exec_model_free(struct exec_model *m);

/* Stage costs, s. */
double exec_sml_s(const struct exec_model *m);                /* S-ML on the device */
double exec_lml_s(const struct exec_model *m);                /* preprocessing + L-ML on the server */
double exec_exit_s(const struct exec_model *m, unsigned k);   /* from exit k - 1 (or the start) to exit k, staged */
unsigned exec_n_exits(const struct exec_model *m);            /* exits of device.profile; 0 without */
unsigned exec_n_layers(const struct exec_model *m);           /* layers of the split network; 0 without */

/* The split network and the device's profile, or NULL. */
const struct hi_layers *exec_split_layers(const struct exec_model *m);
const struct hi_layers *exec_device_layers(const struct exec_model *m);

/*
 * Totals for the sample of trace row `row` decided with action a:
 *   ACCEPT        the S-ML on the device; nothing sent
 *   OFFLOAD       k = 0: after the S-ML; k >= 1: after exit k of an
 *                 early-exit device model (device time through exit k,
 *                 staged).  The sample's bytes; preprocessing + L-ML
 *   OFFLOAD_RAW   no device compute; the sample's bytes; preprocessing + L-ML
 *   EXIT k        device time through exit k (staged); nothing sent
 *   SPLIT k       layers 1..k of the split network on the device; layer
 *                 k's output (k = 0: the sample's bytes, plus
 *                 preprocessing) to the server, which runs k+1..N;
 *                 k = N: all local, nothing sent
 * The sample's bytes are the trace's `bytes` column, else network.bytes.
 * Compute energy: device.energy_sml_mj for the S-ML, else the device's
 * power times its compute time.  An unknown kind, CONTINUE (not a final
 * decision), or k out of range is an assertion failure.
 */
void exec_cost(const struct exec_model *m, size_t row, const struct hi_action *a, struct exec_cost *c);

/* The checks of exec_model_new that need only the configuration, for
 * profile_apply: conflicting keys, a speed without a profile. */
int exec_check_config(const struct hi_config *cfg, struct hi_error *err);

/* Loads the profile of scenario key `key` and requires its cpu_ms column;
 * the message of a bad file ends in "(while loading KEY)". */
int exec_load_profile(struct hi_layers *L, const char *key, const char *path, struct hi_error *err);

#endif
