/*
 * metrics.c — reads finished jobs: costs, accuracy, response times,
 * regret, energy, and the per-device figures.
 *
 * Jobs retire in global index order (the order samples entered) once
 * answered and fed back, so the samples log and the regret curve follow
 * one order whatever the interleaving of devices.  Running sums are kept
 * per device and for the run, costs and response times as compensated
 * (Neumaier) sums, so that θ* against itself has a regret of exactly 0.
 * The p95 of the response time is exact up to QUANTILE_EXACT_MAX samples
 * (2^20, 8 bytes each) and within 0.1% after, in bounded memory
 * (sim/quantile.h); `p95_exact` says which.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "sim/model.h"

/* The checkpoint after t samples: about 200 log-spaced points from 1 to
 * n, always ending at n. */
static size_t
checkpoint_after(size_t t, size_t n)
{
    double step = pow((double)n, 1.0 / 239.0);  /* ~200 distinct points after rounding */
    size_t next = (size_t)ceil((double)t * step);
    if (next <= t)
        next = t + 1;
    return next < n ? next : n;
}

static void
checkpoint(struct model *m)
{
    struct engine_curves *c = &m->res->curves;
    double best = regret_best(&m->regret, NULL);
    m->res->total_cost = ksum_value(&m->total_cost);
    m->res->expected_cost = ksum_value(&m->expected_cost);
    if (c->n < ENGINE_MAX_POINTS) {
        c->t[c->n] = (double)(m->head + 1);
        c->expected[c->n] = m->res->expected_cost;
        c->cost[c->n] = m->res->total_cost;
        c->best[c->n] = best;
        c->regret[c->n] = m->res->expected_cost - best;
        c->n++;
    }
    m->next_checkpoint = checkpoint_after(m->head + 1, m->total);
}

void
metrics_retire(struct model *m)
{
    while (m->head < m->next_idx) {
        struct job *j = model_job(m, m->head);
        struct engine_result *r = m->res;
        const struct hi_trace *tr = m->tr;
        struct device *d;
        double cloud = 0.0;
        if (!j->answered || !j->fed)
            break;
        d = &m->dev[j->dev];
        r->correct += j->correct;
        if (tr->relevant && tr->relevant[j->row]) {
            m->relevant++;
            m->relevant_kept += j->offload;
        }
        /* the decision module's confusion counts, by (offloaded, local
         * answer right); without branches, as both are data */
        m->dm[(j->local_pred >= 0) << 2 | j->offload << 1 | (j->local_pred == tr->label[j->row])]++;
        r->offloaded += j->offload;
        r->failed += j->failed;
        ksum_add(&m->total_cost, j->cost);
        ksum_add(&m->expected_cost, j->exp_cost);
        ksum_add(&m->resp_sum, j->response);
        if (quantile_add(&m->responses, j->response))
            m->failed = 1;
        d->done++;
        d->correct += j->correct;
        d->offloaded += j->offload;
        d->failed += j->failed;
        if (m->n_dev > 1) {         /* one device: the run's sums are its own */
            ksum_add(&d->cost, j->cost);
            ksum_add(&d->resp_sum, j->response);
        }
        d->energy_mj += j->device_mj + (j->offload ? d->cfg->device.energy_offload_mj : 0.0);
        if (d->dep) {
            /* pay per use, one invocation per sample whose cloud part ran
             * (003 §III); cloud-only inference of the same sample is the
             * reference */
            cloud = j->cloud && !j->failed ? cloud_cost(&m->price, j->served_s * 1e3, j->answer_bytes) : 0.0;
            r->cloud_invocations += j->cloud && !j->failed;
            r->cloud_cost += cloud;
            m->cloud_only_cost += d->cloud_only_cost;
        }
        if (d->has_resp && quantile_add(&d->resp, j->response))
            m->failed = 1;
        regret_add(&m->regret, j->row);
        if (m->head + 1 == m->next_checkpoint)
            checkpoint(m);
        if (m->on_record && !m->failed) {
            struct engine_record rec;
            memset(&rec, 0, sizeof rec);     /* padding too: records compare bytewise */
            rec.idx = m->head;
            rec.row = j->row;
            rec.id = trace_id(tr, j->row);
            rec.p = j->p;
            rec.q_off = j->q_off;
            rec.offload = j->offload;
            rec.y_sml = tr->y_sml[j->row];
            rec.y_lml = tr->y_lml[j->row];
            rec.cost = j->cost;
            rec.response_s = j->response;
            rec.device = j->dev;
            rec.action = j->act;
            rec.failed = j->failed;
            rec.correct = j->correct;
            rec.cloud_cost = cloud;
            if (m->on_record(m->ctx, &rec))
                m->failed = 1;
        }
        m->head++;
        m->t_last = m->k->now;
        if (m->on_progress && (m->head & 0xFFFF) == 0)
            m->on_progress(m->ctx, m->head, m->total);
    }
}

static void
saturation(struct engine_result *r, const char *what, double load)
{
    if (load > 1.0 + 1e-9 && load > r->saturated_load) {
        r->saturated = 1;
        r->saturated_load = load;
        snprintf(r->saturated_what, sizeof r->saturated_what, "%s", what);
    }
}

