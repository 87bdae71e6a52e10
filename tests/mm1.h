/*
 * mm1.h — an M/M/1 queue on the hisim kernel, for tests and benchmarks.
 *
 * Two entities with their own RNG streams: a Poisson source (rate λ) and
 * a FIFO exponential server (rate μ).  The mean time in system is
 * estimated by batch means over the customers in arrival order.
 */
#ifndef HISIM_TESTS_MM1_H
#define HISIM_TESTS_MM1_H

#include <stddef.h>
#include <stdint.h>

struct mm1_result {
    double mean;          /* mean time in system */
    double half_width;    /* of the confidence interval */
    size_t customers;
    uint64_t events;
};

/* Simulates `customers` customers; batch means over `batches` batches
 * with a two-sided confidence level `level` (e.g. 0.999).  0 or -1. */
int mm1_run(double lambda, double mu, size_t customers, uint64_t seed,
            size_t batches, double level, struct mm1_result *r);

#endif
