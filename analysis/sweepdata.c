/* sweepdata.c — stored sweeps read back (sweepdata.h). */
#define _GNU_SOURCE
#include "analysis/sweepdata.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

struct load {
    struct sweepdata *d;
    struct store *st;
    sqlite3_stmt *q_metrics, *q_axes;
    size_t cap_rows, cap_values, width;
    char last_point[17];
    struct hi_error *err;
    int failed;
};

static int
oom(struct load *L)
{
    L->failed = 1;
    error_set(L->err, HI_EINTERNAL, "out of memory");
    return 1;
}

static int
dberr(struct load *L, const char *what)
{
    sqlite3 *db = store_sqlite(L->st);
    L->failed = 1;
    error_set(L->err, HI_EINTERNAL, "%s: %s: %s", store_path(L->st), what, sqlite3_errmsg(db));
    return 1;
}

/* The column of metric `name`, added when new; SIZE_MAX when out of
 * memory.  The table d->m has rows of L->width columns while loading. */
static size_t
metric_col(struct load *L, const char *name)
{
    struct sweepdata *d = L->d;
    char **nm;
    size_t i;
    for (i = 0; i < d->n_metrics; i++)
        if (strcmp(d->metrics[i], name) == 0)
            return i;
    if (d->n_metrics == L->width) {
        size_t w = L->width ? 2 * L->width : 32, r;
        double *m = malloc((L->cap_rows ? L->cap_rows : 1) * w * sizeof *m);
        if (!m)
            return SIZE_MAX;
        for (r = 0; r < d->n_rows; r++) {
            memcpy(m + r * w, d->m + r * L->width, L->width * sizeof *m);
            for (i = L->width; i < w; i++)
                m[r * w + i] = NAN;
        }
        free(d->m);
        d->m = m;
        L->width = w;
    }
    if (!(nm = realloc(d->metrics, (d->n_metrics + 1) * sizeof *nm)))
        return SIZE_MAX;
    d->metrics = nm;
    if (!(nm[d->n_metrics] = strdup(name)))
        return SIZE_MAX;
    return d->n_metrics++;
}

static int
add_axes(struct load *L, const char *axes)
{
    struct sweepdata *d = L->d;
    size_t k, base;
    int rc;
    if (d->n_values + 1 > L->cap_values) {
        size_t cap = L->cap_values ? 2 * L->cap_values : 256;
        char **nv = realloc(d->values, cap * d->n_keys * sizeof *nv + 1);
        unsigned char *nn;
        if (!nv)
            return oom(L);
        d->values = nv;
        nn = realloc(d->numeric, cap * d->n_keys + 1);
        if (!nn)
            return oom(L);
        d->numeric = nn;
        L->cap_values = cap;
    }
    base = d->n_values * d->n_keys;
    for (k = 0; k < d->n_keys; k++) {
        d->values[base + k] = NULL;
        d->numeric[base + k] = 0;
    }
    d->n_values++;
    sqlite3_reset(L->q_axes);
    sqlite3_bind_text(L->q_axes, 1, axes, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(L->q_axes)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(L->q_axes, 0);
        const char *type = (const char *)sqlite3_column_text(L->q_axes, 2);
        for (k = 0; k < d->n_keys; k++)
            if (key && strcmp(d->keys[k], key) == 0)
                break;
        if (k == d->n_keys)
            continue;
        free(d->values[base + k]);
        if (!(d->values[base + k] = strdup((const char *)sqlite3_column_text(L->q_axes, 1))))
            return oom(L);
        d->numeric[base + k] = type && (strcmp(type, "integer") == 0 || strcmp(type, "real") == 0);
    }
    if (rc != SQLITE_DONE)
        return dberr(L, "cannot read the axis values");
    for (k = 0; k < d->n_keys; k++)
        if (!d->values[base + k] && !(d->values[base + k] = strdup("")))
            return oom(L);
    return 0;
}

