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
