/*
 * lr.c — the binary LR decision module (lr.h) and the policy `lr`.
 *
 * Policy `lr` (001 §3.4.2): after the S-ML, accept iff the LR on (p, p2)
 * says the S-ML is right: σ(w0 + w1 p + w2 p2) ≥ policy.lr_cut.  The
 * coefficients are policy.lr_w ("w0,w1,w2") or fitted by maximum
 * likelihood on training samples that are never the samples scored:
 *
 *   policy.lr_train_file  a trace of its own (its sml_conf, sml_p2 and
 *                         whether its S-ML is right);
 *   policy.lr_train: f    the last ⌊f·R + ½⌋ rows of the run's trace; the
 *                         run must then read only rows before them
 *                         (trace.order: sequential, one device,
 *                         trace.samples ≤ R − that), else it is refused;
 *   policy.lr_train: all  in-sample, on purpose: fitted on every row,
 *                         scored on the same rows (optimistic), and the
 *                         run's description says so.
 *
 * The module is shared with ee-hi (policies/ee.c), which fits it on the
 * final exit's columns.  Reading the training labels makes the policy a
 * declared oracle.  O(1) per decision.
 */
#include "policies/lr.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "policies/policy.h"

static double
sigmoid(double z)
{
    return z >= 0.0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
}

/* ln σ(z) and ln(1 − σ(z)) = ln σ(−z), without overflow. */
static double
log_sigmoid(double z)
{
    return z >= 0.0 ? -log1p(exp(-z)) : z - log1p(exp(z));
}

double
lr_loglik(const double w[3], const double *p, const double *p2, const unsigned char *right, size_t n)
{
    double ll = 0.0;
    size_t i;
    for (i = 0; i < n; i++) {
        double z = w[0] + w[1] * p[i] + (p2 ? w[2] * p2[i] : 0.0);
        ll += right[i] ? log_sigmoid(z) : log_sigmoid(-z);
    }
    return ll;
}

int
lr_accepts(const double w[3], double cut, double p, double p2)
{
    double z = w[0] + w[1] * p + (w[2] != 0.0 ? w[2] * p2 : 0.0);
    if (cut <= 0.0)
        return 1;
    if (cut >= 1.0)
        return 0;
    return z >= log(cut / (1.0 - cut));
}

static double
penalised(const double w[3], const double *p, const double *p2, const unsigned char *right, size_t n, double l2)
{
    return lr_loglik(w, p, p2, right, n) - 0.5 * l2 * (w[1] * w[1] + w[2] * w[2]);
}

int
lr_fit(const double *p, const double *p2, const unsigned char *right, size_t n, double l2,
       struct lr_fit *out, struct hi_error *err)
{
    gsl_matrix *H = gsl_matrix_alloc(3, 3), *V = gsl_matrix_alloc(3, 3);
    gsl_vector *g = gsl_vector_alloc(3), *S = gsl_vector_alloc(3), *work = gsl_vector_alloc(3),
               *step = gsl_vector_alloc(3);
    size_t i, ones = 0, d = p2 ? 3 : 2;
    unsigned it;
    int rc = HI_OK;

