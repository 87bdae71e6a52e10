/* full_offload.c — offload every sample to the L-ML after running the
 * S-ML on it (the S-ML's time and energy are spent; its answer is not
 * used).  `remote` (policies/remote.c) sends samples without the S-ML,
 * as 000 §5's full offload and 001's remote inference do. */
#include "policies/policy.h"

static struct hi_action
decide(void *st, const struct hi_view *v, double *q_off)
{
    (void)st;
    (void)v;
    *q_off = 1.0;
    return hi_act(HI_ACT_OFFLOAD, 0);
}

const struct hi_policy_type hi_policy_full_offload = {
    .name = "full-offload",
    .summary = "run the S-ML, then offload every sample (see remote for offloading without the S-ML)",
    .size = 0,
    .decide = decide,
};
