/*
 * bench_mm1.c — M/M/1 on the kernel: λ = 0.9, μ = 1, 10^6 customers.
 *
 * usage: bench-mm1 [REPEATS [CUSTOMERS [LAMBDA]]]
 * Prints the wall time of each repeat and their median, in seconds, and
 * the events per second of the median run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "tests/mm1.h"

int
main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 5;
    size_t n = argc > 2 ? (size_t)atof(argv[2]) : 1000000;
    double lambda = argc > 3 ? atof(argv[3]) : 0.9;
    double t[64], med;
    struct mm1_result r = {0};
    int i;

    if (reps < 1 || reps > 64)
        reps = 5;
    for (i = 0; i < reps; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (mm1_run(lambda, 1.0, n, 1 + (unsigned)i, 20, 0.999, &r)) {
            fprintf(stderr, "bench-mm1: run failed\n");
            return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        t[i] = (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
        printf("run %d: %.4f s (mean time in system %.4f, exact %.4f)\n", i + 1, t[i], r.mean, 1.0 / (1.0 - lambda));
    }
    gsl_sort(t, 1, (size_t)reps);
    med = gsl_stats_median_from_sorted_data(t, 1, (size_t)reps);
    printf("mm1 lambda=%g mu=1 customers=%zu: median %.4f s of %d, %.1f M events/s\n", lambda, n, med, reps,
           (double)r.events / med / 1e6);
    return 0;
}
