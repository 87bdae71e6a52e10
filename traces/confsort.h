/*
 * confsort.h — a column of confidences in sorted order: the distinct
 * values v_1 < … < v_k and, for every row, the index m of its value
 * (v_m = p_row, 1-based).
 *
 * The best fixed threshold in hindsight (sim/regret.h) and λ_min
 * (traces/cost.h) need the confidences sorted; a trace read from a file
 * carries the sort of its sml_conf column (hi_trace.sorted), built once
 * when it is read and shared read-only by every run that uses the trace,
 * so that runs do not sort it again.  O(n log n) to build, 8 bytes per
 * row and per distinct value.
 */
#ifndef HISIM_CONFSORT_H
#define HISIM_CONFSORT_H

#include <stddef.h>

struct confsort {
    const double *conf;  /* the column sorted (not owned), n values */
    size_t n;
    double *v;           /* the distinct values, increasing: v[0..k) */
    size_t k;
    size_t *rank;        /* rank[i] = m with v[m - 1] == conf[i], 1..k */
};

/* Sorts conf[0..n) (no NaN).  NULL when memory runs out. */
struct confsort *confsort_new(const double *conf, size_t n);
void confsort_free(struct confsort *s);

/* Whether s is the sort of conf[0..n) (the same column, not a copy). */
static inline int
confsort_of(const struct confsort *s, const double *conf, size_t n)
{
    return s && s->conf == conf && s->n == n;
}

#endif
