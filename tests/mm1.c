/* mm1.c — M/M/1 on the kernel: the textbook check of a DES engine. */
#include "tests/mm1.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "sim/kernel.h"
#include "sim/rng.h"

struct mm1 {
    double lambda, mu;
    gsl_rng *arrivals, *service;
    size_t n, arrived, served;
    double *t_arrive;        /* arrival time of each customer */
    double *sojourn;         /* time in system of each customer */
    int busy;
};

static void departure(struct kernel *k, void *obj, size_t c);

static void
start_service(struct kernel *k, struct mm1 *m, size_t c)
{
    m->busy = 1;
    kernel_after(k, gsl_ran_exponential(m->service, 1.0 / m->mu), departure, m, c);
}

static void
arrival(struct kernel *k, void *obj, size_t c)
{
    struct mm1 *m = obj;
    m->t_arrive[c] = k->now;
    m->arrived = c + 1;
    if (c + 1 < m->n)
        kernel_after(k, gsl_ran_exponential(m->arrivals, 1.0 / m->lambda), arrival, m, c + 1);
    if (!m->busy)
        start_service(k, m, c);
}

static void
departure(struct kernel *k, void *obj, size_t c)
{
    struct mm1 *m = obj;
    m->sojourn[c] = k->now - m->t_arrive[c];
    m->served = c + 1;
    m->busy = 0;
    if (m->served < m->arrived)   /* FIFO: the next customer in line */
        start_service(k, m, m->served);
}

int
mm1_run(double lambda, double mu, size_t customers, uint64_t seed,
        size_t batches, double level, struct mm1_result *r)
{
    struct mm1 m = {0};
    struct kernel k;
    size_t b, per = customers / batches, i;
    double sum = 0, sum2 = 0, var, t;
    int rc = -1;

    m.lambda = lambda;
    m.mu = mu;
    m.n = customers;
    m.arrivals = rng_stream(seed, 1);
    m.service = rng_stream(seed, 2);
    m.t_arrive = malloc(customers * sizeof *m.t_arrive);
    m.sojourn = malloc(customers * sizeof *m.sojourn);
    if (!m.arrivals || !m.service || !m.t_arrive || !m.sojourn || batches < 2 || per == 0)
        goto out;
    kernel_init(&k);
    kernel_at(&k, 0.0, arrival, &m, 0);
    if (kernel_run(&k) || m.served != customers) {
        kernel_fini(&k);
        goto out;
    }
    r->events = k.events;
    kernel_fini(&k);

    /* batch means: the batch averages are nearly independent when a batch
     * is much longer than the correlation time of successive sojourns */
    for (b = 0; b < batches; b++) {
        double s = 0;
        for (i = b * per; i < (b + 1) * per; i++)
            s += m.sojourn[i];
        s /= (double)per;
        sum += s;
        sum2 += s * s;
    }
    r->mean = sum / (double)batches;
    var = (sum2 - (double)batches * r->mean * r->mean) / (double)(batches - 1);
    t = gsl_cdf_tdist_Pinv(0.5 + level / 2.0, (double)(batches - 1));
    r->half_width = t * sqrt(var / (double)batches);
    r->customers = customers;
    rc = 0;
out:
    if (m.arrivals)
        gsl_rng_free(m.arrivals);
    if (m.service)
        gsl_rng_free(m.service);
    free(m.t_arrive);
    free(m.sojourn);
    return rc;
}
