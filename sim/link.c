/*
 * link.c — the uplink: transmissions in FIFO order, one at a time.
 *
 * A transmission carries the offloads of one device batch.  It occupies
 * the link for its transmission time (sim/channel.h: bytes·8/rate, or the
 * integral of a time-varying rate), then takes one network delay to
 * reach the server, whose queue every sample of it joins.  Under the
 * Gilbert–Elliott channel an attempt may be lost: the sender learns it
 * retx_timeout after the attempt ends and queues the transmission again
 * (at the back of the FIFO); after retx_limit lost attempts its samples
 * fail.  With network.offload_ms the link is the whole offload path: a
 * transmission of m samples takes m·offload_ms and its answers are back
 * at its end, with no delay, server or downlink of their own (000 §5
 * gives only that end-to-end figure).
 */
#include "sim/model.h"

static void ev_link_done(struct kernel *k, void *obj, size_t head);

static void
link_try(struct model *m, struct link *L)
{
    while (resource_idle_worker(&L->res) && L->res.q_len > 0) {
        size_t head = resource_pop(&L->res, m->k->now);
        struct job *h = model_job(m, head);
        struct device *d = &m->dev[h->dev];
        double tx;
        resource_start(&L->res, m->k->now);
        h->attempts++;
        if (m->offload_s >= 0.0)
            tx = (double)h->t_pending * m->offload_s;
        else
            tx = channel_tx_seconds(L->chan, m->k->now, h->tx_bytes);
        d->tx_seconds += tx;
        kernel_after(m->k, tx, ev_link_done, m, head);
    }
}

static void
ev_retry(struct kernel *k, void *obj, size_t head)
{
    struct model *m = obj;
    struct link *L = m->dev[model_job(m, head)->dev].link;
    if (resource_push(&L->res, k->now, head)) {
        m->failed = 1;
        kernel_stop(k);
        return;
    }
    link_try(m, L);
}

static void
ev_tx_arrive(struct kernel *k, void *obj, size_t head)
{
    struct model *m = obj;
    size_t idx;
    (void)k;
    for (idx = head; idx != JOB_NONE; idx = model_job(m, idx)->tnext)
        server_submit(m, idx);
}

static void
ev_offload_back(struct kernel *k, void *obj, size_t head)
{
    struct model *m = obj;
    size_t idx, next;
    for (idx = head; idx != JOB_NONE; idx = next) {
        next = model_job(m, idx)->tnext;
        device_answer(m, idx, k->now);
    }
}

static void
ev_failed(struct kernel *k, void *obj, size_t head)
{
    struct model *m = obj;
    size_t idx, next;
    for (idx = head; idx != JOB_NONE; idx = next) {
        next = model_job(m, idx)->tnext;
        device_fail(m, idx, k->now);
    }
}

static void
ev_link_done(struct kernel *k, void *obj, size_t head)
{
    struct model *m = obj;
    struct job *h = model_job(m, head);
    struct link *L = m->dev[h->dev].link;
    resource_release(&L->res, k->now);
    if (h->attempts == 1)
        L->transmissions++;
    if (m->offload_s >= 0.0) {
        kernel_at(k, k->now, ev_offload_back, m, head);
    } else if (channel_attempt_lost(L->chan, &L->ch, L->rng)) {
        double timeout = channel_retx_timeout_seconds(L->chan);
        L->losses++;
        if (h->attempts < channel_retx_limit(L->chan)) {
            L->retransmissions++;
            kernel_at(k, k->now + timeout, ev_retry, m, head);
        } else {
            kernel_at(k, k->now + timeout, ev_failed, m, head);
        }
    } else {
        kernel_at(k, k->now + channel_delay_seconds(L->chan, L->rng), ev_tx_arrive, m, head);
    }
    link_try(m, L);
}

void
link_send(struct model *m, struct device *d, size_t head)
{
    struct link *L = d->link;
    resource_offered(&L->res, m->k->now);
    if (resource_push(&L->res, m->k->now, head)) {
        m->failed = 1;
        kernel_stop(m->k);
        return;
    }
    link_try(m, L);
}
