/* amr2.c — AMR²: the LP relaxation with GLPK, then rounding (amr2.h). */
#include "config.h"
#include "policies/amr2.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_GLPK
#include <glpk.h>
#endif

/* LP values this close to an integer are that integer (simplex rounding). */
#define AMR2_EPS 1e-9

int
amr2_available(void)
{
#ifdef HAVE_GLPK
    return 1;
#else
    return 0;
#endif
}

void
amr2_plan_free(struct amr2_plan *plan)
{
    free(plan->assign);
    free(plan->lp);
    plan->assign = NULL;
    plan->lp = NULL;
}

#ifdef HAVE_GLPK
/* Solves the relaxation into plan->lp; HI_EINPUT when infeasible. */
static int
solve_lp(const struct amr2_problem *p, struct amr2_plan *plan, struct hi_error *err)
{
    size_t G = p->n_groups, W = p->m + 1, g, j, nz = 0;
    size_t n_cols = G * W, n_rows = G + (p->sequential ? 1 : 2);
    int *ia = malloc((2 * n_cols + 1) * sizeof *ia), *ja = malloc((2 * n_cols + 1) * sizeof *ja);
    double *ar = malloc((2 * n_cols + 1) * sizeof *ar);
    glp_prob *lp = glp_create_prob();
    glp_smcp parm;
    int rc = HI_OK, ret, status;
    int ed_row = (int)G + 1, es_row = p->sequential ? (int)G + 1 : (int)G + 2;

    if (!ia || !ja || !ar) {
        rc = error_set(err, HI_EINTERNAL, "out of memory (AMR² LP of %zu columns)", n_cols);
        goto done;
    }
    glp_set_obj_dir(lp, GLP_MAX);
    glp_add_rows(lp, (int)n_rows);
    glp_add_cols(lp, (int)n_cols);
    for (g = 0; g < G; g++)
        glp_set_row_bnds(lp, (int)g + 1, GLP_FX, (double)p->count[g], (double)p->count[g]);
    glp_set_row_bnds(lp, ed_row, GLP_UP, 0.0, p->T);
    if (!p->sequential)
        glp_set_row_bnds(lp, es_row, GLP_UP, 0.0, p->T);
    for (g = 0; g < G; g++)
        for (j = 0; j < W; j++) {
            int col = (int)(g * W + j) + 1;
            int on_es = j == p->m;
            double t = on_es ? p->es_time_s[g] : p->models[j].time_s;
            if (p->count[g] > 0)
                glp_set_col_bnds(lp, col, GLP_DB, 0.0, (double)p->count[g]);
            else
                glp_set_col_bnds(lp, col, GLP_FX, 0.0, 0.0);
            glp_set_obj_coef(lp, col, on_es ? p->es_accuracy : p->models[j].accuracy);
            nz++;
            ia[nz] = (int)g + 1, ja[nz] = col, ar[nz] = 1.0;
            nz++;
            ia[nz] = on_es ? es_row : ed_row, ja[nz] = col, ar[nz] = t;
        }
    glp_load_matrix(lp, (int)nz, ia, ja, ar);
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    ret = glp_simplex(lp, &parm);
    status = glp_get_status(lp);
    if (ret != 0 && ret != GLP_ENOPFS) {
        rc = error_set(err, HI_EINTERNAL, "AMR²: GLPK's simplex failed (glp_simplex returned %d)", ret);
        goto done;
    }
    if (ret == GLP_ENOPFS || status == GLP_NOFEAS || status == GLP_INFEAS) {
        rc = error_set(err, HI_EINPUT, "AMR²: no assignment fits the makespan budget T = %.9g ms, even "
                       "fractionally", p->T * 1e3);
        goto done;
    }
    if (status != GLP_OPT) {
        rc = error_set(err, HI_EINTERNAL, "AMR²: GLPK ended with status %d, not an optimum", status);
        goto done;
    }
    plan->lp_accuracy = glp_get_obj_val(lp);
    for (g = 0; g < n_cols; g++)
        plan->lp[g] = glp_get_col_prim(lp, (int)g + 1);
done:
    glp_delete_prob(lp);
    free(ia);
    free(ja);
    free(ar);
    return rc;
}
#endif

