/*
 * synth.c — the synthetic trace generator (model in synth.h and
 * docs/synth.md).
 *
 * The random stream is used in a fixed order, which is part of
 * SYNTH_MODEL_VERSION:
 *
 *   1. S-ML correctness and B (stratified: a shuffle of the strata of the
 *      wrong group, one uniform per wrong row, the same for the right group,
 *      then a shuffle of the rows; iid: per row, a uniform, then a Beta);
 *   2. L-ML correctness (stratified: one uniform, the offset of the
 *      systematic sample; iid: one uniform per row);
 *   3. per row, in row order: label, S-ML wrong class (when wrong), L-ML
 *      wrong class (when wrong), V of p2, then the bytes (when bytes_cv > 0).
 */
#include "traces/synth.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "traces/mt19937.h"

#define SYNTH_MAX_N 100000000UL
#define SYNTH_MAX_K 1000000UL

/*
 * Presets.  The Beta shapes and lml_corr were fitted by a Nelder–Mead
 * search on the model's expected counts (docs/synth.md, "Calibration").
 */
const struct synth_preset synth_presets[] = {
    {"cifar10-hi",
     "CIFAR-10 HI of 000 §3: S-ML 62.58%, L-ML 95%, theta* = 0.607 at beta = 0.5 "
     "(L-ML errors counted)",
     {.k = 10, .n = 10000, .seed = 1, .sml_acc = 0.6258,
      .right_a = 0.9984, .right_b = 0.3011, .wrong_a = 0.9984, .wrong_b = 1.0416,
      .lml_acc = 0.95, .lml_corr = -0.3733, .p2_a = 1.0, .p2_b = 1.0,
      .bytes = 3072.0, .bytes_cv = 0.0, .sampling = SYNTH_STRATIFIED}},
    {"imagenette-batch",
     "Imagenette batch HI of 002 §IV: offload ratio 0.794, 0.671, 0.421 at theta* "
     "for beta = 0.3, 0.5, 0.7",
     {.k = 10, .n = 3925, .seed = 1, .sml_acc = 0.4416,
      .right_a = 0.861, .right_b = 0.7218, .wrong_a = 0.6993, .wrong_b = 2.5162,
      .lml_acc = 0.99, .lml_corr = 0.0, .p2_a = 1.0, .p2_b = 1.0,
      .bytes = 30801.92, .bytes_cv = 0.25, .sampling = SYNTH_STRATIFIED}},
    {NULL, NULL, {0}},
};

void
synth_defaults(struct synth_params *p)
{
    memset(p, 0, sizeof *p);
    p->k = 10;
    p->n = 10000;
    p->seed = 1;
    p->sml_acc = 0.7;
    p->right_a = 4.0;
    p->right_b = 1.0;
    p->wrong_a = 1.5;
    p->wrong_b = 2.0;
    p->lml_acc = 0.95;
    p->lml_corr = 0.0;
    p->p2_a = 1.0;
    p->p2_b = 1.0;
    p->bytes = 3072.0;
    p->bytes_cv = 0.0;
    p->sampling = SYNTH_STRATIFIED;
}

const struct synth_preset *
synth_preset_find(const char *name)
{
    size_t i;
    for (i = 0; synth_presets[i].name; i++)
        if (strcmp(synth_presets[i].name, name) == 0)
            return &synth_presets[i];
    return NULL;
}

/* ---- parameters ---- */

enum ptype { P_UINT, P_SIZE, P_U64, P_DOUBLE, P_SAMPLING };

