/*
 * profile.h — fills a configuration's timing and energy keys from the
 * device catalog (traces/catalog.h), after the scenario and -s are applied.
 *
 * Precedence, highest first: a key set in the scenario or with -s, then
 * the catalog, then the schema default.  A key the catalog entry has no
 * figure for keeps its scenario or default value.  Which catalog figure
 * fills which key (docs/catalog.md has the full table):
 *
 *   device.name + device.model (+ dataset, device.precision), models[]:
 *     latency_ms -> device.tau_ed_ms   (required unless set explicitly)
 *     energy_mj  -> device.energy_sml_mj
 *   device.name, the device's own network[] for dataset (001 Table 3):
 *     energy_mj  -> device.energy_offload_mj
 *   server.name + server.model (+ dataset), models[]:
 *     latency_ms -> server.tau_es_ms   (inference only, as 002 §IV uses it)
 *     preprocess_ms -> server.preprocess_ms  (001 §4.1; only when tau_es_ms
 *                                       is the catalog's figure)
 *   network.name, network[] for dataset (else its first entry):
 *     rate_mbps -> network.rate_mbps (without one: bytes·8/latency_ms),
 *     delay_ms -> network.delay_ms, bytes -> network.bytes;
 *     power_w -> device.tx_power_w, and then device.energy_offload_mj = 0
 *     (the engine charges power × transmission time, 001 §4.2.1);
 *     without power_w, energy_mj -> device.energy_offload_mj
 *     (the named network's figures win over the device's own)
 *
 * Then the layer profiles (docs/exec-model.md):
 *   device.profile: sum of cpu_ms / device.speed -> device.tau_ed_ms (a
 *     catalog energy_sml_mj is scaled with it: the device's power stays)
 *   server.profile: sum of cpu_ms / server.speed -> server.tau_es_ms
 *   device.power_w (not auto) x device.tau_ed_ms -> device.energy_sml_mj
 *   the profile's raw sample bytes -> network.bytes, unless set or filled
 *     by network.name
 * An explicit time next to the profile that gives it is HI_EINPUT.
 *
 * Values filled here are not marked as set: config_is_set still tells an
 * explicit key from a filled one, and applying twice changes nothing.
 */
#ifndef HISIM_PROFILE_H
#define HISIM_PROFILE_H

#include "sim/config.h"

/* Applies the catalog entries named in cfg.  HI_EINPUT when a name, model
 * or figure cannot be found; the message names the scenario key and the
 * catalog file. */
int profile_apply(struct hi_config *cfg, struct hi_error *err);

#endif
