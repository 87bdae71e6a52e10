/* remote.c — remote inference: every sample is sent raw, before any local
 * inference (001 §3 remote inference; 000 §5 (4) full offload). */
#include "policies/policy.h"

static struct hi_action
decide(void *st, const struct hi_view *v, double *q_off)
{
    (void)st;
    *q_off = 1.0;
    /* at arrival: the only stage this policy is asked at */
    (void)v;
    return hi_act(HI_ACT_OFFLOAD_RAW, 0);
}

const struct hi_policy_type hi_policy_remote = {
    .name = "remote",
    .summary = "send every sample raw, without running the S-ML (000 full offload, 001 remote inference)",
    .size = 0,
    .flags = POLICY_DECIDES_AT_ARRIVAL,
    .decide = decide,
};
