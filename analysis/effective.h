/*
 * effective.h — a run's effective configuration as a scenario.
 *
 * Every key of the schema (sim/config.h) that the scenario or -s set, in
 * table order, as a flat YAML mapping of dotted keys ("policy.theta:
 * 0.6744064"): numbers in their shortest round-trip form, strings
 * double-quoted, keywords (optimal, auto, all) as they are.  Keys that
 * were not set but are not at their default either (the catalog's
 * figures) follow as comment lines "#~ key: value", so a YAML reader sees
 * the scenario and effective_read sees both, each key marked set or not
 * as it was: the same configuration, which is what `hisim rerun` replays.
 * Keys left out are at their default and were not set.  File keys are made
 * absolute first, so the text means the same from any directory.
 */
#ifndef HISIM_EFFECTIVE_H
#define HISIM_EFFECTIVE_H

#include "sim/config.h"

/* The YAML text (malloc'd), or NULL when memory runs out. */
char *effective_yaml(const struct hi_config *cfg);

#define EFFECTIVE_UNSET "#~ "

/* Applies an effective configuration from effective_yaml on top of cfg
 * (set to defaults by the caller); `name` names it in messages. */
int effective_read(const char *name, const char *text, struct hi_config *cfg, struct hi_error *err);

/* Replaces every path key that names an existing file by its canonical
 * absolute path (realpath).  0, or HI_EINPUT when one is too long. */
int effective_absolute_paths(struct hi_config *cfg, struct hi_error *err);

#endif
