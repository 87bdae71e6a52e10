/*
 * sample.h — what a decision policy sees: one sample before the decision
 * and the outcome of a decided sample afterwards.
 *
 * These are the only types policies share with the simulator.  A view
 * carries what the device's own models output on one trace row (the
 * confidence, prediction and softmax at the stage being decided, the
 * exits seen so far); it never carries a label.
 */
#ifndef HISIM_SAMPLE_H
#define HISIM_SAMPLE_H

#include <stddef.h>
#include "traces/trace.h"

/* A decision.  The engine asserts on a kind it does not know; it never
 * reads an unknown action as an accept.
 *
 *   ACCEPT       answer with the device's own inference (S-ML, or the
 *                exit being decided on)
 *   OFFLOAD      send the sample to the server after the S-ML ran
 *   OFFLOAD_RAW  send it before any local inference (000 §5 full
 *                offload, OMA, OMD; 001 remote inference)
 *   EXIT         answer with early exit k (1-based)
 *   CONTINUE     at an exit k: run on to exit k + 1; before the S-ML:
 *                run it
 *   SPLIT        run layers 1..k on the device, send layer k's output
 *                tensor, let the server run the rest (k = 0: raw input);
 *                at an early exit of a policy with a deployment (below):
 *                after the exits, the deployment's split layer k
 */
enum hi_action_kind {
    HI_ACT_ACCEPT = 0,
    HI_ACT_OFFLOAD,
    HI_ACT_OFFLOAD_RAW,
    HI_ACT_EXIT,
    HI_ACT_CONTINUE,
    HI_ACT_SPLIT
};

struct hi_action {
    enum hi_action_kind kind;
    unsigned k;                  /* EXIT: exit number; SPLIT: layers on the device */
};

/* The early-exit network a policy deploys (003 EdgeLessPart), declared
 * once after init (hi_policy_type.deployment).  Exits are numbered k as
 * ee<k> of device.profile.  The device runs its backbone and only the
 * exits in `device`, and the policy is asked only at those; the rows of
 * every other exit cost nothing.  With a split, the sample that passes
 * the device's exits is sent at layer `split` (its output tensor; 0: the
 * raw sample) and the server runs the rest of the same network with the
 * exits in `server`: it answers with the first whose confidence exceeds
 * c_thr, else with the final classifier.  Without device exits the
 * device splits every sample at once (there is nothing to decide). */
struct hi_deployment {
    unsigned n_device;                   /* exits run on the device */
    unsigned device[TRACE_MAX_EXITS];    /* their k, increasing */
    int has_split;                       /* 1: SPLIT after the device's exits */
    unsigned split;                      /* layer (1-based row of device.profile) whose output is sent */
    unsigned n_server;                   /* exits run on the server after the split */
    unsigned server[TRACE_MAX_EXITS];    /* their k, increasing */
    double c_thr;                        /* a server exit answers when its confidence > c_thr */
};

/* Where in a sample's life a decision is asked for. */
enum hi_stage {
    HI_STAGE_ARRIVAL = 0,        /* before any local inference (policies with
                                  * POLICY_DECIDES_AT_ARRIVAL): OFFLOAD_RAW,
                                  * SPLIT k, or CONTINUE to run the local model */
    HI_STAGE_SML,                /* after the S-ML: ACCEPT or OFFLOAD */
    HI_STAGE_EXIT                /* at early exit `exit` (POLICY_EXITS): EXIT,
                                  * CONTINUE (not at the last exit) or OFFLOAD;
                                  * with a deployment that splits, SPLIT at its
                                  * split layer */
};

/* What a device knows of a sample when it decides.  No labels: the row
 * is a key into the confidence column the policy was given at init
 * (hi_policy_env.conf), never into the trace. */
struct hi_view {
    size_t t;                    /* the device's round, 0-based, in decision order */
    size_t row;                  /* trace row (a key, see above) */
    enum hi_stage stage;
    unsigned exit;               /* HI_STAGE_EXIT: the exit, 1-based */
    unsigned n_exits;            /* exits of the device's model (0: none) */
    double p;                    /* confidence at this stage; NaN at arrival */
    double p2;                   /* second-largest softmax; NaN when unknown */
    int pred;                    /* prediction at this stage; -1 at arrival */
    const double *softmax;       /* the S-ML's softmax (n_classes), or NULL */
    size_t n_classes;
    const double *exit_conf;     /* exits 1..exit seen so far (index k − 1), or NULL;
                                  * NaN (pred −1) for an exit not deployed */
    const int *exit_pred;
    double bytes;                /* payload of the sample if sent */
};

/* What a device observes of a decided sample.  The L-ML's answer to an
 * offloaded sample serves as its label: the device knows whether its own
 * answer agreed.  The true costs are filled only under `feedback: full`
 * (the HIL-F assumption of 002), else they are NaN. */
struct hi_outcome {
    size_t t;
    size_t row;
    double p;                    /* confidence the decision was taken on */
    struct hi_action action;     /* the final action */
    double q_off;                /* probability the sample was offloaded with */
    int offloaded;               /* sent to the server (OFFLOAD, OFFLOAD_RAW, SPLIT) */
    int failed;                  /* every transmission was lost: no answer */
    int local_pred;              /* the device's own answer; -1 when none ran */
    int server_pred;             /* the L-ML's answer; -1 unless offloaded and answered */
    /* Costs with the L-ML's answer taken as the label: known only for an
     * answered offloaded sample whose local model ran (else NaN).
     * obs_cost_offload is β under cost.model classify. */
    double obs_cost_accept, obs_cost_offload;
    /* The true costs of accepting and offloading (feedback: full). */
    double cost_accept, cost_offload;
};

#endif
