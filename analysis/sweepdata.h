/*
 * sweepdata.h — a stored sweep read back for export, plots and summaries.
 *
 * Rows are the sweep's finished runs in grid order (point index, then
 * replication); every row holds its axis values (as the text that the
 * JSON of sweep_points holds: numbers unquoted) and all metrics (NaN when
 * a run lacks one).  Metric columns are the union over the runs, in the
 * order the first run that has each stored it.
 *
 * Per-point statistics of a metric over the replications: mean, the
 * sample standard deviation s, n, and the 95% half-width
 * t_{0.975,n-1}·s/√n (Student t, gsl_cdf_tdist_Pinv); NaN values are left
 * out, sd and the half-width are NaN for n < 2.
 */
#ifndef HISIM_SWEEPDATA_H
#define HISIM_SWEEPDATA_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/store.h"
#include "analysis/sweepstore.h"

struct sweepdata_row {
    size_t idx;              /* point index */
    char point[17];
    size_t replication;
    uint64_t seed;
    int64_t run_id;
    size_t axes;             /* index of the point's axis values (sweepdata.values) */
};

struct sweepdata {
    struct sweepstore_sweep info;
    size_t n_keys;
    char **keys;             /* axis columns */
    size_t n_metrics;
    char **metrics;
    size_t n_rows;
    struct sweepdata_row *rows;
    double *m;               /* n_rows × n_metrics */
    size_t n_values;         /* distinct points: n_values × n_keys texts */
    char **values;
    unsigned char *numeric;  /* per text: a JSON number */
};

/* Loads sweep id; HI_EINPUT when there is none. */
int sweepdata_load(struct store *st, int64_t id, struct sweepdata *d, struct hi_error *err);
void sweepdata_free(struct sweepdata *d);

/* The column of a metric or axis key, or -1. */
long sweepdata_metric(const struct sweepdata *d, const char *name);
long sweepdata_key(const struct sweepdata *d, const char *name);

/* The text of axis key k of row i. */
const char *sweepdata_value(const struct sweepdata *d, size_t row, size_t k);
int sweepdata_value_numeric(const struct sweepdata *d, size_t row, size_t k);

/* A point's rows are [first, first + n). */
struct sweepdata_point {
    size_t first, n;
};
/* Groups the rows by point (malloc'd array). */
int sweepdata_points(const struct sweepdata *d, struct sweepdata_point **out, size_t *n, struct hi_error *err);

struct sweepdata_stat {
    double mean, sd, ci95;
    size_t n;
};
void sweepdata_stat(const struct sweepdata *d, const struct sweepdata_point *pt, size_t metric,
                    struct sweepdata_stat *s);

/* The 95% Student-t half-width of n values with standard deviation sd. */
double sweepdata_ci95(double sd, size_t n);

#endif
