/* full_offload.c — offload every sample to the L-ML (000 §3, "Full Offload"). */
#include "policies/policy.h"

static enum hi_choice
decide(void *st, const struct hi_sample *s, double *q_off)
{
    (void)st;
    (void)s;
    *q_off = 1.0;
    return HI_OFFLOAD;
}

const struct hi_policy_type hi_policy_full_offload = {
    .name = "full-offload",
    .summary = "offload every sample to the L-ML",
    .size = 0,
    .decide = decide,
};
