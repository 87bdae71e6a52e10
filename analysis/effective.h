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
 * absolute first (those of devices.list entries too), so the text means
 * the same from any directory.
 *
 * The files a run reads besides its trace (layer profiles, delay and rate
 * files, LR training traces: every path key, and the path keys of
 * devices.list entries) follow as comment lines with their SHA-256,
 *
 *   #= sha256 9f86d081...0a08 device.profile "/abs/profile.csv"
 *   #= sha256 - devices[2].network.delay_file "/abs/missing.txt"
 *
 * ("-": the file could not be read when the run started), which `hisim
 * rerun` checks before it replays the run.
 */
#ifndef HISIM_EFFECTIVE_H
#define HISIM_EFFECTIVE_H

#include <stddef.h>

#include "sim/config.h"
#include "traces/sha256.h"

/* An input file of a run: the key that names it ("device.profile",
 * "devices[2].network.delay_file"), its path and its SHA-256 ("" when it
 * could not be read). */
struct effective_input {
    char key[128];
    char path[CONFIG_PATH_MAX];
    char sha256[SHA256_HEX];
};

struct effective_inputs {
    struct effective_input *v;
    size_t n;
};

/* The input files cfg names (trace.file aside: the run stores the trace's
 * checksum itself), in key order, each hashed now.  HI_EINTERNAL when
 * memory runs out. */
int effective_inputs_of(const struct hi_config *cfg, struct effective_inputs *out, struct hi_error *err);

/* The input files recorded in an effective configuration's text. */
int effective_inputs_read(const char *text, struct effective_inputs *out, struct hi_error *err);

/* Hashes every recorded input again: HI_EINPUT naming the first file
 * that is gone or whose SHA-256 changed since `since` ("run 7"). */
int effective_inputs_check(const struct effective_inputs *in, const char *since, struct hi_error *err);

void effective_inputs_free(struct effective_inputs *in);

/* The YAML text with the checksum lines of `in` (may be NULL) at the
 * end (malloc'd), or NULL when memory runs out. */
char *effective_yaml(const struct hi_config *cfg, const struct effective_inputs *in);

#define EFFECTIVE_UNSET "#~ "
#define EFFECTIVE_INPUT "#= sha256 "

/* Applies an effective configuration from effective_yaml on top of cfg
 * (set to defaults by the caller); `name` names it in messages. */
int effective_read(const char *name, const char *text, struct hi_config *cfg, struct hi_error *err);

/* Replaces every path key that names an existing file by its canonical
 * absolute path (realpath), in devices.list entries too.  0, or HI_EINPUT
 * when one is too long. */
int effective_absolute_paths(struct hi_config *cfg, struct hi_error *err);

#endif