#define OFF(f) offsetof(struct synth_params, f)
static const struct pdesc {
    const char *name;
    enum ptype type;
    size_t offset;
} pdescs[] = {
    {"k", P_UINT, OFF(k)},
    {"n", P_SIZE, OFF(n)},
    {"seed", P_U64, OFF(seed)},
    {"sml_acc", P_DOUBLE, OFF(sml_acc)},
    {"right_a", P_DOUBLE, OFF(right_a)},
    {"right_b", P_DOUBLE, OFF(right_b)},
    {"wrong_a", P_DOUBLE, OFF(wrong_a)},
    {"wrong_b", P_DOUBLE, OFF(wrong_b)},
    {"lml_acc", P_DOUBLE, OFF(lml_acc)},
    {"lml_corr", P_DOUBLE, OFF(lml_corr)},
    {"p2_a", P_DOUBLE, OFF(p2_a)},
    {"p2_b", P_DOUBLE, OFF(p2_b)},
    {"bytes", P_DOUBLE, OFF(bytes)},
    {"bytes_cv", P_DOUBLE, OFF(bytes_cv)},
    {"sampling", P_SAMPLING, OFF(sampling)},
};
#undef OFF
#define N_PDESC (sizeof pdescs / sizeof pdescs[0])

const char *const synth_param_names[] = {
    "k", "n", "seed", "sml_acc", "right_a", "right_b", "wrong_a", "wrong_b", "lml_acc",
    "lml_corr", "p2_a", "p2_b", "bytes", "bytes_cv", "sampling", NULL,
};

static const char *const sampling_names[] = {"stratified", "iid"};

/* An unsigned decimal integer with nothing after it; 0 on success. */
static int
parse_unsigned(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

int
synth_set(struct synth_params *p, const char *key, const char *value, struct hi_error *err)
{
    const struct pdesc *d = NULL;
    char *base = (char *)p;
    uint64_t u;
    size_t i;

    for (i = 0; i < N_PDESC; i++)
        if (strcmp(pdescs[i].name, key) == 0)
            d = &pdescs[i];
    if (!d) {
        const char *near = error_closest(key, synth_param_names, N_PDESC);
        if (near)
            return error_set(err, HI_EINPUT, "unknown parameter '%s' (did you mean '%s'?)", key, near);
        return error_set(err, HI_EINPUT, "unknown parameter '%s'", key);
    }
    switch (d->type) {
    case P_UINT:
        if (parse_unsigned(value, SYNTH_MAX_K, &u))
            return error_set(err, HI_EINPUT, "%s: expected an integer in [2, %lu], found '%s'", key,
                             SYNTH_MAX_K, value);
        *(unsigned *)(base + d->offset) = (unsigned)u;
        break;
    case P_SIZE:
        if (parse_unsigned(value, SYNTH_MAX_N, &u))
            return error_set(err, HI_EINPUT, "%s: expected an integer in [1, %lu], found '%s'", key,
                             SYNTH_MAX_N, value);
        *(size_t *)(base + d->offset) = (size_t)u;
        break;
    case P_U64:
        if (parse_unsigned(value, UINT64_MAX, &u))
            return error_set(err, HI_EINPUT, "%s: expected an integer in [0, 2^64 - 1], found '%s'", key, value);
        *(uint64_t *)(base + d->offset) = u;
        break;
    case P_DOUBLE: {
        char *end;
        double v;
        errno = 0;
        v = strtod(value, &end);
        if (end == value || *end || errno == ERANGE || !isfinite(v))
            return error_set(err, HI_EINPUT, "%s: expected a number, found '%s'", key, value);
        *(double *)(base + d->offset) = v;
        break;
    }
    case P_SAMPLING:
        for (i = 0; i < 2 && strcmp(sampling_names[i], value) != 0; i++)
            ;
        if (i == 2)
            return error_set(err, HI_EINPUT, "sampling: expected stratified or iid, found '%s'", value);
        *(enum synth_sampling *)(base + d->offset) = (enum synth_sampling)i;
        break;
    }
    return HI_OK;
}

int
synth_parse(struct synth_params *p, const char *list, struct hi_error *err)
{
    char *copy = malloc(strlen(list) + 1), *item, *save = NULL;
    int rc = HI_OK;

    if (!copy)
        return error_set(err, HI_EINTERNAL, "out of memory");
    strcpy(copy, list);
    for (item = strtok_r(copy, ",", &save); item && rc == HI_OK; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq || eq == item) {
            rc = error_set(err, HI_EINPUT, "expected key=value, found '%s'", item);
            break;
        }
        *eq = '\0';
        rc = synth_set(p, item, eq + 1, err);
    }
    free(copy);
    return rc;
}

