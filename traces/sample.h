/*
 * sample.h — what a decision policy sees: one sample before the decision
 * and the outcome of a decided sample afterwards.
 *
 * These are the only types policies share with the simulator.  A sample
 * carries the S-ML outputs of one trace row; the row index lets a policy
 * read further columns (early exits, the full softmax) from the trace.
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
 *                tensor, let the server run the rest (k = 0: raw input)
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

struct hi_sample {
    size_t t;                    /* round, 0-based, in decision order */
    size_t row;                  /* trace row */
    double p;                    /* S-ML confidence (max softmax) */
    const struct hi_trace *trace;
};

struct hi_outcome {
    size_t t;
    size_t row;
    double p;
    int offloaded;               /* the decision taken */
    double q_off;                /* the probability it was offloaded with */
    int y_sml;                   /* 1: the S-ML answer is wrong */
    int y_lml;                   /* 1: the L-ML answer is wrong */
    double cost_accept;          /* what accepting costs (or would have) */
    double cost_offload;         /* what offloading costs (or would have) */
};

#endif
