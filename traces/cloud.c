/* cloud.c — pay-per-use cloud cost (cloud.h). */
#include "traces/cloud.h"

#include <assert.h>
#include <math.h>

void
cloud_price_defaults(struct hi_cloud_price *p)
{
    p->invocation = 0.0000004;   /* $0.40 per million */
    p->gb_s = 0.0000025;
    p->ghz_s = 0.0000100;
    p->egress_gb = 0.12;
    p->billing_ms = 100.0;
    p->mem_gb = 0.25;            /* 256 MB */
    p->cpu_ghz = 0.4;            /* 400 MHz, the CPU of the 256 MB size */
}

double
cloud_billed_ms(const struct hi_cloud_price *p, double t_ms)
{
    double k;
    assert(t_ms >= 0.0 && p->billing_ms >= 0.0);
    if (p->billing_ms == 0.0)
        return t_ms;
    /* The quotient of an exact multiple can come out a hair above the
     * integer (0.3 / 0.1 = 3.0000000000000004): a relative 1e-9 of slack
     * keeps 300 ms billed as 300 ms, not 400. */
    k = ceil(t_ms / p->billing_ms * (1.0 - 1e-9));
    return k * p->billing_ms;
}

double
cloud_cost(const struct hi_cloud_price *p, double t_ms, double egress_bytes)
{
    double billed_s = cloud_billed_ms(p, t_ms) / 1000.0;
    assert(egress_bytes >= 0.0);
    return p->invocation + billed_s * (p->mem_gb * p->gb_s + p->cpu_ghz * p->ghz_s)
           + egress_bytes / 1073741824.0 * p->egress_gb;
}