static int
check_unit(double v, const char *name, struct hi_error *err)
{
    if (!(v >= 0.0 && v <= 1.0))
        return error_set(err, HI_EINPUT, "%s = %g: expected a value in [0, 1]", name, v);
    return HI_OK;
}

static int
check_shape(double v, const char *name, struct hi_error *err)
{
    if (!(v > 0.0 && v <= 1e6))
        return error_set(err, HI_EINPUT, "%s = %g: expected a Beta shape in (0, 1e6]", name, v);
    return HI_OK;
}

int
synth_check(const struct synth_params *p, struct hi_error *err)
{
    if (p->k < 2 || p->k > SYNTH_MAX_K)
        return error_set(err, HI_EINPUT, "k = %u: expected a class count in [2, %lu]", p->k, SYNTH_MAX_K);
    if (p->n < 1 || p->n > SYNTH_MAX_N)
        return error_set(err, HI_EINPUT, "n = %zu: expected a sample count in [1, %lu]", p->n, SYNTH_MAX_N);
    if (check_unit(p->sml_acc, "sml_acc", err) || check_unit(p->lml_acc, "lml_acc", err) ||
        check_shape(p->right_a, "right_a", err) || check_shape(p->right_b, "right_b", err) ||
        check_shape(p->wrong_a, "wrong_a", err) || check_shape(p->wrong_b, "wrong_b", err) ||
        check_shape(p->p2_a, "p2_a", err) || check_shape(p->p2_b, "p2_b", err))
        return HI_EINPUT;
    if (!(p->lml_corr >= -1.0 && p->lml_corr <= 1.0))
        return error_set(err, HI_EINPUT, "lml_corr = %g: expected a correlation in [-1, 1]", p->lml_corr);
    if (!(p->bytes > 0.0 && p->bytes <= 1e15))
        return error_set(err, HI_EINPUT, "bytes = %g: expected a payload size > 0", p->bytes);
    if (!(p->bytes_cv >= 0.0 && p->bytes_cv <= 100.0))
        return error_set(err, HI_EINPUT, "bytes_cv = %g: expected a coefficient of variation in [0, 100]",
                         p->bytes_cv);
    if (p->sampling != SYNTH_STRATIFIED && p->sampling != SYNTH_IID)
        return error_set(err, HI_EINPUT, "sampling: expected stratified or iid");
    return HI_OK;
}

