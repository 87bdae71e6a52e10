/*
 * effective.h — a run's effective configuration as a scenario.
 *
 * Every key of the schema (sim/config.h), in table order, as a flat YAML
 * mapping of dotted keys ("policy.theta: 0.6744064"): numbers in their
 * shortest round-trip form, strings double-quoted, keywords (optimal,
 * auto, all) as they are.  The scenario loader reads it back to the same
 * configuration, which is what `hisim rerun` replays.  File keys are made
 * absolute first, so the text means the same from any directory.
 */
#ifndef HISIM_EFFECTIVE_H
#define HISIM_EFFECTIVE_H

#include "sim/config.h"

/* The YAML text (malloc'd), or NULL when memory runs out. */
char *effective_yaml(const struct hi_config *cfg);

/* Replaces every path key that names an existing file by its canonical
 * absolute path (realpath).  0, or HI_EINPUT when one is too long. */
int effective_absolute_paths(struct hi_config *cfg, struct hi_error *err);

#endif
