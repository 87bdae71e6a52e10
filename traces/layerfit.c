/*
 * layerfit.c — per-type latency regressions of layer profiles (layerfit.h).
 */
#include "traces/layerfit.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_statistics_double.h>

const char *
layerfit_kind_name(enum layerfit_kind k)
{
    switch (k) {
    case LAYERFIT_NONE: return "none";
    case LAYERFIT_LINEAR: return "linear";
    case LAYERFIT_LOG: return "log";
    case LAYERFIT_CONST: return "const";
    }
    return "?";
}

const struct layerfit_type *
layerfit_find(const struct layerfit *f, const char *type)
{
    size_t i;
    for (i = 0; i < f->n_types; i++)
        if (strcmp(f->types[i].type, type) == 0)
            return &f->types[i];
    return NULL;
}

void
layerfit_free(struct layerfit *f)
{
    size_t i;
    if (!f)
        return;
    for (i = 0; i < f->n_types; i++)
        free(f->types[i].type);
    free(f->types);
    memset(f, 0, sizeof *f);
}

/* Least squares of y on x: a, b and the SSE; -1 when x has no spread. */
static int
fit_line(const double *x, const double *y, size_t n, double *a, double *b, double *sse)
{
    double cov00, cov01, cov11;
    size_t i;
    for (i = 1; i < n && x[i] == x[0]; i++)
        ;
    if (n < 2 || i == n)
        return -1;
    if (gsl_fit_linear(x, 1, y, 1, n, a, b, &cov00, &cov01, &cov11, sse) != GSL_SUCCESS || !isfinite(*a) ||
        !isfinite(*b))
        return -1;
    return 0;
}

/* Fits one type from the layers gathered in x (flops) and y (cpu_ms). */
static void
fit_type(struct layerfit_type *t, double *x, double *y, size_t n, const double *y0, size_t n0)
{
    double la, lb, lsse, ga, gb, gsse, sumsq = 0.0;
    size_t i;
    int lin, lg;

    t->n = n;
    t->n_zero = n0;
    t->zero_ms = n0 ? gsl_stats_mean(y0, 1, n0) : NAN;
    t->sse_linear = t->sse_log = NAN;
    if (n == 0) {
        t->kind = LAYERFIT_NONE;
        return;
    }
    lin = fit_line(x, y, n, &la, &lb, &lsse);
    for (i = 0; i < n; i++) {
        sumsq += y[i] * y[i];
        x[i] = log(x[i]);
    }
    lg = fit_line(x, y, n, &ga, &gb, &gsse);
    if (lin || lg) {           /* one layer, or one flops value: ln keeps x's spread, so both fail together */
        double mean = gsl_stats_mean(y, 1, n);
        t->kind = LAYERFIT_CONST;
        t->a = mean;
        t->b = 0.0;
        t->sse = 0.0;
        for (i = 0; i < n; i++)
            t->sse += (y[i] - mean) * (y[i] - mean);
        return;
    }
    t->sse_linear = lsse;
    t->sse_log = gsse;
    /* the lower SSE; a difference within rounding is a tie, and a tie goes to linear */
    if (gsse < lsse - 1e-10 * sumsq) {
        t->kind = LAYERFIT_LOG;
        t->a = ga;
        t->b = gb;
        t->sse = gsse;
    } else {
        t->kind = LAYERFIT_LINEAR;
        t->a = la;
        t->b = lb;
        t->sse = lsse;
    }
}

int
layerfit_fit(struct layerfit *f, const struct hi_layers *const *L, size_t n_profiles, struct hi_error *err)
{
    size_t p, r, total = 0, i;
    double *x = NULL, *y = NULL, *y0 = NULL;
    const char **names = NULL;

    memset(f, 0, sizeof *f);
    for (p = 0; p < n_profiles; p++) {
        if (!L[p]->has_cpu_ms)
            return error_set(err, HI_EINPUT, "%s: no cpu_ms column: nothing to fit", L[p]->path);
        total += L[p]->n;
    }
    x = malloc((total ? total : 1) * sizeof *x);
    y = malloc((total ? total : 1) * sizeof *y);
    y0 = malloc((total ? total : 1) * sizeof *y0);
    names = malloc((total ? total : 1) * sizeof *names);
    f->types = calloc(total ? total : 1, sizeof *f->types);
    if (!x || !y || !y0 || !names || !f->types)
        goto oom;
    /* the distinct types, in order of first appearance */
    for (p = 0; p < n_profiles; p++)
        for (r = 0; r < L[p]->n; r++) {
            for (i = 0; i < f->n_types && strcmp(names[i], L[p]->type[r]) != 0; i++)
                ;
            if (i == f->n_types)
                names[f->n_types++] = L[p]->type[r];
        }
    for (i = 0; i < f->n_types; i++) {
        struct layerfit_type *t = &f->types[i];
        size_t n = 0, n0 = 0;
        size_t len = strlen(names[i]) + 1;
        if (!(t->type = malloc(len)))
            goto oom;
        memcpy(t->type, names[i], len);
        for (p = 0; p < n_profiles; p++)
            for (r = 0; r < L[p]->n; r++) {
                if (strcmp(L[p]->type[r], names[i]) != 0)
                    continue;
                if (L[p]->flops[r] > 0.0) {
                    x[n] = L[p]->flops[r];
                    y[n++] = L[p]->cpu_ms[r];
                } else {
                    y0[n0++] = L[p]->cpu_ms[r];
                }
            }
        fit_type(t, x, y, n, y0, n0);
    }
    free(x);
    free(y);
    free(y0);
    free(names);
    return HI_OK;

oom:
    free(x);
    free(y);
    free(y0);
    free(names);
    layerfit_free(f);
    return error_set(err, HI_EINTERNAL, "out of memory");
}

double
layerfit_predict_ms(const struct layerfit *f, const char *type, double flops)
{
    const struct layerfit_type *t = layerfit_find(f, type);
    double ms;

    assert(flops >= 0.0);
    if (!t)
        return NAN;
    if (flops == 0.0)
        return t->zero_ms;    /* NaN without zero-FLOP layers */
    switch (t->kind) {
    case LAYERFIT_NONE: return NAN;
    case LAYERFIT_CONST: ms = t->a; break;
    case LAYERFIT_LINEAR: ms = t->a + t->b * flops; break;
    case LAYERFIT_LOG: ms = t->a + t->b * log(flops); break;
    default: assert(!"layerfit: unknown kind"); return NAN;
    }
    return ms > 0.0 ? ms : 0.0;
}

int
layerfit_predict(const struct layerfit *f, const struct hi_layers *L, double *ms, struct hi_error *err)
{
    size_t r;
    for (r = 0; r < L->n; r++) {
        ms[r] = layerfit_predict_ms(f, L->type[r], L->flops[r]);
        if (isnan(ms[r])) {
            const struct layerfit_type *t = layerfit_find(f, L->type[r]);
            return error_set(err, HI_EINPUT, "%s: layer %zu '%s' (%s): %s", L->path, r + 1, L->name[r], L->type[r],
                             !t ? "its type has no fit (no layer of that type in the fitted profiles)"
                             : L->flops[r] == 0.0 ? "0 FLOPs, and the fitted profiles have no 0-FLOP layer of its type"
                                                  : "FLOPs > 0, and the fitted profiles have only 0-FLOP layers of its type");
        }
    }
    return HI_OK;
}
