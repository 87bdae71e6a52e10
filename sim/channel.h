/*
 * channel.h — what a transmission costs: rate, per-transmission delay and
 * losses (the channel model; who transmits and when is the link's).
 *
 * A channel_spec is immutable after loading and shared read-only by every
 * link of a run; a channel_link holds one link's mutable channel state.
 */
#ifndef HISIM_CHANNEL_H
#define HISIM_CHANNEL_H

#include <gsl/gsl_rng.h>
#include "sim/config.h"

struct channel_spec;

struct channel_link {
    int bad;                 /* Gilbert–Elliott state */
};

int channel_spec_load(struct channel_spec **out, const struct hi_config *cfg, struct hi_error *err);
void channel_spec_free(struct channel_spec *sp);
/* Seconds to push `bytes` onto the link from t_start_s. */
double channel_tx_seconds(const struct channel_spec *sp, double t_start_s, double bytes);
/* One per-transmission delay, seconds. */
double channel_delay_seconds(const struct channel_spec *sp, gsl_rng *r);
void channel_link_init(struct channel_link *l, const struct channel_spec *sp);
/* 1 when this attempt is lost. */
int channel_attempt_lost(const struct channel_spec *sp, struct channel_link *l, gsl_rng *r);
double channel_retx_timeout_seconds(const struct channel_spec *sp);
unsigned channel_retx_limit(const struct channel_spec *sp);

#endif
