/*
 * cloud.h — pay-per-use cloud cost of the cloud part of a split DNN
 * (003 §III: "We use Google Cloud Functions' cost model [28], as users must
 * only pay for used resources").
 *
 * One offloaded sample is one function invocation.  It pays a flat price
 * per invocation, its compute time rounded up to the billing increment
 * times the provisioned memory and CPU, and the bytes it sends back:
 *
 *   cost = price_invocation
 *        + ceil(t / billing_ms) · billing_ms / 1000 · (mem_gb · price_gb_s + cpu_ghz · price_ghz_s)
 *        + egress_bytes / 2^30 · price_egress_gb
 *
 * 003 prints no prices.  The defaults (cloud_price_defaults) are Google
 * Cloud Functions 1st gen, Tier 1, published on
 * https://cloud.google.com/functions/pricing (the page 003 cites, visited
 * by its authors 2023-08-29): $0.40 per million invocations, $0.0000025
 * per GB-second, $0.0000100 per GHz-second, 100 ms increments rounded up
 * ("260ms would be billed as 300ms"), $0.12 per GB of egress (1 GB = 2^30
 * bytes), for the 256 MB / 400 MHz function size.  The free tier (2 million
 * invocations, 400,000 GB-s and 200,000 GHz-s a month) is not modelled.
 * docs/partitioning.md has the table and which copy of the page each
 * figure was checked against.  All prices are in US dollars.
 */
#ifndef HISIM_CLOUD_H
#define HISIM_CLOUD_H

struct hi_cloud_price {
    double invocation;   /* $ per invocation */
    double gb_s;         /* $ per GB-second of provisioned memory */
    double ghz_s;        /* $ per GHz-second of provisioned CPU */
    double egress_gb;    /* $ per GB (2^30 bytes) sent out of the function */
    double billing_ms;   /* billing increment, ms; durations round up to it (0: exact) */
    double mem_gb;       /* provisioned memory, GB */
    double cpu_ghz;      /* provisioned CPU, GHz */
};

/* Google Cloud Functions 1st gen, Tier 1, 256 MB / 400 MHz (see above). */
void cloud_price_defaults(struct hi_cloud_price *p);

/* The billed duration (ms) of a compute time t_ms >= 0: t rounded up to a
 * multiple of billing_ms (t itself when billing_ms is 0): 0.5 ms bills as
 * 100 ms, 260 ms as 300 ms, 300 ms as 300 ms. */
double cloud_billed_ms(const struct hi_cloud_price *p, double t_ms);

/* The cost ($) of one invocation computing t_ms and sending egress_bytes;
 * a sample that never reaches the cloud is no invocation and costs 0 (the
 * caller does not call this). */
double cloud_cost(const struct hi_cloud_price *p, double t_ms, double egress_bytes);

#endif
