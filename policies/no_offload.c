/* no_offload.c — tinyML: accept every S-ML answer (000 §3, "No Offload"). */
#include "policies/policy.h"

static enum hi_choice
decide(void *st, const struct hi_sample *s, double *q_off)
{
    (void)st;
    (void)s;
    *q_off = 0.0;
    return HI_ACCEPT;
}

const struct hi_policy_type hi_policy_no_offload = {
    .name = "no-offload",
    .summary = "accept every S-ML answer (tinyML)",
    .size = 0,
    .decide = decide,
};
