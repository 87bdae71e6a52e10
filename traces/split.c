/* split.c — EdgeLessPart's split rules and exit placement (split.h). */
#include "traces/split.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const split_rule_names[] = {"latency", "memory-share", "layer-share", NULL};
const char *const split_placement_names[] = {"linear", "pareto", NULL};

void
split_params_defaults(struct split_params *p)
{
    p->rule = SPLIT_MEMORY_SHARE;
    p->fraction = 0.7;
    p->edge_speed = 1.0;
    p->cloud_speed = 1.0;
    p->placement = SPLIT_PLACE_LINEAR;
    p->per_part = SPLIT_MAX_PER_PART;
    p->pareto_shape = SPLIT_PARETO_8020;
}

void
split_net_free(struct split_net *net)
{
    free(net->row);
    free(net->cum_ms);
    free(net->mem);
    free(net->side_exit);
    free(net->side_at);
    free(net->side_ms);
    memset(net, 0, sizeof *net);
}

int
split_net_init(struct split_net *net, const struct hi_layers *L, struct hi_error *err)
{
    size_t r, j, k, n_side = 0;
    double params = 0.0, peak;
    size_t *side_of = NULL;      /* profile exit k -> side index + 1, 0: not a side exit */

    memset(net, 0, sizeof *net);
    net->L = L;
    if (!L->has_cpu_ms)
        return error_set(err, HI_EINPUT, "%s: the profile has no cpu_ms column (a split needs layer times)",
                         L->path);
    /* the final classifier: the exit that ends the profile */
    if (L->n && L->exit_of[L->n - 1])
        net->final_exit = L->exit_of[L->n - 1];
    for (r = 0; r < L->n; r++)
        if (!L->exit_of[r] || L->exit_of[r] == net->final_exit)
            net->n++;
    if (!net->n)
        return error_set(err, HI_EINPUT, "%s: the profile has no backbone layer (every row belongs to a side exit)",
                         L->path);
    for (k = 1; k <= L->n_exits; k++)
        n_side += k != net->final_exit;
    net->row = malloc(net->n * sizeof *net->row);
    net->cum_ms = malloc((net->n + 1) * sizeof *net->cum_ms);
    net->mem = malloc((net->n + 1) * sizeof *net->mem);
    net->side_exit = malloc((n_side ? n_side : 1) * sizeof *net->side_exit);
    net->side_at = malloc((n_side ? n_side : 1) * sizeof *net->side_at);
    net->side_ms = calloc(n_side ? n_side : 1, sizeof *net->side_ms);
    side_of = calloc(L->n_exits + 1, sizeof *side_of);
    if (!net->row || !net->cum_ms || !net->mem || !net->side_exit || !net->side_at || !net->side_ms || !side_of) {
        free(side_of);
        split_net_free(net);
        return error_set(err, HI_EINTERNAL, "out of memory");
    }
    net->cum_ms[0] = 0.0;
    net->mem[0] = 0.0;
    peak = L->input_bytes;
    for (r = 0, j = 0; r < L->n; r++) {
        k = L->exit_of[r];
        if (!k || k == net->final_exit) {
            net->row[j] = r + 1;
            net->cum_ms[j + 1] = net->cum_ms[j] + L->cpu_ms[r];
            params += L->params[r];
            if (L->output_bytes[r] > peak)
                peak = L->output_bytes[r];
            net->mem[j + 1] = 4.0 * params + peak;   /* layers_memory_bytes' rule */
            j++;
            continue;
        }
        if (!side_of[k]) {                          /* the exit's first row */
            side_of[k] = ++net->n_side;
            net->side_exit[net->n_side - 1] = k;
            net->side_at[net->n_side - 1] = j;
        }
        net->side_ms[side_of[k] - 1] += L->cpu_ms[r];
    }
    assert(j == net->n && net->n_side == n_side);
    free(side_of);
    return HI_OK;
}

double
split_net_ms(const struct split_net *net, size_t a, size_t b, double speed)
{
    assert(a <= b && b <= net->n && speed > 0.0);
    return (net->cum_ms[b] - net->cum_ms[a]) / speed;
}

double
split_net_out_bytes(const struct split_net *net, size_t j)
{
    assert(j <= net->n);
    return j ? net->L->output_bytes[net->row[j - 1] - 1] : net->L->input_bytes;
}

double
split_net_memory(const struct split_net *net, size_t a, size_t b)
{
    double params = 0.0, peak;
    size_t j;
    assert(a <= b && b <= net->n);
    if (a == b)
        return 0.0;
    peak = split_net_out_bytes(net, a);
    for (j = a + 1; j <= b; j++) {
        size_t r = net->row[j - 1] - 1;
        params += net->L->params[r];
        if (net->L->output_bytes[r] > peak)
            peak = net->L->output_bytes[r];
    }
    return 4.0 * params + peak;
}

