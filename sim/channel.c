/* channel.c — constant rate and delay, no losses. */
#include "sim/channel.h"

#include <stdlib.h>

struct channel_spec {
    double rate_bps, delay_s;
};

int
channel_spec_load(struct channel_spec **out, const struct hi_config *cfg, struct hi_error *err)
{
    struct channel_spec *sp = calloc(1, sizeof *sp);
    if (!sp)
        return error_set(err, HI_EINTERNAL, "out of memory");
    sp->rate_bps = cfg->network.rate_mbps * 1e6;
    sp->delay_s = cfg->network.delay_ms * 1e-3;
    *out = sp;
    return HI_OK;
}

void channel_spec_free(struct channel_spec *sp) { free(sp); }

double
channel_tx_seconds(const struct channel_spec *sp, double t_start_s, double bytes)
{
    (void)t_start_s;
    return bytes * 8.0 / sp->rate_bps;
}

double
channel_delay_seconds(const struct channel_spec *sp, gsl_rng *r)
{
    (void)r;
    return sp->delay_s;
}

void channel_link_init(struct channel_link *l, const struct channel_spec *sp) { (void)sp; l->bad = 0; }

int
channel_attempt_lost(const struct channel_spec *sp, struct channel_link *l, gsl_rng *r)
{
    (void)sp, (void)l, (void)r;
    return 0;
}

double channel_retx_timeout_seconds(const struct channel_spec *sp) { (void)sp; return 0.0; }
unsigned channel_retx_limit(const struct channel_spec *sp) { (void)sp; return 1; }
