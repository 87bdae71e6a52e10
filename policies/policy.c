/* policy.c — the generic layer and the registry of policy types. */
#include "policies/policy.h"

#include <stdlib.h>
#include <string.h>

extern const struct hi_policy_type hi_policy_no_offload;
extern const struct hi_policy_type hi_policy_full_offload;
extern const struct hi_policy_type hi_policy_fixed_threshold;
extern const struct hi_policy_type hi_policy_hil_f;
extern const struct hi_policy_type hi_policy_batch_hi;
extern const struct hi_policy_type hi_policy_hil_n;
extern const struct hi_policy_type hi_policy_tinyml;
extern const struct hi_policy_type hi_policy_remote;
extern const struct hi_policy_type hi_policy_omd;
extern const struct hi_policy_type hi_policy_oma_random;
extern const struct hi_policy_type hi_policy_oma_worst;
extern const struct hi_policy_type hi_policy_oma_amr2;
extern const struct hi_policy_type hi_policy_lr;
extern const struct hi_policy_type hi_policy_neurosurgeon;
extern const struct hi_policy_type hi_policy_ee;
extern const struct hi_policy_type hi_policy_ee_hi;
extern const struct hi_policy_type hi_policy_hedge_hi;
extern const struct hi_policy_type hi_policy_hedge_hi_restart;
extern const struct hi_policy_type hi_policy_edgelesspart;

const struct hi_policy_type *const policy_types[] = {
    &hi_policy_no_offload,
    &hi_policy_full_offload,
    &hi_policy_fixed_threshold,
    &hi_policy_hil_f,
    &hi_policy_batch_hi,
    &hi_policy_hil_n,
    &hi_policy_tinyml,
    &hi_policy_remote,
    &hi_policy_omd,
    &hi_policy_oma_random,
    &hi_policy_oma_worst,
    &hi_policy_oma_amr2,
    &hi_policy_lr,
    &hi_policy_neurosurgeon,
    &hi_policy_ee,
    &hi_policy_ee_hi,
    &hi_policy_hedge_hi,
    &hi_policy_hedge_hi_restart,
    &hi_policy_edgelesspart,
    NULL
};

const struct hi_policy_type *
policy_lookup(const char *name)
{
    size_t i;
    for (i = 0; policy_types[i]; i++)
        if (strcmp(policy_types[i]->name, name) == 0)
            return policy_types[i];
    return NULL;
}

struct hi_policy *
policy_new(const struct hi_policy_type *type, const struct hi_policy_env *env,
           struct hi_error *err)
{
    struct hi_policy *p = calloc(1, sizeof *p);
    if (!p)
        goto nomem;
    p->type = type;
    p->state = calloc(1, type->size ? type->size : 1);
    if (!p->state)
        goto nomem;
    if (type->init && type->init(p->state, env, err) != HI_OK) {
        policy_free(p);      /* fini releases what init got before it failed */
        return NULL;
    }
    return p;
nomem:
    free(p);
    error_set(err, HI_EINTERNAL, "out of memory");
    return NULL;
}

void
policy_free(struct hi_policy *p)
{
    if (!p)
        return;
    if (p->type->fini)
        p->type->fini(p->state);
    free(p->state);
    free(p);
}
