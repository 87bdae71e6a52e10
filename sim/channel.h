/*
 * channel.h — the network models of the system model: the per-transmission
 * delay, the uplink rate, and the loss of transmission attempts
 * (docs/system-model.md, "Networks").
 *
 * Two kinds of object:
 *
 *   struct channel_spec  what the scenario's network.* keys describe, with
 *                        its files loaded.  Immutable after
 *                        channel_spec_load: every link of a run, and every
 *                        run of a sweep, may share one spec read-only.
 *   struct channel_link  the mutable state of one link: the Gilbert–Elliott
 *                        state and counters.  Public so that the engine can
 *                        embed links in its own structs.
 *
 * Every random draw comes from the generator the caller passes (the engine
 * gives each link its own stream, sim/rng.h); with the defaults (const
 * delay, ideal channel, constant rate) nothing is drawn and the figures are
 * exactly bytes·8/rate and network.delay_ms, as before these models.
 *
 * Costs: a delay draw and a loss draw are O(1); channel_tx_seconds is
 * O(1) for a constant rate, and O(log S + J) for a rate file of S steps
 * when the transmission spans J of them (a binary search for the first).
 */
#ifndef HISIM_CHANNEL_H
#define HISIM_CHANNEL_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "sim/config.h"
#include "traces/error.h"

/* network.delay_dist; channel_delay_names[] holds the names in this order. */
enum channel_delay_dist {
    CHANNEL_DELAY_CONST,
    CHANNEL_DELAY_UNIFORM,
    CHANNEL_DELAY_EXPONENTIAL,
    CHANNEL_DELAY_SHIFTED_EXPONENTIAL,
    CHANNEL_DELAY_LOGNORMAL,
    CHANNEL_DELAY_GAMMA,
    CHANNEL_DELAY_EMPIRICAL
};
extern const char *const channel_delay_names[];   /* NULL-terminated */

/* network.channel; channel_kind_names[] holds the names in this order. */
enum channel_kind { CHANNEL_IDEAL, CHANNEL_GILBERT_ELLIOTT };
extern const char *const channel_kind_names[];    /* NULL-terminated */

/* Gilbert–Elliott states. */
enum channel_state { CHANNEL_GOOD = 0, CHANNEL_BAD = 1 };

struct channel_spec;

struct channel_link {
    int state;             /* enum channel_state of the next attempt; -1 before the first */
    uint64_t attempts;     /* attempts made on the link */
    uint64_t losses;       /* attempts lost */
};

/* Reads the network.* keys of cfg and loads network.delay_file and
 * network.rate_file.  HI_EINPUT for a combination that defines no model
 * (the message names the key) or a bad file (file:line:col: what was
 * expected); HI_EINTERNAL when memory runs out.  *out is NULL on failure. */
int channel_spec_load(struct channel_spec **out, const struct hi_config *cfg, struct hi_error *err);

void channel_spec_free(struct channel_spec *sp);

/* Seconds to push `bytes` onto the link when the first bit leaves at
 * t_start_s (seconds since the start of the run, >= 0).  Constant rate:
 * bytes·8/rate.  With network.rate_file, the t_end at which the integral
 * of the rate over [t_start_s, t_end] reaches bytes·8 (the least such
 * t_end): a transmission across a step is split exactly, a zero-rate step
 * only waits, and the last step's rate holds for ever. */
double channel_tx_seconds(const struct channel_spec *sp, double t_start_s, double bytes);

/* One per-transmission delay, seconds (mean channel_delay_mean_seconds). */
double channel_delay_seconds(const struct channel_spec *sp, gsl_rng *r);

/* The mean and the standard deviation of the delay distribution, seconds:
 * network.delay_ms (and its sd by the closed form), or those of the lines
 * of network.delay_file for `empirical`. */
double channel_delay_mean_seconds(const struct channel_spec *sp);
double channel_delay_sd_seconds(const struct channel_spec *sp);

/* A link before its first attempt. */
void channel_link_init(struct channel_link *l, const struct channel_spec *sp);

/* 1 when this transmission attempt is lost.  Gilbert–Elliott: the first
 * attempt's state is drawn from the stationary distribution; an attempt in
 * state s is lost with probability network.ge_loss_{good,bad}, then the
 * chain steps once (Good -> Bad with ge_p_gb, Bad -> Good with ge_p_bg).
 * Ideal: always 0, and nothing is drawn. */
int channel_attempt_lost(const struct channel_spec *sp, struct channel_link *l, gsl_rng *r);

/* network.retx_timeout_ms in seconds: a lost attempt that ended (its last
 * bit left) at t is known to be lost at t + timeout, and the next attempt
 * of the same transmission joins the uplink queue then. */
double channel_retx_timeout_seconds(const struct channel_spec *sp);

/* network.retx_limit: attempts per transmission, the first included; when
 * all of them are lost, the transmission's samples fail. */
unsigned channel_retx_limit(const struct channel_spec *sp);

/* network.channel of the spec. */
enum channel_kind channel_spec_kind(const struct channel_spec *sp);

#endif
