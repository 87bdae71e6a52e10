/* mm1.c — M/M/1 on the kernel: the textbook check of a DES engine. */
#include "tests/mm1.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "sim/kernel.h"
#include "sim/rng.h"

struct mm1 {
    double lambda, mu;
    gsl_rng *arrivals, *service;
    size_t n, arrived, served;
    double *t_arrive;        /* ring of the arrival times of waiting customers */
    size_t ring;             /* its capacity, a power of two */
    size_t per;              /* customers per batch */
    double *batch_sum;       /* sum of times in system per batch */
    int busy, failed;
};

static void departure(struct kernel *k, void *obj, size_t c);

/* Exponential variate with the given mean by inversion, −mean·ln U with
 * U uniform on (0, 1): the same law as gsl_ran_exponential (which uses
 * log1p(−U)), at about half the cost, since log is cheaper than log1p. */
static inline double
expo(gsl_rng *r, double mean)
{
    return -mean * log(gsl_rng_uniform_pos(r));
}

static void
start_service(struct kernel *k, struct mm1 *m, size_t c)
{
    m->busy = 1;
    kernel_after(k, expo(m->service, 1.0 / m->mu), departure, m, c);
}

static void
arrival(struct kernel *k, void *obj, size_t c)
{
    struct mm1 *m = obj;
    if (c - m->served >= m->ring) {      /* grow the ring, keeping order */
        size_t cap = 2 * m->ring, i;
        double *t = malloc(cap * sizeof *t);
        if (!t) {
            m->failed = 1;
            kernel_stop(k);
            return;
        }
        for (i = m->served; i < c; i++)
            t[i & (cap - 1)] = m->t_arrive[i & (m->ring - 1)];
        free(m->t_arrive);
        m->t_arrive = t;
        m->ring = cap;
    }
    m->t_arrive[c & (m->ring - 1)] = k->now;
    m->arrived = c + 1;
    if (c + 1 < m->n)
        kernel_after(k, expo(m->arrivals, 1.0 / m->lambda), arrival, m, c + 1);
    if (!m->busy)
        start_service(k, m, c);
}

static void
departure(struct kernel *k, void *obj, size_t c)
{
    struct mm1 *m = obj;
    size_t b = c / m->per;
    if (b < m->n / m->per)              /* a remainder past the last batch is dropped */
        m->batch_sum[b] += k->now - m->t_arrive[c & (m->ring - 1)];
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
    size_t b, per = batches ? customers / batches : 0;
    double sum = 0, sum2 = 0, var, t;
    int rc = -1;

    m.lambda = lambda;
    m.mu = mu;
    m.n = customers;
    m.arrivals = rng_stream(seed, 1);
    m.service = rng_stream(seed, 2);
    m.ring = 1024;
    m.per = per;
    m.t_arrive = malloc(m.ring * sizeof *m.t_arrive);
    m.batch_sum = calloc(batches ? batches : 1, sizeof *m.batch_sum);
    if (!m.arrivals || !m.service || !m.t_arrive || !m.batch_sum || batches < 2 || per == 0)
        goto out;
    kernel_init(&k);
    kernel_at(&k, 0.0, arrival, &m, 0);
    if (kernel_run(&k) || m.failed || m.served != customers) {
        kernel_fini(&k);
        goto out;
    }
    r->events = k.events;
    kernel_fini(&k);

    /* batch means: the batch averages are nearly independent when a batch
     * is much longer than the correlation time of successive sojourns */
    for (b = 0; b < batches; b++) {
        double s = m.batch_sum[b] / (double)per;
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
    free(m.batch_sum);
    return rc;
}