    memset(out, 0, sizeof *out);
    if (!H || !V || !g || !S || !work || !step) {
        rc = error_set(err, HI_EINTERNAL, "out of memory");
        goto done;
    }
    for (i = 0; i < n; i++)
        ones += right[i] != 0;
    if (n == 0 || ones == 0 || ones == n) {
        rc = error_set(err, HI_EINPUT, "LR: the %zu training samples are all %s: nothing to learn", n,
                       ones ? "right" : "wrong");
        goto done;
    }
    /* start at the intercept-only optimum */
    out->w[0] = log((double)ones / (double)(n - ones));
    for (it = 1; it <= 200; it++) {
        double x[3], smax, dmax = 0.0, wmax = 0.0;
        size_t a, b;
        gsl_matrix_set_zero(H);
        gsl_vector_set_zero(g);
        for (i = 0; i < n; i++) {
            double z, s, r;
            x[0] = 1.0;
            x[1] = p[i];
            x[2] = p2 ? p2[i] : 0.0;
            z = out->w[0] + out->w[1] * x[1] + out->w[2] * x[2];
            s = sigmoid(z);
            r = (double)(right[i] != 0) - s;
            for (a = 0; a < d; a++) {
                *gsl_vector_ptr(g, a) += r * x[a];
                for (b = 0; b < d; b++)
                    *gsl_matrix_ptr(H, a, b) += s * (1.0 - s) * x[a] * x[b];
            }
        }
        for (a = 1; a < d; a++) {
            *gsl_vector_ptr(g, a) -= l2 * out->w[a];
            *gsl_matrix_ptr(H, a, a) += l2;
        }
        if (d == 2) {
            /* the one-feature model: the third row and column stay unit */
            gsl_matrix_set(H, 2, 2, 1.0);
        }
        /* H = U S Vᵀ (symmetric); the minimum-norm step drops the null space */
        if (gsl_linalg_SV_decomp(H, V, S, work)) {
            rc = error_set(err, HI_EINTERNAL, "LR: SVD failed");
            goto done;
        }
        smax = gsl_vector_get(S, 0);
        for (a = 0; a < 3; a++)
            if (gsl_vector_get(S, a) < 1e-12 * smax)
                gsl_vector_set(S, a, 0.0);
        if (gsl_linalg_SV_solve(H, V, S, g, step)) {
            rc = error_set(err, HI_EINTERNAL, "LR: SVD solve failed");
            goto done;
        }
        if (d == 2)
            gsl_vector_set(step, 2, 0.0);
        /* damped Newton: halve the step until the penalised likelihood
         * does not fall (a full step can overshoot when p clusters near 1) */
        {
            double w_old[3], f_old = penalised(out->w, p, p2, right, n, l2), alpha = 1.0;
            int h;
            memcpy(w_old, out->w, sizeof w_old);
            for (h = 0; h < 60; h++, alpha *= 0.5) {
                for (a = 0; a < 3; a++)
                    out->w[a] = w_old[a] + alpha * gsl_vector_get(step, a);
                if (penalised(out->w, p, p2, right, n, l2) >= f_old - 1e-12 * fabs(f_old))
                    break;
            }
            for (a = 0; a < 3; a++) {
                dmax = fmax(dmax, fabs(out->w[a] - w_old[a]));
                wmax = fmax(wmax, fabs(out->w[a]));
            }
        }
        out->iterations = it;
        if (dmax <= 1e-13 * fmax(1.0, wmax))
            break;
        /* separable: the likelihood reaches 1 only as the weights go to
         * infinity; stop once every sample is fitted to within 1e-10 */
        if (wmax > 1e6 || lr_loglik(out->w, p, p2, right, n) > -1e-10) {
            out->separable = 1;
            break;
        }
    }
    if (out->iterations == 200)
        out->separable = 1;   /* no convergence: treat as separable */
    out->loglik = lr_loglik(out->w, p, p2, right, n);
done:
    gsl_matrix_free(H);
    gsl_matrix_free(V);
    gsl_vector_free(g);
    gsl_vector_free(S);
    gsl_vector_free(work);
    gsl_vector_free(step);
    return rc;
}

/* ---- the module as the policies use it ---- */

#define TEXT_MAX 4096

static const char *
param(const struct hi_policy_env *env, const char *key, char *buf, size_t len)
{
    const char *v = env->param ? env->param(env->param_ctx, key) : NULL;
    if (!v)
        return NULL;
    snprintf(buf, len, "%s", v);
    return buf;
}

/* The columns of model `exit` (0: the S-ML) of trace t. */
static void
columns(const struct hi_trace *t, unsigned exit, const double *view_conf, const double **p, const double **p2,
        const int **pred)
{
    if (exit == 0) {
        *p = view_conf ? view_conf : t->sml_conf;
        *p2 = t->sml_p2;
        *pred = t->sml_pred;
    } else {
        *p = t->ee_conf[exit - 1];
        *p2 = t->ee_p2[exit - 1];
        *pred = t->ee_pred[exit - 1];
    }
}

static int
fit_rows(struct lr_module *m, const struct hi_trace *t, unsigned exit, const double *view_conf, size_t first,
         size_t count, double l2, struct hi_error *err)
{
    const double *p, *p2;
    const int *pred;
    unsigned char *right = malloc(count ? count : 1);
    size_t i;
    int rc;
    columns(t, exit, view_conf, &p, &p2, &pred);
    if (!right)
        return error_set(err, HI_EINTERNAL, "out of memory");
    for (i = 0; i < count; i++)
        right[i] = pred[first + i] == t->label[first + i];
    m->one_feature = p2 == NULL;
    rc = lr_fit(p + first, p2 ? p2 + first : NULL, right, count, l2, &m->fit, err);
    free(right);
    if (rc == HI_OK)
        memcpy(m->w, m->fit.w, sizeof m->w);
    return rc;
}

int
lr_module_init(struct lr_module *m, const struct hi_policy_env *env, const char *name, unsigned exit,
               struct hi_error *err)
{
    char buf[TEXT_MAX], file[TEXT_MAX] = "";
    const struct hi_trace *t = env->trace;
    double l2 = 0.0;
    int rc;

    memset(m, 0, sizeof *m);
    m->exit = exit;
    m->cut = 0.5;
    if (param(env, "policy.lr_cut", buf, sizeof buf))
        m->cut = strtod(buf, NULL);
    if (param(env, "policy.lr_l2", buf, sizeof buf))
        l2 = strtod(buf, NULL);
    if (!t)
        return error_set(err, HI_EINTERNAL, "%s: the LR module without the trace", name);
    if (exit == 0 && !t->sml_p2)
        return error_set(err, HI_EINPUT, "%s: the LR decides on (p, p2) and needs the trace column sml_p2 "
                         "(the second-largest softmax); %s has none", name, t->path ? t->path : "the trace");