/* The shortest %g text that reads back to v. */
static void
shortest(char *buf, size_t len, double v)
{
    int prec;
    for (prec = 1; prec < 17; prec++) {
        snprintf(buf, len, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
    snprintf(buf, len, "%.17g", v);
}

int
synth_format(const struct synth_params *p, char *buf, size_t len)
{
    const char *base = (const char *)p;
    size_t i, used = 0;
    int total = 0;

    if (len)
        buf[0] = '\0';
    for (i = 0; i < N_PDESC; i++) {
        const struct pdesc *d = &pdescs[i];
        char val[40];
        int w;
        switch (d->type) {
        case P_UINT: snprintf(val, sizeof val, "%u", *(const unsigned *)(base + d->offset)); break;
        case P_SIZE: snprintf(val, sizeof val, "%zu", *(const size_t *)(base + d->offset)); break;
        case P_U64: snprintf(val, sizeof val, "%" PRIu64, *(const uint64_t *)(base + d->offset)); break;
        case P_DOUBLE: shortest(val, sizeof val, *(const double *)(base + d->offset)); break;
        case P_SAMPLING:
            snprintf(val, sizeof val, "%s",
                     sampling_names[*(const enum synth_sampling *)(base + d->offset) == SYNTH_IID]);
            break;
        }
        w = snprintf(buf + used, used < len ? len - used : 0, "%s%s=%s", i ? "," : "", d->name, val);
        total += w;
        used += (size_t)w;
        if (used > len)
            used = len;
    }
    return total;
}

/* ---- the model ---- */

double
synth_lml_error_prob(const struct synth_params *p, double u)
{
    double z, s, rho = p->lml_corr;

    if (p->lml_acc >= 1.0)
        return 0.0;
    if (p->lml_acc <= 0.0)
        return 1.0;
    if (rho == 0.0)
        return 1.0 - p->lml_acc;
    z = gsl_cdf_ugaussian_Pinv(1.0 - p->lml_acc);
    /* Φ⁻¹(u) is ±∞ at the ends; ±40 is far beyond any double u in (0, 1) */
    s = u <= 0.0 ? -40.0 : u >= 1.0 ? 40.0 : gsl_cdf_ugaussian_Pinv(u);
    if (rho >= 1.0 || rho <= -1.0)
        return rho * s < z ? 1.0 : 0.0;
    return gsl_cdf_ugaussian_P((z - rho * s) / sqrt(1.0 - rho * rho));
}

/*
 * Safeguarded Newton on F(x) − v (Numerical Recipes' rtsafe): a Newton step
 * when it stays inside the bracket and at least halves the last step,
 * bisection otherwise.  gsl_cdf_beta_Pinv is not used because it reports
 * non-convergence through the GSL error handler.  Relative accuracy a few
 * ulps in x (so F(x) = v also in the far tails of U-shaped Betas); a few
 * iterations for moderate shapes, at most 400.
 */
double
synth_beta_quantile(double v, double a, double b)
{
    double lo = 0.0, hi = 1.0, x, dx, dxold;
    int it;

    if (v <= 0.0)
        return 0.0;
    if (v >= 1.0)
        return 1.0;
    x = a / (a + b);
    dx = dxold = 1.0;
    for (it = 0; it < 400; it++) {
        double f = gsl_cdf_beta_P(x, a, b) - v;
        double d = gsl_ran_beta_pdf(x, a, b);
        if (f == 0.0)
            return x;
        if (f < 0.0)
            lo = x;
        else
            hi = x;
        if (hi - lo <= 4.0 * DBL_EPSILON * hi)
            break;
        if (isfinite(d) && d > 0.0 && x - f / d > lo && x - f / d < hi &&
            fabs(2.0 * f) < fabs(dxold * d)) {
            dxold = dx;
            dx = f / d;
            x -= dx;
            if (fabs(dx) <= DBL_EPSILON * x)
                break;
        } else {
            dxold = dx;
            dx = 0.5 * (hi - lo);
            x = lo + dx;
        }
    }
    /* a quantile within a few ulps of 0 or 1 may not be representable: the
     * end itself can be the closer double (U-shaped Betas far in a tail) */
    if (lo == 0.0 || hi == 1.0) {
        double e = fabs(gsl_cdf_beta_P(x, a, b) - v);
        if (lo == 0.0 && v < e)
            return 0.0;
        if (hi == 1.0 && 1.0 - v < e)
            return 1.0;
    }
    return x;
}

/* Difficulty u of a sample: its quantile in the order "wrong before right,
 * then by confidence" (synth.h). */
static double
difficulty(const struct synth_params *p, int wrong, double cdf)
{
    return wrong ? (1.0 - p->sml_acc) * cdf : (1.0 - p->sml_acc) + p->sml_acc * cdf;
}

struct keyed {
    double u;
    size_t row;
};

static int
cmp_keyed(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->u != y->u)
        return (x->u > y->u) - (x->u < y->u);
    return (x->row > y->row) - (x->row < y->row);
}

/* Fills wrong[m], bv[m], u[m] of one group by stratified inverse-CDF
 * sampling: v_j = (π_j + U_j)/m for a random permutation π. */
static int
stratify(const struct synth_params *p, gsl_rng *r, size_t m, int wrong, unsigned char *w, double *bv,
         double *u)
{
    size_t *perm = malloc((m ? m : 1) * sizeof *perm), j;
    double a = wrong ? p->wrong_a : p->right_a, b = wrong ? p->wrong_b : p->right_b;
    if (!perm)
        return HI_EINTERNAL;
    for (j = 0; j < m; j++)
        perm[j] = j;
    if (m > 1)
        gsl_ran_shuffle(r, perm, m, sizeof *perm);
    for (j = 0; j < m; j++) {
        double v = ((double)perm[j] + gsl_rng_uniform_pos(r)) / (double)m;
        w[j] = (unsigned char)wrong;
        bv[j] = synth_beta_quantile(v, a, b);
        u[j] = difficulty(p, wrong, v);
    }
    free(perm);
    return HI_OK;
}

/* Step 1: S-ML correctness, B and u of every row. */
static int
draw_sml(const struct synth_params *p, gsl_rng *r, unsigned char *w, double *bv, double *u)
{
    size_t n = p->n, i;

    if (p->sampling == SYNTH_IID) {
        for (i = 0; i < n; i++) {
            int wrong = gsl_rng_uniform(r) >= p->sml_acc;
            double a = wrong ? p->wrong_a : p->right_a, b = wrong ? p->wrong_b : p->right_b;
            w[i] = (unsigned char)wrong;
            bv[i] = gsl_ran_beta(r, a, b);
            u[i] = difficulty(p, wrong, gsl_cdf_beta_P(bv[i], a, b));
        }
        return HI_OK;
    } else {
        size_t n_w = (size_t)llround((double)n * (1.0 - p->sml_acc));
        size_t *order = malloc(n * sizeof *order);
        unsigned char *w2 = malloc(n);
        double *b2 = malloc(n * sizeof *b2), *u2 = malloc(n * sizeof *u2);
        int rc = HI_EINTERNAL;

        if (n_w > n)
            n_w = n;
        if (!order || !w2 || !b2 || !u2)
            goto done;
        if (stratify(p, r, n_w, 1, w2, b2, u2) || stratify(p, r, n - n_w, 0, w2 + n_w, b2 + n_w, u2 + n_w))
            goto done;
        for (i = 0; i < n; i++)
            order[i] = i;
        if (n > 1)
            gsl_ran_shuffle(r, order, n, sizeof *order);
        for (i = 0; i < n; i++) {
            w[i] = w2[order[i]];
            bv[i] = b2[order[i]];
            u[i] = u2[order[i]];
        }
        rc = HI_OK;
    done:
        free(order);
        free(w2);
        free(b2);
        free(u2);
        return rc;
    }
}

/* Step 2: L-ML correctness.  Stratified: systematic sampling along u
 * (rows sorted by u, one uniform offset, an error each time the running
 * sum of q crosses an integer), so every u-interval holds its expected
 * number of errors within one. */
static int
draw_lml(const struct synth_params *p, gsl_rng *r, const double *u, unsigned char *wl)
{
    size_t n = p->n, i;
    struct keyed *k;
    double c;

    if (p->sampling == SYNTH_IID) {
        for (i = 0; i < n; i++)
            wl[i] = gsl_rng_uniform(r) < synth_lml_error_prob(p, u[i]);
        return HI_OK;
    }
    k = malloc(n * sizeof *k);
    if (!k)
        return HI_EINTERNAL;
    for (i = 0; i < n; i++) {
        k[i].u = u[i];
        k[i].row = i;
    }
    qsort(k, n, sizeof *k, cmp_keyed);
    c = gsl_rng_uniform(r);
    for (i = 0; i < n; i++) {
        c += synth_lml_error_prob(p, k[i].u);
        wl[k[i].row] = c >= 1.0;
        if (c >= 1.0)
            c -= 1.0;
    }
    free(k);
    return HI_OK;
}

/* A class other than label, uniform over the K − 1 others. */
static int
other_class(gsl_rng *r, unsigned k, int label)
{
    return (int)(((unsigned long)label + 1 + gsl_rng_uniform_int(r, k - 1)) % k);
}

static int
set_meta(struct hi_trace *t, const struct synth_params *p, const char *preset_name)
{
    char buf[1024];
    const struct synth_preset *ps = preset_name ? synth_preset_find(preset_name) : NULL;

    snprintf(buf, sizeof buf, "hisim synth (model %d)", SYNTH_MODEL_VERSION);
    if (trace_set_meta(t, "generator", buf))
        return HI_EINTERNAL;
    snprintf(buf, sizeof buf, "synthetic%s%s", ps ? ", " : "", ps ? ps->summary : "");
    if (trace_set_meta(t, "dataset", buf) || trace_set_meta(t, "preset", preset_name ? preset_name : "custom"))
        return HI_EINTERNAL;
    snprintf(buf, sizeof buf, "%" PRIu64, p->seed);
    if (trace_set_meta(t, "seed", buf))
        return HI_EINTERNAL;
    synth_format(p, buf, sizeof buf);
    if (trace_set_meta(t, "params", buf))
        return HI_EINTERNAL;
    return HI_OK;
}

/* Seeds of 32 bits seed the generator as gsl_rng_set does, as in every
 * earlier release; larger ones through init_by_array from both halves
 * (gsl_rng_set kept the low 32 bits of those, so seeds S and S + 2^32
 * gave the same trace). */
static void
synth_seed(gsl_rng *r, uint64_t seed)
{
    if (seed <= 0xffffffffu) {
        gsl_rng_set(r, (unsigned long)seed);   /* the traces of earlier releases */
    } else {
        uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
        mt19937_seed_array(r, key, 2);
    }
}

struct hi_trace *
synth_generate(const struct synth_params *p, const char *preset_name, struct hi_error *err)
{
    struct hi_trace *t = NULL;
    gsl_rng *r = NULL;
    unsigned char *ws = NULL, *wl = NULL;
    double *bv = NULL, *u = NULL;
    double inv_k, mu = 0.0, sigma = 0.0;
    size_t n, i;

    if (synth_check(p, err))
        return NULL;
    n = p->n;
    inv_k = 1.0 / (double)p->k;
    r = gsl_rng_alloc(gsl_rng_mt19937);
    t = trace_new(n);
    ws = malloc(n);
    wl = malloc(n);
    bv = malloc(n * sizeof *bv);
    u = malloc(n * sizeof *u);
    if (!r || !t || !ws || !wl || !bv || !u || trace_add_column(t, TRACE_COL_ID) ||
        trace_add_column(t, TRACE_COL_SML_P2) || trace_add_column(t, TRACE_COL_BYTES))
        goto oom;
    synth_seed(r, p->seed);

    if (draw_sml(p, r, ws, bv, u) || draw_lml(p, r, u, wl))
        goto oom;

    if (p->bytes_cv > 0.0) {
        sigma = sqrt(log1p(p->bytes_cv * p->bytes_cv));
        mu = log(p->bytes) - 0.5 * sigma * sigma;
    }
    for (i = 0; i < n; i++) {
        double conf = inv_k + (1.0 - inv_k) * bv[i], lo, hi, p2;
        int label = (int)gsl_rng_uniform_int(r, p->k);

        if (conf > 1.0)
            conf = 1.0;
        t->id[i] = (long)i;
        t->label[i] = label;
        t->sml_pred[i] = ws[i] ? other_class(r, p->k, label) : label;
        t->lml_pred[i] = wl[i] ? other_class(r, p->k, label) : label;
        t->sml_conf[i] = conf;

        /* the other K − 1 probabilities sum to 1 − p, so their largest is
         * at least their mean and at most min(p, 1 − p) */
        lo = (1.0 - conf) / (double)(p->k - 1);
        hi = fmin(conf, 1.0 - conf);
        p2 = lo + (hi - lo) * gsl_ran_beta(r, p->p2_a, p->p2_b);
        p2 = fmax(0.0, fmin(p2, hi));
        while (p2 > 0.0 && conf + p2 > 1.0)
            p2 = nextafter(p2, 0.0);
        t->sml_p2[i] = p2;

        if (p->bytes_cv > 0.0)
            t->bytes[i] = fmax(1.0, round(gsl_ran_lognormal(r, mu, sigma)));
        else
            t->bytes[i] = round(p->bytes);
    }
    trace_derive(t);
    if (set_meta(t, p, preset_name))
        goto oom;
    gsl_rng_free(r);
    free(ws);
    free(wl);
    free(bv);
    free(u);
    return t;

oom:
    error_set(err, HI_EINTERNAL, "out of memory generating %zu samples", p->n);
    gsl_rng_free(r);
    trace_free(t);
    free(ws);
    free(wl);
    free(bv);
    free(u);
    return NULL;
}
