/*
 * server.c — the edge server: K workers serving samples in FIFO order.
 *
 * Without batching (server.batch_max B = 1) a free worker takes the
 * oldest waiting sample; its service is the sample's server time (the
 * L-ML, sim/exec.h), or an exponential draw of that mean from the
 * server's stream (server.service: exponential, for checks against
 * queueing theory).  With B > 1 a free worker takes min(B, waiting)
 * samples once B are waiting or the oldest has waited batch_timeout; a
 * batch of b takes batch_setup + Σ service (= setup + τes·b).  An answer
 * reaches the device downlink after its service ends (server.reply:
 * sample), or after the last sample of its transmission is served
 * (server.reply: batch, 002 eq. (7)).
 *
 * A sample split under a deployment (003 EdgeLessPart) carries its cloud
 * part (job.cloud): the server runs the rest of the network from the
 * split layer with that part's exits and stops at the first whose
 * confidence exceeds the deployment's c_thr, else at the final
 * classifier (exec_server_run); its service is the layers it ran.
 */
#include <gsl/gsl_randist.h>

#include "sim/model.h"

static void ev_server_done(struct kernel *k, void *obj, size_t first);
static void ev_answer(struct kernel *k, void *obj, size_t idx);

static void ev_timer(struct kernel *k, void *obj, size_t arg);

static void
server_try(struct model *m)
{
    struct server *S = &m->server;
    double now = m->k->now;
    while (resource_idle_worker(&S->res) && S->res.q_len > 0) {
        size_t b = S->res.q_len < m->batch_max ? S->res.q_len : m->batch_max, i, first = JOB_NONE, last = JOB_NONE;
        double service = m->batch_setup;
        if (b < m->batch_max) {
            double deadline = model_job(m, resource_peek(&S->res))->t_server_in + m->batch_timeout;
            if (now < deadline) {
                if (S->timer_at != deadline) {
                    S->timer_at = deadline;
                    kernel_at(m->k, deadline, ev_timer, m, 0);
                }
                return;
            }
        }
        for (i = 0; i < b; i++) {
            size_t idx = resource_pop(&S->res, now);
            struct job *j = model_job(m, idx);
            j->snext = JOB_NONE;
            if (last == JOB_NONE)
                first = idx;
            else
                model_job(m, last)->snext = idx;
            last = idx;
            {
                double s = m->exponential ? gsl_ran_exponential(S->rng, j->server_s) : j->server_s;
                if (j->cloud)
                    j->served_s = s;   /* billed (metrics.c) */
                service += s;
            }
        }
        resource_start(&S->res, now);
        kernel_after(m->k, service, ev_server_done, m, first);
    }
}

static void
ev_timer(struct kernel *k, void *obj, size_t arg)
{
    struct model *m = obj;
    (void)arg;
    if (m->server.timer_at == k->now)
        m->server.timer_at = -1.0;
    server_try(m);
}

void
server_submit(struct model *m, size_t idx)
{
    struct server *S = &m->server;
    struct job *j = model_job(m, idx);
    j->t_server_in = m->k->now;
    if (j->cloud) {
        struct exec_server_run run;
        exec_server_run(j->cloud, m->tr, j->row, &run);
        j->server_s = run.server_s;
        j->srv_exit = (unsigned char)run.exit;
        j->answer_bytes = run.answer_bytes;
    }
    resource_offered(&S->res, m->k->now);
    if (resource_push(&S->res, m->k->now, idx)) {
        m->failed = 1;
        kernel_stop(m->k);
        return;
    }
    server_try(m);
}

static void
ev_answer(struct kernel *k, void *obj, size_t idx)
{
    device_answer(obj, idx, k->now);
}

/* All samples of a transmission answered together (server.reply: batch). */
static void
ev_answer_tx(struct kernel *k, void *obj, size_t head)
{
    struct model *m = obj;
    size_t idx, next;
    for (idx = head; idx != JOB_NONE; idx = next) {
        next = model_job(m, idx)->tnext;
        device_answer(m, idx, k->now);
    }
}

static void
ev_server_done(struct kernel *k, void *obj, size_t first)
{
    struct model *m = obj;
    size_t idx, next;
    resource_release(&m->server.res, k->now);
    for (idx = first; idx != JOB_NONE; idx = next) {
        struct job *j = model_job(m, idx);
        next = j->snext;
        if (m->reply_batch) {
            struct job *h = model_job(m, j->thead);
            assert(h->t_pending > 0);
            if (--h->t_pending == 0)
                kernel_at(k, k->now + m->downlink, ev_answer_tx, m, j->thead);
        } else {
            kernel_at(k, k->now + m->downlink, ev_answer, m, idx);
        }
    }
    server_try(m);
}