static int
add_row(void *ctx, const struct sweepstore_row *r)
{
    struct load *L = ctx;
    struct sweepdata *d = L->d;
    struct sweepdata_row *row;
    size_t i;
    int rc;
    if (d->n_rows == L->cap_rows) {
        size_t cap = L->cap_rows ? 2 * L->cap_rows : 256;
        struct sweepdata_row *nr = realloc(d->rows, cap * sizeof *nr);
        double *m;
        if (!nr)
            return oom(L);
        d->rows = nr;
        if (!L->width)
            L->width = 32;
        m = realloc(d->m, cap * L->width * sizeof *m);
        if (!m)
            return oom(L);
        d->m = m;
        L->cap_rows = cap;
    }
    if (strcmp(L->last_point, r->point) != 0) {
        if (add_axes(L, r->axes))
            return 1;
        snprintf(L->last_point, sizeof L->last_point, "%s", r->point);
    }
    row = &d->rows[d->n_rows];
    row->idx = r->idx;
    snprintf(row->point, sizeof row->point, "%s", r->point);
    row->replication = r->replication;
    row->seed = r->seed;
    row->run_id = r->run_id;
    row->axes = d->n_values - 1;
    for (i = 0; i < L->width; i++)
        d->m[d->n_rows * L->width + i] = NAN;
    d->n_rows++;
    sqlite3_reset(L->q_metrics);
    sqlite3_bind_int64(L->q_metrics, 1, r->run_id);
    while ((rc = sqlite3_step(L->q_metrics)) == SQLITE_ROW) {
        size_t c = metric_col(L, (const char *)sqlite3_column_text(L->q_metrics, 0));
        if (c == SIZE_MAX)
            return oom(L);
        d->m[(d->n_rows - 1) * L->width + c] =
            sqlite3_column_type(L->q_metrics, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(L->q_metrics, 1);
    }
    if (rc != SQLITE_DONE)
        return dberr(L, "cannot read metrics");
    return 0;
}

int
sweepdata_load(struct store *st, int64_t id, struct sweepdata *d, struct hi_error *err)
{
    sqlite3 *db = store_sqlite(st);
    struct load L;
    sqlite3_stmt *q = NULL;
    int rc;

    memset(d, 0, sizeof *d);
    memset(&L, 0, sizeof L);
    L.d = d;
    L.st = st;
    L.err = err;
    if (sweepstore_load(st, id, &d->info, err))
        return err->status;
    /* the axis columns, from the sweep's keys (a JSON array) */
    if (sqlite3_prepare_v2(db, "SELECT value FROM json_each(?1) ORDER BY key", -1, &q, NULL) != SQLITE_OK) {
        dberr(&L, "cannot read the sweep's keys");
        goto fail;
    }
    sqlite3_bind_text(q, 1, d->info.keys, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        char **nk = realloc(d->keys, (d->n_keys + 1) * sizeof *nk);
        if (!nk || !(nk[d->n_keys] = strdup((const char *)sqlite3_column_text(q, 0)))) {
            if (nk)
                d->keys = nk;
            oom(&L);
            goto fail;
        }
        d->keys = nk;
        d->n_keys++;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (rc != SQLITE_DONE) {
        dberr(&L, "cannot read the sweep's keys");
        goto fail;
    }
    if (sqlite3_prepare_v2(db, "SELECT name, value FROM metrics WHERE run_id = ?1 ORDER BY rowid", -1, &L.q_metrics,
                           NULL) != SQLITE_OK
        || sqlite3_prepare_v2(db, "SELECT key, value, type FROM json_each(?1)", -1, &L.q_axes, NULL) != SQLITE_OK) {
        dberr(&L, "cannot read the sweep");
        goto fail;
    }
    if (sweepstore_each_row(st, id, add_row, &L, err) || L.failed)
        goto fail;
    /* compact the table to n_metrics columns */
    if (L.width != d->n_metrics && d->n_rows) {
        size_t r, w = d->n_metrics;
        for (r = 0; r < d->n_rows; r++)
            memmove(d->m + r * w, d->m + r * L.width, w * sizeof *d->m);
    }
    sqlite3_finalize(L.q_metrics);
    sqlite3_finalize(L.q_axes);
    return HI_OK;
fail:
    sqlite3_finalize(q);
    sqlite3_finalize(L.q_metrics);
    sqlite3_finalize(L.q_axes);
    rc = err->status ? err->status : HI_EINTERNAL;
    sweepdata_free(d);
    return rc;
}

void
sweepdata_free(struct sweepdata *d)
{
    size_t i;
    sweepstore_sweep_free(&d->info);
    for (i = 0; i < d->n_keys; i++)
        free(d->keys[i]);
    for (i = 0; i < d->n_metrics; i++)
        free(d->metrics[i]);
    if (d->values)
        for (i = 0; i < d->n_values * d->n_keys; i++)
            free(d->values[i]);
    free(d->keys);
    free(d->metrics);
    free(d->values);
    free(d->numeric);
    free(d->rows);
    free(d->m);
    memset(d, 0, sizeof *d);
}

long
sweepdata_metric(const struct sweepdata *d, const char *name)
{
    size_t i;
    for (i = 0; i < d->n_metrics; i++)
        if (strcmp(d->metrics[i], name) == 0)
            return (long)i;
    return -1;
}

long
sweepdata_key(const struct sweepdata *d, const char *name)
{
    size_t i;
    for (i = 0; i < d->n_keys; i++)
        if (strcmp(d->keys[i], name) == 0)
            return (long)i;
    return -1;
}

const char *
sweepdata_value(const struct sweepdata *d, size_t row, size_t k)
{
    return d->values[d->rows[row].axes * d->n_keys + k];
}

int
sweepdata_value_numeric(const struct sweepdata *d, size_t row, size_t k)
{
    return d->numeric[d->rows[row].axes * d->n_keys + k];
}

int
sweepdata_points(const struct sweepdata *d, struct sweepdata_point **out, size_t *n, struct hi_error *err)
{
    size_t i, k = 0;
    *out = NULL;
    *n = 0;
    if (!d->n_rows)
        return HI_OK;
    if (!(*out = malloc(d->n_rows * sizeof **out)))
        return error_set(err, HI_EINTERNAL, "out of memory");
    for (i = 0; i < d->n_rows; i++) {
        if (i == 0 || d->rows[i].idx != d->rows[i - 1].idx) {
            (*out)[k].first = i;
            (*out)[k].n = 0;
            k++;
        }
        (*out)[k - 1].n++;
    }
    *n = k;
    return HI_OK;
}

double
sweepdata_ci95(double sd, size_t n)
{
    if (n < 2 || isnan(sd))
        return NAN;
    return gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n);
}

void
sweepdata_stat(const struct sweepdata *d, const struct sweepdata_point *pt, size_t metric, struct sweepdata_stat *s)
{
    const double *col = d->m + pt->first * d->n_metrics + metric;
    size_t stride = d->n_metrics, i, n = 0;
    double *v;
    for (i = 0; i < pt->n; i++)
        n += !isnan(col[i * stride]);
    s->n = n;
    s->mean = s->sd = s->ci95 = NAN;
    if (n == 0)
        return;
    if (n == pt->n) {
        s->mean = gsl_stats_mean(col, stride, n);
        if (n >= 2)
            s->sd = gsl_stats_sd_m(col, stride, n, s->mean);
    } else if ((v = malloc(n * sizeof *v))) {
        size_t k = 0;
        for (i = 0; i < pt->n; i++)
            if (!isnan(col[i * stride]))
                v[k++] = col[i * stride];
        s->mean = gsl_stats_mean(v, 1, n);
        if (n >= 2)
            s->sd = gsl_stats_sd_m(v, 1, n, s->mean);
        free(v);
    }
    s->ci95 = sweepdata_ci95(s->sd, n);
}
