/*
 * synth.h — synthetic traces from a small parametric model (docs/synth.md).
 *
 * Sample i of a synthetic trace:
 *
 *   S-ML right with probability a_s (sml_acc);
 *   confidence p = 1/K + (1 − 1/K)·B, B ~ Beta(right_a, right_b) when the
 *     S-ML is right and Beta(wrong_a, wrong_b) when it is wrong;
 *   difficulty u = (1 − a_s)·F_wrong(B) when wrong, (1 − a_s) + a_s·F_right(B)
 *     when right (u is uniform on (0, 1); small u = hard: wrong and unsure);
 *   L-ML wrong with probability q(u) = Φ((z − ρ·Φ⁻¹(u)) / √(1 − ρ²)),
 *     z = Φ⁻¹(1 − a_l): a Gaussian copula between difficulty and L-ML error
 *     with correlation ρ = lml_corr; P(L-ML wrong) = 1 − a_l for every ρ;
 *     ρ > 0 puts L-ML errors on the samples the S-ML finds hard;
 *   p2 = lo + (hi − lo)·V, V ~ Beta(p2_a, p2_b), lo = (1 − p)/(K − 1),
 *     hi = min(p, 1 − p): the second-largest softmax of K classes;
 *   label uniform on 0..K−1; a wrong prediction is a uniform other class;
 *   bytes: constant, or log-normal with mean `bytes` and CV `bytes_cv`.
 *
 * Sampling "stratified" (the default) draws exactly round(n·(1 − a_s))
 * wrong S-ML rows, confidences by stratified inverse-CDF sampling within
 * each group, and L-ML errors by systematic sampling along u, then shuffles
 * the rows: every count in a confidence interval is within about one of its
 * expectation, so small traces reproduce a model's statistics.  "iid" draws
 * every sample independently.  Generation is O(n log n) and deterministic:
 * the same parameters and seed give the same trace (gsl_rng mt19937,
 * seeded with gsl_rng_set for seeds below 2^32 and from all 64 bits by
 * init_by_array above, traces/mt19937.h).
 */
#ifndef HISIM_SYNTH_H
#define HISIM_SYNTH_H

#include <stddef.h>
#include <stdint.h>
#include "traces/error.h"
#include "traces/trace.h"

/* The version of the model and of its use of the random stream; written to
 * the trace.  It changes whenever the same parameters and seed would give
 * a different trace; the one exception is the seeds of 2^32 and above,
 * which gave the trace of seed mod 2^32 until they were seeded from all
 * 64 bits (docs/synth.md, "Seeds"). */
#define SYNTH_MODEL_VERSION 1

enum synth_sampling { SYNTH_STRATIFIED, SYNTH_IID };

struct synth_params {
    unsigned k;                   /* classes K >= 2 */
    size_t n;                     /* samples >= 1 */
    uint64_t seed;                /* every bit counts (traces/synth.c) */
    double sml_acc;               /* a_s in [0, 1] */
    double right_a, right_b;      /* Beta shape of B when the S-ML is right */
    double wrong_a, wrong_b;      /* ... and when it is wrong */
    double lml_acc;               /* a_l in [0, 1] */
    double lml_corr;              /* ρ in [-1, 1] */
    double p2_a, p2_b;            /* Beta shape of V (sml_p2) */
    double bytes;                 /* mean payload, bytes > 0 */
    double bytes_cv;              /* coefficient of variation >= 0; 0: constant */
    enum synth_sampling sampling;
};

struct synth_preset {
    const char *name;
    const char *summary;
    struct synth_params params;
};

/* The presets, terminated by an entry with name NULL. */
extern const struct synth_preset synth_presets[];

/* The defaults of --params (docs/synth.md). */
void synth_defaults(struct synth_params *p);

/* The preset called name, or NULL. */
const struct synth_preset *synth_preset_find(const char *name);

/* Sets one parameter from text ("sml_acc", "0.7"); HI_EINPUT with err
 * naming the key (and the closest known key) on failure. */
int synth_set(struct synth_params *p, const char *key, const char *value, struct hi_error *err);

/* Applies "key=value,key=value,..." in order. */
int synth_parse(struct synth_params *p, const char *list, struct hi_error *err);

/* Checks ranges and consistency; 0 or HI_EINPUT. */
int synth_check(const struct synth_params *p, struct hi_error *err);

/* Writes every parameter as a list synth_parse reads back to the same
 * values; returns what snprintf returns. */
int synth_format(const struct synth_params *p, char *buf, size_t len);

/* The names of the parameters, NULL-terminated (for help and suggestions). */
extern const char *const synth_param_names[];

/* The model's L-ML error probability q(u) at difficulty u in [0, 1]. */
double synth_lml_error_prob(const struct synth_params *p, double u);

/* The quantile of Beta(a, b) at v in [0, 1], by safeguarded Newton. */
double synth_beta_quantile(double v, double a, double b);

/* Generates a trace with columns id, label, sml_pred, sml_conf, lml_pred,
 * sml_p2 and bytes, y_sml and y_lml derived, and metadata generator,
 * model, preset (preset_name, or "custom" when NULL), params, seed and
 * sampling.  NULL with err filled (HI_EINPUT for bad parameters). */
struct hi_trace *synth_generate(const struct synth_params *p, const char *preset_name,
                                struct hi_error *err);

#endif
