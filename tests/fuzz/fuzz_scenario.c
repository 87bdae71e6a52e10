/*
 * fuzz_scenario.c — the scenario loader (sim/scenario.c, sim/config.c)
 * on arbitrary bytes, then the device catalog lookups a scenario's
 * device, server and network names lead to (sim/profile.c), against the
 * shipped catalog ($HISIM_DEVICES, set by make fuzz and by the replay).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/config.h"
#include "sim/profile.h"
#include "sim/scenario.h"

static void fuzz_setup(void) {}

static void
fuzz_one(const unsigned char *data, size_t len)
{
    struct hi_error err = {0};
    struct hi_config cfg;
    char *json;

    config_defaults(&cfg);
    if (scenario_load_text("fuzz.yaml", (const char *)data, len, "/nonexistent", &cfg, &err))
        return;
    if (profile_apply(&cfg, &err))
        return;
    json = config_to_json(&cfg);    /* every key formats */
    free(json);
}

#include "tests/fuzz/harness.h"