/* Whether adding time t to the device (or the server) keeps the plan in T. */
static int
fits(const struct amr2_problem *p, double ed, double es, double t, int on_es)
{
    double tol = p->T * 1e-12;
    if (on_es)
        es += t;
    else
        ed += t;
    if (p->sequential)
        return ed + es <= p->T + tol;
    return ed <= p->T + tol && es <= p->T + tol;
}

int
amr2_solve(const struct amr2_problem *p, struct amr2_plan *out, struct hi_error *err)
{
    size_t G = p->n_groups, W = p->m + 1, g, j;
    int es_taken = 0;
    memset(out, 0, sizeof *out);
    assert(p->T > 0.0 && G > 0);
#ifndef HAVE_GLPK
    (void)W;
    (void)g;
    (void)j;
    (void)es_taken;
    (void)fits;
    return error_set(err, HI_EINPUT, "oma-amr2: this hisim was built without GLPK, which AMR² needs for its "
                     "LP (install libglpk-dev and run ./configure again)");
#else
    out->assign = calloc(G * W, sizeof *out->assign);
    out->lp = calloc(G * W, sizeof *out->lp);
    if (!out->assign || !out->lp) {
        amr2_plan_free(out);
        return error_set(err, HI_EINTERNAL, "out of memory (AMR² plan)");
    }
    {
        int rc = solve_lp(p, out, err);
        if (rc) {
            amr2_plan_free(out);
            return rc;
        }
    }
    /* the integral parts (capped at the group's count: values just below
     * an integer count as that integer) */
    for (g = 0; g < G; g++) {
        size_t left = p->count[g];
        for (j = 0; j < W; j++) {
            double y = out->lp[g * W + j], r = floor(y + AMR2_EPS);
            size_t k = y > 0.0 ? (size_t)r : 0;
            if (k > left)
                k = left;
            left -= k;
            out->assign[g * W + j] = k;
            if (j == p->m)
                out->es_s += (double)k * p->es_time_s[g];
            else
                out->device_s += (double)k * p->models[j].time_s;
        }
    }
    /* the split jobs */
    for (g = 0; g < G; g++) {
        size_t placed = 0;
        for (j = 0; j < W; j++)
            placed += out->assign[g * W + j];
        assert(placed <= p->count[g]);
        while (placed < p->count[g]) {
            size_t best = W, fastest = W;
            int has_es = 0;
            for (j = 0; j < W; j++) {
                int on_es = j == p->m;
                double t = on_es ? p->es_time_s[g] : p->models[j].time_s;
                double a = on_es ? p->es_accuracy : p->models[j].accuracy;
                double frac = out->lp[g * W + j] - (double)out->assign[g * W + j];
                if (fits(p, out->device_s, out->es_s, t, on_es)) {
                    double ab = best == W ? -INFINITY
                              : best == p->m ? p->es_accuracy : p->models[best].accuracy;
                    double tb = best == W ? INFINITY
                              : best == p->m ? p->es_time_s[g] : p->models[best].time_s;
                    if (a > ab || (a == ab && t < tb))
                        best = j;
                }
                if (frac > AMR2_EPS) {
                    if (on_es)
                        has_es = 1;
                    else if (fastest == W || p->models[j].time_s < p->models[fastest].time_s)
                        fastest = j;
                }
            }
            if (best == W) {
                /* nothing fits: the matching rule of amr2.h */
                if (has_es && (!es_taken || fastest == W)) {
                    best = p->m;
                    es_taken = 1;
                } else if (fastest != W) {
                    best = fastest;
                } else {
                    best = p->m;
                }
            }
            out->assign[g * W + best]++;
            if (best == p->m)
                out->es_s += p->es_time_s[g];
            else
                out->device_s += p->models[best].time_s;
            out->rounded++;
            placed++;
        }
    }
    out->accuracy = 0.0;
    for (g = 0; g < G; g++)
        for (j = 0; j < W; j++)
            out->accuracy += (double)out->assign[g * W + j] * (j == p->m ? p->es_accuracy : p->models[j].accuracy);
    out->makespan_s = p->sequential ? out->device_s + out->es_s : fmax(out->device_s, out->es_s);
    return HI_OK;
#endif
}
