/* no_offload.c — tinyML: accept every S-ML answer (000 §3 "No Offload",
 * 000 §5 (1) tinyML).  Registered as `no-offload` and as `tinyml`. */
#include "policies/policy.h"

static struct hi_action
decide(void *st, const struct hi_view *v, double *q_off)
{
    (void)st;
    (void)v;
    *q_off = 0.0;
    return hi_act(HI_ACT_ACCEPT, 0);
}

const struct hi_policy_type hi_policy_no_offload = {
    .name = "no-offload",
    .summary = "accept every S-ML answer (tinyML)",
    .size = 0,
    .decide = decide,
};

const struct hi_policy_type hi_policy_tinyml = {
    .name = "tinyml",
    .summary = "tinyML (000 §5): the same as no-offload",
    .size = 0,
    .decide = decide,
};