    /* coefficients given */
    if (param(env, "policy.lr_w", buf, sizeof buf) && buf[0]) {
        char *s = buf, *end;
        int k;
        for (k = 0; k < 3; k++) {
            errno = 0;
            m->w[k] = strtod(s, &end);
            if (end == s || errno || !isfinite(m->w[k]) || (k < 2 ? *end != ',' : *end != '\0'))
                return error_set(err, HI_EINPUT, "policy.lr_w: expected three numbers 'w0,w1,w2', found '%s'",
                                 env->param(env->param_ctx, "policy.lr_w"));
            s = end + 1;
        }
        m->given = 1;
        m->one_feature = (exit == 0 ? t->sml_p2 : t->ee_p2[exit - 1]) == NULL;
        if (m->one_feature && m->w[2] != 0.0)
            return error_set(err, HI_EINPUT, "policy.lr_w: w2 must be 0 without a p2 column for %s", name);
        return HI_OK;
    }

    /* a training trace of its own */
    if (param(env, "policy.lr_train_file", file, sizeof file) && file[0]) {
        struct hi_trace *tt;
        char *a = realpath(file, NULL), *b = t->path ? realpath(t->path, NULL) : NULL;
        int same = a && b && strcmp(a, b) == 0;
        free(a);
        free(b);
        if (same)
            return error_set(err, HI_EINPUT, "policy.lr_train_file: %s is the run's own trace: the LR would be "
                             "scored on the samples it was fitted on (policy.lr_train: all does that on purpose)",
                             file);
        tt = trace_load(file, err);
        if (!tt)
            return err->status;
        if (exit == 0 && !tt->sml_p2) {
            rc = error_set(err, HI_EINPUT, "policy.lr_train_file: %s has no sml_p2 column", file);
        } else if (exit > tt->n_exits) {
            rc = error_set(err, HI_EINPUT, "policy.lr_train_file: %s has no exit %u", file, exit);
        } else {
            rc = fit_rows(m, tt, exit, NULL, 0, tt->n, l2, err);
            snprintf(m->source, sizeof m->source, "trained on %s (%zu samples)", file, tt->n);
        }
        trace_free(tt);
        return rc;
    }

    /* a part of the run's trace, or all of it in-sample */
    param(env, "policy.lr_train", buf, sizeof buf);
    if (strcmp(buf, "all") == 0) {
        m->in_sample = 1;
        rc = fit_rows(m, t, exit, exit ? NULL : env->conf, 0, t->n, l2, err);
        snprintf(m->source, sizeof m->source, "trained in-sample on all %zu rows (optimistic)", t->n);
        return rc;
    } else {
        double f = strtod(buf, NULL);
        size_t R = t->n, count = (size_t)floor(f * (double)R + 0.5), first;
        char order[64], devs[64];
        if (!(f > 0.0 && f < 1.0) || count == 0 || count >= R)
            return error_set(err, HI_EINPUT, "policy.lr_train: %s leaves no training or no test rows of the %zu "
                             "(a fraction in (0, 1), 'all' for in-sample, or policy.lr_train_file)", buf, R);
        first = R - count;
        param(env, "trace.order", order, sizeof order);
        param(env, "devices.count", devs, sizeof devs);
        if (strcmp(order, "sequential") != 0 || strcmp(devs, "1") != 0 || env->n > first)
            return error_set(err, HI_EINPUT, "policy.lr_train: %s trains on rows %zu..%zu of the trace; the run "
                             "must read only rows before them (trace.order: sequential, one device, "
                             "trace.samples <= %zu; found %s, %s device(s), %zu samples), or use "
                             "policy.lr_train_file", buf, first, R - 1, first, order, devs, env->n);
        rc = fit_rows(m, t, exit, exit ? NULL : env->conf, first, count, l2, err);
        snprintf(m->source, sizeof m->source, "trained on rows %zu..%zu", first, R - 1);
        return rc;
    }
}

void
lr_module_describe(const struct lr_module *m, char *buf, size_t len)
{
    snprintf(buf, len, "w=%.9g,%.9g,%.9g cut=%.6g%s%s%s%s", m->w[0], m->w[1], m->w[2], m->cut,
             m->given ? " (given)" : " ", m->given ? "" : m->source, m->fit.separable ? " separable" : "",
             m->one_feature ? " p only" : "");
}

/* ---- the policy ---- */

static int
init(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    return lr_module_init(st, env, "lr", 0, err);
}

static struct hi_action
decide(void *st, const struct hi_view *v, double *q_off)
{
    const struct lr_module *m = st;
    int accept = lr_accepts(m->w, m->cut, v->p, v->p2);
    *q_off = !accept;
    return hi_act(accept ? HI_ACT_ACCEPT : HI_ACT_OFFLOAD, 0);
}

static void
describe(const void *st, char *buf, size_t len)
{
    lr_module_describe(st, buf, len);
}

const struct hi_policy_type hi_policy_lr = {
    .name = "lr",
    .summary = "001's binary logistic regression on (p, p2): accept iff it predicts the S-ML right (fitted on a held-out part: uses labels)",
    .size = sizeof(struct lr_module),
    .flags = POLICY_ORACLE,
    .init = init,
    .decide = decide,
    .describe = describe,
};
