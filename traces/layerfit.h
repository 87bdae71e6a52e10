/*
 * layerfit.h — Neurosurgeon's per-layer-type latency regressions.
 *
 * Neurosurgeon (Kang et al., ASPLOS'17, §5.1) predicts a layer's latency
 * from its configuration with one regression per layer type, "either a
 * logarithmic or linear function".  hisim's profiles carry one feature per
 * layer, its FLOPs, so per type (docs/exec-model.md, "Layer-time
 * regressions"):
 *
 *   - layers with flops > 0: fit cpu_ms = a + b·flops (linear) and
 *     cpu_ms = a + b·ln(flops) (log) by least squares (gsl_fit_linear);
 *     keep the lower SSE, ties (within 1e-10·Σ cpu_ms²) go to linear;
 *     one layer, or all with the same flops: the mean time (constant);
 *   - layers with flops = 0 (Flatten, Dropout): the mean of their times.
 *
 * A prediction is clamped at 0 (a fitted line may cross zero outside the
 * fitted range).  Fitting is O(layers · types); a prediction O(types).
 */
#ifndef HISIM_LAYERFIT_H
#define HISIM_LAYERFIT_H

#include <stddef.h>

#include "traces/error.h"
#include "traces/layers.h"

enum layerfit_kind { LAYERFIT_NONE, LAYERFIT_LINEAR, LAYERFIT_LOG, LAYERFIT_CONST };

struct layerfit_type {
    char *type;
    enum layerfit_kind kind;   /* of the layers with flops > 0; NONE: there are none */
    double a, b;               /* cpu_ms = a + b·x, x = flops (LINEAR), ln(flops) (LOG); CONST: a */
    double sse;                /* of the kind kept */
    double sse_linear, sse_log;   /* NaN when not fitted (fewer than 2 distinct flops) */
    size_t n;                  /* layers with flops > 0 */
    size_t n_zero;             /* layers with flops = 0 */
    double zero_ms;            /* their mean time; NaN when n_zero = 0 */
};

struct layerfit {
    struct layerfit_type *types;   /* in order of first appearance */
    size_t n_types;
};

/* Fits every layer type of profiles L[0 .. n_profiles) together (e.g. the
 * profiles of several models measured on one device).  HI_EINPUT when a
 * profile has no cpu_ms. */
int layerfit_fit(struct layerfit *f, const struct hi_layers *const *L, size_t n_profiles, struct hi_error *err);
void layerfit_free(struct layerfit *f);

/* The fit of `type`, or NULL. */
const struct layerfit_type *layerfit_find(const struct layerfit *f, const char *type);

/* Predicted time (ms, >= 0) of one layer; NaN when the fit cannot say: an
 * unknown type, flops = 0 for a type fitted without zero-FLOP layers, or
 * flops > 0 for a type fitted with zero-FLOP layers only. */
double layerfit_predict_ms(const struct layerfit *f, const char *type, double flops);

/* Predicts every layer of L into ms[0 .. L->n).  HI_EINPUT naming the first
 * layer the fit cannot predict.  layers_set_cpu_ms(L, ms) then makes L a
 * profile with these times. */
int layerfit_predict(const struct layerfit *f, const struct hi_layers *L, double *ms, struct hi_error *err);

/* "linear", "log", "const" or "none". */
const char *layerfit_kind_name(enum layerfit_kind k);

#endif
