/*
 * scenario.h — reads a YAML scenario into a configuration.
 *
 * The scenario is a mapping of sections (trace, policy, cost, device,
 * network, server, batch) and top-level keys (name, seed); each leaf is a
 * scalar set through config_set, so a scenario key and `-s key.path=value`
 * are the same thing.  A scalar given for a section that has a `name` key
 * sets that key (`policy: hil-f` is `policy: {name: hil-f}`).
 */
#ifndef HISIM_SCENARIO_H
#define HISIM_SCENARIO_H

#include "sim/config.h"

/* Applies the scenario at path on top of cfg (which the caller has set to
 * defaults).  HI_EINPUT with "file:line:col: ..." on bad input. */
int scenario_load(const char *path, struct hi_config *cfg, struct hi_error *err);

/* The same for a scenario held in memory: text[0..len), called `name` in
 * messages; relative paths are resolved against dir (NULL: name's
 * folder). */
int scenario_load_text(const char *name, const char *text, size_t len, const char *dir,
                       struct hi_config *cfg, struct hi_error *err);

#endif