double
split_net_sent_bytes(const struct split_net *net, size_t s)
{
    assert(s <= net->n);
    return s ? split_net_out_bytes(net, s) : net->L->raw_bytes;
}

/* The largest s in 0..n with c[s] <= limit, for nondecreasing c with
 * c[0] <= limit: binary search on the invariant c[lo] <= limit < c[hi]. */
static size_t
last_at_most(const double *c, size_t n, double limit)
{
    size_t lo = 0, hi = n + 1;
    assert(c[0] <= limit);
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        assert(c[mid] >= c[mid - 1]);
        if (c[mid] <= limit)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* 003 §II: "split wherever a set of layers on the edge runs as long as the
 * complete network in the cloud": the longest edge prefix not slower than
 * the whole network in the cloud.  The prefix is compared in the edge's
 * time, T(s)/edge_speed, so the search is on T(s) <= T(n)·edge/cloud. */
size_t
split_latency(const double *cum_ms, size_t n, double edge_speed, double cloud_speed)
{
    size_t s;
    assert(edge_speed > 0.0 && cloud_speed > 0.0 && cum_ms[0] == 0.0);
    s = last_at_most(cum_ms, n, cum_ms[n] / cloud_speed * edge_speed);
    /* the division and multiplication can round the limit below an equal
     * prefix (edge_speed == cloud_speed must give n): settle on the
     * definition itself at the boundary */
    while (s < n && cum_ms[s + 1] / edge_speed <= cum_ms[n] / cloud_speed)
        s++;
    while (s > 0 && cum_ms[s] / edge_speed > cum_ms[n] / cloud_speed)
        s--;
    return s;
}

/* 003 §III: "we partition each DNN wherever a set of layers require 70% of
 * memory from the complete network". */
size_t
split_memory_share(const double *mem, size_t n, double fraction)
{
    assert(fraction >= 0.0 && fraction <= 1.0 && mem[0] == 0.0);
    return last_at_most(mem, n, fraction * mem[n]);
}

/* 003 §II: "the user decides the percentage of layers to run on the edge".
 * The slack absorbs representation error (0.57 · 100 = 56.99999999999999). */
size_t
split_layer_share(size_t n, double fraction)
{
    double s;
    assert(fraction >= 0.0 && fraction <= 1.0);
    s = floor(fraction * (double)n + 1e-9);
    return s >= (double)n ? n : (size_t)s;
}

size_t
split_point(const struct split_net *net, const struct split_params *p)
{
    switch (p->rule) {
    case SPLIT_LATENCY: return split_latency(net->cum_ms, net->n, p->edge_speed, p->cloud_speed);
    case SPLIT_MEMORY_SHARE: return split_memory_share(net->mem, net->n, p->fraction);
    case SPLIT_LAYER_SHARE: return split_layer_share(net->n, p->fraction);
    }
    assert(!"unknown split rule");
    return 0;
}

size_t
split_place(enum split_placement how, size_t l, size_t k, double shape, size_t *pos)
{
    size_t kk = k < l ? k : l, j;
    assert(k <= SPLIT_MAX_PER_PART && shape > 0.0);
    for (j = 1; j <= kk; j++) {
        size_t p;
        if (how == SPLIT_PLACE_LINEAR) {
            p = (j * l + kk) / (kk + 1);             /* ceil(j·l/(kk+1)), exactly */
        } else {
            /* the j/(kk+1) quantile of Pareto II(1, a) truncated to [0, l] */
            double u = (double)j / (double)(kk + 1);
            double x = pow(1.0 - u * (1.0 - pow(1.0 + (double)l, -shape)), -1.0 / shape) - 1.0;
            double c = ceil(x - 1e-9);
            assert(x >= -1e-9 && x <= (double)l + 1e-9);
            p = c < 1.0 ? 1 : (size_t)c;
        }
        if (j > 1 && p <= pos[j - 2])
            p = pos[j - 2] + 1;
        if (p > l - kk + j)
            p = l - kk + j;
        assert(p >= 1 && p <= l && (j == 1 || p > pos[j - 2]));
        pos[j - 1] = p;
    }
    return kk;
}

void
split_plan_make(const struct split_net *net, const struct split_params *p, struct split_plan *plan)
{
    size_t pos[SPLIT_MAX_PER_PART], c, i;

    memset(plan, 0, sizeof *plan);
    plan->s = split_point(net, p);
    for (c = 0; c < net->n_side; c++) {
        if (net->side_at[c] <= plan->s)
            plan->cand_edge++;
        else
            plan->cand_cloud++;
    }
    /* side exits are in execution order, so the edge's candidates are
     * 0 .. cand_edge-1 and the cloud's the rest */
    plan->n_edge = split_place(p->placement, plan->cand_edge, p->per_part, p->pareto_shape, pos);
    for (i = 0; i < plan->n_edge; i++)
        plan->edge[i] = pos[i] - 1;
    plan->n_cloud = split_place(p->placement, plan->cand_cloud, p->per_part, p->pareto_shape, pos);
    for (i = 0; i < plan->n_cloud; i++)
        plan->cloud[i] = plan->cand_edge + pos[i] - 1;
}

/* 4 bytes per parameter of the rows of profile exit k. */
static double
exit_param_bytes(const struct split_net *net, size_t k)
{
    double params = 0.0;
    size_t r;
    for (r = 0; r < net->L->n; r++)
        if (net->L->exit_of[r] == k)
            params += net->L->params[r];
    return 4.0 * params;
}

double
split_part_memory(const struct split_net *net, const struct split_plan *plan, int cloud)
{
    double m = cloud ? split_net_memory(net, plan->s, net->n) : split_net_memory(net, 0, plan->s);
    const size_t *ex = cloud ? plan->cloud : plan->edge;
    size_t i, n = cloud ? plan->n_cloud : plan->n_edge;
    for (i = 0; i < n; i++)
        m += exit_param_bytes(net, net->side_exit[ex[i]]);
    return m;
}

int
split_check_trace(const struct split_net *net, const struct split_plan *plan, const struct hi_trace *t,
                  struct hi_error *err)
{
    size_t i, need = net->final_exit;
    for (i = 0; i < plan->n_edge; i++)
        if (net->side_exit[plan->edge[i]] > need)
            need = net->side_exit[plan->edge[i]];
    for (i = 0; i < plan->n_cloud; i++)
        if (net->side_exit[plan->cloud[i]] > need)
            need = net->side_exit[plan->cloud[i]];
    if (need > t->n_exits)
        return error_set(err, HI_EINPUT,
                         "%s: the plan reads exit %zu of %s, but the trace has %zu exits (ee<k>_conf, ee<k>_pred)",
                         t->path ? t->path : "the trace", need, net->L->path, t->n_exits);
    return HI_OK;
}

/* The output bytes of profile exit k's last row. */
static double
exit_out_bytes(const struct split_net *net, size_t k)
{
    return net->L->output_bytes[net->L->exit_end[k - 1] - 1];
}

/* Walks placed exits ex[0..n) of one part from backbone layer a; returns
 * the index of the exit that answers, or n; adds the compute to *ms. */
static size_t
walk_part(const struct split_net *net, const size_t *ex, size_t n, size_t a, double speed, const struct hi_trace *t,
          size_t row, double c_thr, double *ms)
{
    size_t i;
    for (i = 0; i < n; i++) {
        size_t c = ex[i], k = net->side_exit[c];
        assert(net->side_at[c] >= a);
        *ms += split_net_ms(net, a, net->side_at[c], speed) + net->side_ms[c] / speed;
        a = net->side_at[c];
        if (t->ee_conf[k - 1][row] > c_thr)   /* "greater than c_thr" */
            return i;
    }
    return n;
}

void
split_walk(const struct split_net *net, const struct split_plan *plan, const struct split_params *p,
           const struct hi_trace *t, size_t row, double c_thr, struct split_outcome *o)
{
    size_t i, a;
    memset(o, 0, sizeof *o);
    assert(row < t->n);
    i = walk_part(net, plan->edge, plan->n_edge, 0, p->edge_speed, t, row, c_thr, &o->edge_ms);
    if (i < plan->n_edge) {
        o->exit = net->side_exit[plan->edge[i]];
        o->pred = t->ee_pred[o->exit - 1][row];
        o->answer_bytes = exit_out_bytes(net, o->exit);
        return;
    }
    a = plan->n_edge ? net->side_at[plan->edge[plan->n_edge - 1]] : 0;
    o->edge_ms += split_net_ms(net, a, plan->s, p->edge_speed);
    if (plan->s < net->n) {
        o->offloaded = 1;
        o->sent_bytes = split_net_sent_bytes(net, plan->s);
        i = walk_part(net, plan->cloud, plan->n_cloud, plan->s, p->cloud_speed, t, row, c_thr, &o->cloud_ms);
        if (i < plan->n_cloud) {
            o->exit = net->side_exit[plan->cloud[i]];
            o->pred = t->ee_pred[o->exit - 1][row];
            o->answer_bytes = exit_out_bytes(net, o->exit);
            return;
        }
        a = plan->n_cloud ? net->side_at[plan->cloud[plan->n_cloud - 1]] : plan->s;
        o->cloud_ms += split_net_ms(net, a, net->n, p->cloud_speed);
    }
    o->final = 1;
    o->exit = net->final_exit;
    o->pred = net->final_exit ? t->ee_pred[net->final_exit - 1][row] : t->lml_pred[row];
    o->answer_bytes = split_net_out_bytes(net, net->n);
}