void
metrics_finish(struct model *m)
{
    struct engine_result *r = m->res;
    /* the makespan ends with the last retirement: events after it (a
     * batch timer that found nothing to do) are not part of the run */
    double T = m->t_last, jain_s = 0.0, jain_s2 = 0.0;
    size_t n = m->head, i;

    r->n = n;
    r->dm_tp = m->dm[4 | 0 << 1 | 1];   /* accepted, right */
    r->dm_fp = m->dm[4 | 0 << 1 | 0];
    r->dm_fn = m->dm[4 | 1 << 1 | 1];   /* offloaded, though right */
    r->dm_tn = m->dm[4 | 1 << 1 | 0];
    r->total_cost = ksum_value(&m->total_cost);
    r->expected_cost = ksum_value(&m->expected_cost);
    if (m->n_dev == 1) {
        m->dev[0].cost = m->total_cost;
        m->dev[0].resp_sum = m->resp_sum;
    }
    r->batch = m->dev[0].M;
    r->events = m->k->events;
    r->makespan_s = T;
    r->system_time_s = n ? T / (double)n : 0.0;
    r->throughput = T > 0.0 ? (double)n / T : 0.0;
    r->accuracy = n ? (double)r->correct / (double)n : NAN;
    r->offload_fraction = n ? (double)r->offloaded / (double)n : NAN;
    r->mean_cost = n ? r->total_cost / (double)n : NAN;
    r->mean_response_s = n ? ksum_value(&m->resp_sum) / (double)n : NAN;
    r->p95_exact = quantile_is_exact(&m->responses);
    r->p95_response_s = quantile_get(&m->responses, 0.95);
    r->best_cost = regret_best(&m->regret, &r->best_theta);
    r->regret = r->expected_cost - r->best_cost;
    /* the two sums add the same costs in different orders: a difference
     * within their rounding is no regret */
    if (fabs(r->regret) <= 1e-12 * (double)n)
        r->regret = 0.0;
    r->lambda_min = cost_lambda_min(m->tr);
    r->relevant_recall = m->tr->relevant && m->relevant ? (double)m->relevant_kept / (double)m->relevant : NAN;
    r->priced = m->priced;
    r->cloud_cost_per_1000 = m->priced && n ? 1000.0 * r->cloud_cost / (double)n : NAN;
    r->cloud_cost_rel = m->priced && m->cloud_only_cost > 0.0 ? r->cloud_cost / m->cloud_only_cost : NAN;
    {
        double tp = (double)r->dm_tp, fp = (double)r->dm_fp, fn = (double)r->dm_fn, tn = (double)r->dm_tn;
        r->dm_precision = tp + fp > 0 ? tp / (tp + fp) : NAN;
        r->dm_recall = tp + fn > 0 ? tp / (tp + fn) : NAN;
        r->dm_f1 = tp > 0 ? 2.0 * tp / (2.0 * tp + fp + fn) : (tp + fp + fn > 0 ? 0.0 : NAN);
        r->dm_f1_offload = tn > 0 ? 2.0 * tn / (2.0 * tn + fp + fn) : (tn + fp + fn > 0 ? 0.0 : NAN);
    }

    r->n_devices = m->n_dev;
    r->energy_mj = 0.0;
    r->util_device = 0.0;
    for (i = 0; i < m->n_dev; i++) {
        struct device *d = &m->dev[i];
        struct engine_device *e = &r->devices[i];
        e->n = d->done;
        e->accuracy = d->done ? (double)d->correct / (double)d->done : NAN;
        e->mean_cost = d->done ? ksum_value(&d->cost) / (double)d->done : NAN;
        e->offload_fraction = d->done ? (double)d->offloaded / (double)d->done : NAN;
        e->mean_response_s = d->done ? ksum_value(&d->resp_sum) / (double)d->done : NAN;
        e->p95_response_s = d->has_resp ? quantile_get(&d->resp, 0.95) : r->p95_response_s;
        e->energy_mj = d->energy_mj + d->cfg->device.tx_power_w * d->tx_seconds * 1e3;
        e->util = resource_utilisation(&d->res, T);
        e->failed = d->failed;
        r->energy_mj += e->energy_mj;
        r->util_device += e->util / (double)m->n_dev;
        if (d->done) {
            jain_s += e->mean_response_s;
            jain_s2 += e->mean_response_s * e->mean_response_s;
        }
        if (d->open && d->cfg->arrivals.process != ARRIVALS_ALL_AT_ONCE) {
            double load = resource_offered_load(&d->res);
            if (load > r->load_device)
                r->load_device = load;
            saturation(r, "device", load);
        }
    }
    r->jain = jain_s2 > 0.0 ? jain_s * jain_s / ((double)m->n_dev * jain_s2) : 1.0;
    r->util_uplink = 0.0;
    for (i = 0; i < m->n_links; i++) {
        struct link *L = &m->links[i];
        double load = resource_offered_load(&L->res);
        r->util_uplink += resource_utilisation(&L->res, T) / (double)m->n_links;
        r->losses += L->losses;
        r->retransmissions += L->retransmissions;
        r->transmissions += L->transmissions;
        if (load > r->load_uplink)
            r->load_uplink = load;
        saturation(r, "uplink", load);
    }
    r->util_server = resource_utilisation(&m->server.res, T);
    r->load_server = resource_offered_load(&m->server.res);
    saturation(r, "server", r->load_server);
}
