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

/*
 * A deployment (traces/sample.h, struct hi_deployment: 003 EdgeLessPart)
 * on this model, its times worked out once so that every query is O(1).
 * The deployed network is the backbone of device.profile (every row but
 * those of side exits; an exit that ends the profile is its final
 * classifier and belongs to the backbone) and the deployed exits' rows:
 *
 *   device exit i (0-based)  stage time: the deployed device network's
 *                 rows after device exit i − 1 (or the start) through
 *                 the last row of exit device[i]
 *   SPLIT after i exits      the backbone rows from there to the split
 *                 layer (exits not reached are not run); layer split's
 *                 output is sent (split 0: the sample's bytes, and the
 *                 server's preprocessing)
 *   the server    the backbone after the split and the server exits'
 *                 rows, stopping after the first server exit whose
 *                 confidence is > c_thr, else at the last row
 *
 * Times are the profile's divided by device.speed and server.speed.  A
 * built deployment holds no pointer into the model and is read-only.
 */
struct exec_deployed;

/* Checks dep against the model and builds it.  HI_EINPUT when the model
 * has no device.profile with exits, when server.profile is set next to a
 * split (the server runs the rest of device.profile), for exits out of
 * order or out of range, a final classifier that is not the last device
 * exit or sits before a split, a split layer that is not a backbone layer
 * or is the last layer, a device exit hanging after the split or a server
 * exit before it, server exits without a split, or nothing deployed. */
int exec_deploy_new(struct exec_deployed **out, const struct exec_model *m, const struct hi_deployment *dep,
                    struct hi_error *err);
void exec_deployed_free(struct exec_deployed *x);
const struct hi_deployment *exec_deployed_plan(const struct exec_deployed *x);

/* Device time of stage i (0-based device exit), s. */
double exec_deployed_stage_s(const struct exec_deployed *x, unsigned i);
/* Device time from the end of the first `done` device exits (the start
 * when done = 0) to the split layer, s; 0 when the split layer comes
 * before the exit's rows (an exit hanging at the split). */
double exec_deployed_tail_s(const struct exec_deployed *x, unsigned done);

/*
 * Totals under the deployment for the sample of row `row` after `done`
 * device exits ran and action a was decided:
 *   EXIT k      k = device[done − 1]: the device through that exit
 *   SPLIT k     k = split: the device through `done` exits and the tail
 *               to the split; the split's bytes; server_s is the whole
 *               server part with every server exit evaluated (the most it
 *               takes: exec_server_run gives the sample's own)
 *   OFFLOAD     after `done` exits (done >= 1), the raw sample to the L-ML
 * Energy is the device's power times its compute time.  Anything else is
 * an assertion failure.
 */
void exec_deployed_cost(const struct exec_model *m, const struct exec_deployed *x, size_t row, unsigned done,
                        const struct hi_action *a, struct exec_cost *c);

/* What the server does with a sample split under a deployment. */
struct exec_server_run {
    double server_s;      /* compute of the layers run (preprocessing first at split 0), s */
    unsigned exit;        /* the exit k that answered; 0: the final classifier of a profile without a named one */
    int final;            /* 1: the final classifier answered */
    double answer_bytes;  /* the answering exit's output tensor: the reply */
};

/* The server part for trace row `row`: the first server exit whose
 * ee<k>_conf is > c_thr answers, else the final classifier.  O(server exits). */
void exec_server_run(const struct exec_deployed *x, const struct hi_trace *tr, size_t row,
                     struct exec_server_run *r);

/* Cloud-only inference of the deployment's network, the reference of a
 * relative cloud cost (003 §III): the whole backbone on the server after
 * preprocessing, no exits, s; and its answer's bytes. */
double exec_deployed_cloud_only_s(const struct exec_deployed *x, double *answer_bytes);

/* The checks of exec_model_new that need only the configuration, for
 * profile_apply: conflicting keys, a speed without a profile. */
int exec_check_config(const struct hi_config *cfg, struct hi_error *err);

/* Loads the profile of scenario key `key` and requires its cpu_ms column;
 * the message of a bad file ends in "(while loading KEY)". */
int exec_load_profile(struct hi_layers *L, const char *key, const char *path, struct hi_error *err);

#endif
