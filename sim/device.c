/*
 * device.c — an edge device: its processor runs the local model stage by
 * stage, its policy decides at every stage, its offloads leave in one
 * transmission per batch, and its batches' outcomes are fed back.
 *
 * A sample's life on the device (docs/system-model.md "Actions"):
 *
 *   start      the processor takes the oldest waiting sample (or, under
 *              closed and blocking arrivals, the next one of the trace)
 *   arrival    policies with POLICY_DECIDES_AT_ARRIVAL decide first:
 *              OFFLOAD_RAW sends it at once, SPLIT k runs layers 1..k,
 *              CONTINUE runs the local model
 *   S-ML       after τed the policy accepts or offloads
 *   exits      (POLICY_EXITS) after each exit k the policy exits,
 *              continues to exit k + 1, or offloads the raw sample
 *   deployed   (a policy with a deployment, 003 EdgeLessPart) only the
 *              deployed exits run and are asked; after them SPLIT runs
 *              the layers up to the split and sends that tensor, and the
 *              server runs the rest with its own exits (server.c)
 *
 * The processor is free once the decision is taken.  At the end of a
 * batch of M samples the transmission with the batch's offloads goes to
 * the link; a policy that waits for feedback, or blocking arrivals, keep
 * the device from starting the next batch until the batch's answers are
 * known.  The batch's feedback is delivered when its last answer reaches
 * the device (the downlink delay included).
 */
#include <math.h>
#include <string.h>

#include "sim/model.h"

static void ev_stage_done(struct kernel *k, void *obj, size_t idx);

void
device_arrived(struct model *m, struct device *d)
{
    device_try_start(m, d);
}

/* SPLIT k with k = N runs the whole split network on the device: its
 * answer is local.  The split network is the L-ML (server.profile), or
 * the device's own model when only device.profile is given. */
static int
split_all_local(const struct device *d, const struct job *j)
{
    return j->act.kind == HI_ACT_SPLIT && j->act.k == exec_n_layers(d->exec);
}

static int
split_pred(const struct model *m, const struct device *d, size_t row)
{
    return exec_split_layers(d->exec) == exec_device_layers(d->exec) ? m->tr->sml_pred[row] : m->tr->lml_pred[row];
}

/* The true cost of the device's own answer to row at the given stage. */
static double
local_cost(const struct model *m, const struct job *j)
{
    if (j->act.kind == HI_ACT_SPLIT) {
        int wrong = split_pred(m, &m->dev[j->dev], j->row) != m->tr->label[j->row];
        return m->cost.model == COST_FILTER ? 0.0 : (double)wrong;
    }
    if (j->act.kind == HI_ACT_EXIT) {
        const struct hi_trace *tr = m->tr;
        int wrong = tr->ee_pred[j->act.k - 1][j->row] != tr->label[j->row];
        return m->cost.model == COST_FILTER ? 0.0 : (double)wrong;
    }
    return cost_accept(&m->cost, m->tr, j->row);
}

/* The cost of the local answer at the stage decided on, for the expected
 * cost of an offload (before any local inference: the S-ML's). */
static double
stage_local_cost(const struct model *m, const struct job *j)
{
    const struct hi_trace *tr = m->tr;
    if (j->stage == HI_STAGE_EXIT)
        return m->cost.model == COST_FILTER ? 0.0 : (double)(tr->ee_pred[j->exit - 1][j->row] != tr->label[j->row]);
    return cost_accept(&m->cost, tr, j->row);
}

/* The server's answer to an offloaded sample: the L-ML's, or under a
 * deployment the exit that answered on the server. */
static int
server_pred(const struct model *m, const struct job *j)
{
    if (j->cloud)
        return j->srv_exit ? m->tr->ee_pred[j->srv_exit - 1][j->row] : m->tr->lml_pred[j->row];
    return m->tr->lml_pred[j->row];
}

static int
local_correct(const struct model *m, const struct job *j)
{
    const struct hi_trace *tr = m->tr;
    if (j->act.kind == HI_ACT_SPLIT)
        return split_pred(m, &m->dev[j->dev], j->row) == tr->label[j->row];
    if (j->act.kind == HI_ACT_EXIT)
        return tr->ee_pred[j->act.k - 1][j->row] == tr->label[j->row];
    return cost_correct(&m->cost, tr, j->row, 0);
}

static void
fill_view(const struct model *m, struct device *d, const struct job *j, struct hi_view *v)
{
    const struct hi_trace *tr = m->tr;
    v->softmax = NULL;
    v->n_classes = 0;
    v->exit_conf = NULL;
    v->exit_pred = NULL;
    v->exit = 0;
    v->t = j->t;
    v->row = j->row;
    v->stage = (enum hi_stage)j->stage;
    v->n_exits = (unsigned)tr->n_exits;
    v->p = NAN;
    v->p2 = NAN;
    v->pred = -1;
    v->bytes = tr->bytes ? tr->bytes[j->row] : d->cfg->network.bytes;
    if (j->stage == HI_STAGE_SML) {
        v->p = tr->sml_conf[j->row];
        v->pred = tr->sml_pred[j->row];
        v->p2 = tr->sml_p2 ? tr->sml_p2[j->row] : NAN;
        if (tr->sml_prob) {
            v->softmax = tr->sml_prob + j->row * tr->n_classes;
            v->n_classes = tr->n_classes;
        }
    } else if (j->stage == HI_STAGE_EXIT) {
        unsigned k;
        v->exit = j->exit;
        v->p = tr->ee_conf[j->exit - 1][j->row];
        v->pred = tr->ee_pred[j->exit - 1][j->row];
        for (k = 0; k < j->exit; k++) {
            d->exit_conf[k] = tr->ee_conf[k][j->row];
            d->exit_pred[k] = tr->ee_pred[k][j->row];
        }
        if (d->dep) {   /* only the deployed exits were seen */
            const struct hi_deployment *p = exec_deployed_plan(d->dep);
            for (k = 0; k < j->exit; k++) {
                d->exit_conf[k] = NAN;
                d->exit_pred[k] = -1;
            }
            for (k = 0; k < j->done; k++) {
                d->exit_conf[p->device[k] - 1] = tr->ee_conf[p->device[k] - 1][j->row];
                d->exit_pred[p->device[k] - 1] = tr->ee_pred[p->device[k] - 1][j->row];
            }
        }
        v->exit_conf = d->exit_conf;
        v->exit_pred = d->exit_pred;
        v->p2 = tr->ee_p2[j->exit - 1] ? tr->ee_p2[j->exit - 1][j->row] : NAN;
    }
}

/* Occupies the processor for dt, then the stage's decision. */
static void
run_stage(struct model *m, size_t idx, double dt)
{
    kernel_after(m->k, dt, ev_stage_done, m, idx);
}

static void deliver_feedback(struct model *m, struct device *d, size_t head);

/* The decision is final: account for it, answer or queue the offload,
 * free the processor, close the batch at its end. */
static void
decided(struct model *m, struct device *d, size_t idx, int on_processor)
{
    struct job *j = model_job(m, idx);
    const struct hi_trace *tr = m->tr;
    struct exec_cost c;
    struct hi_action cost_act = j->act;
    int is_end;

    if (d->dep) {
        exec_deployed_cost(d->exec, d->dep, j->row, j->done, &j->act, &c);
    } else {
        if (j->act.kind == HI_ACT_OFFLOAD && d->exits)
            cost_act.kind = HI_ACT_OFFLOAD_RAW;   /* the raw sample, after the exits ran */
        exec_cost(d->exec, j->row, &cost_act, &c);
    }
    if (!d->dep && d->exits && (j->act.kind == HI_ACT_OFFLOAD || j->act.kind == HI_ACT_EXIT)) {
        struct exec_cost ce;
        struct hi_action ex = hi_act(HI_ACT_EXIT, j->exit);
        exec_cost(d->exec, j->row, &ex, &ce);
        c.device_mj = ce.device_mj;
    }
    j->device_mj = c.device_mj;

    switch (split_all_local(d, j) ? HI_ACT_ACCEPT : j->act.kind) {
    case HI_ACT_ACCEPT:
    case HI_ACT_EXIT:
        j->offload = 0;
        j->cost = local_cost(m, j);
        j->exp_cost = j->q_off * cost_offload(&m->cost, tr, j->row) + (1.0 - j->q_off) * j->cost;
        j->local_pred = j->act.kind == HI_ACT_EXIT ? tr->ee_pred[j->act.k - 1][j->row]
                      : j->act.kind == HI_ACT_SPLIT ? split_pred(m, d, j->row) : tr->sml_pred[j->row];
        j->correct = (unsigned char)local_correct(m, j);
        j->answered = 1;
        j->response = m->k->now - j->t_arrive;
        model_job(m, j->bhead)->b_pending--;
        break;
    case HI_ACT_OFFLOAD:
    case HI_ACT_OFFLOAD_RAW:
    case HI_ACT_SPLIT:
        j->offload = 1;
        /* the cold part of the record (model.h) */
        j->t_server_in = j->tx_bytes = j->answer_bytes = j->served_s = 0.0;
        j->tnext = j->snext = JOB_NONE;
        j->t_pending = 0;
        j->attempts = 0;
        j->srv_exit = 0;
        j->cost = cost_offload(&m->cost, tr, j->row);
        j->exp_cost = j->q_off * j->cost + (1.0 - j->q_off) * stage_local_cost(m, j);
        if (j->act.kind == HI_ACT_SPLIT && d->dep)
            j->cloud = d->dep;       /* the server runs the deployment's part (server.c) */
        if (j->act.kind == HI_ACT_OFFLOAD)
            j->local_pred = j->stage == HI_STAGE_EXIT ? tr->ee_pred[j->exit - 1][j->row] : tr->sml_pred[j->row];
        j->bytes = c.bytes;
        j->server_s = c.server_s;
        if (d->tx_head == JOB_NONE) {
            d->tx_head = idx;
            j->t_pending = 0;
            d->tx_bytes = 0.0;
        } else {
            model_job(m, d->tx_last)->tnext = idx;
        }
        d->tx_last = idx;
        j->thead = d->tx_head;
        model_job(m, d->tx_head)->t_pending++;
        d->tx_bytes += c.bytes;
        break;
    default:
        assert(!"decided: unknown action");
    }

    is_end = j->batch_end;   /* (t + 1) mod M = 0, or the device's last sample */
    if (on_processor) {
        d->cur = JOB_NONE;
        resource_release(&d->res, m->k->now);
    }
    if (is_end) {
        size_t head = j->bhead;
        model_job(m, head)->closed = 1;
        if (d->tx_head != JOB_NONE) {
            model_job(m, d->tx_head)->tx_bytes = d->tx_bytes;
            link_send(m, d, d->tx_head);
            d->tx_head = d->tx_last = JOB_NONE;
        }
        if (d->waits || d->blocking)
            d->gate = 0;
        if (model_job(m, head)->b_pending == 0)
            deliver_feedback(m, d, head);
    }
    /* a sample sent on entry did not hold the processor: the caller
     * (device_try_start's loop, or the arrival) goes on, iteratively */
    if (on_processor)
        device_try_start(m, d);
}

static void
decide(struct model *m, struct device *d, size_t idx)
{
    struct job *j = model_job(m, idx);
    struct hi_view v;
    struct hi_action a;
    double q = 0.0;

    fill_view(m, d, j, &v);
    a = policy_decide(d->policy, &v, &q);
    assert(q >= 0.0 && q <= 1.0);
    j->q_off = q;
    j->act = a;
    switch ((enum hi_stage)j->stage) {
    case HI_STAGE_ARRIVAL:
        assert(!"the arrival decision is taken in arrival_decision");
        return;
    case HI_STAGE_SML:
        assert(a.kind == HI_ACT_ACCEPT || a.kind == HI_ACT_OFFLOAD);
        decided(m, d, idx, 1);
        return;
    case HI_STAGE_EXIT:
        if (a.kind == HI_ACT_CONTINUE && d->dep) {
            /* on to the next deployed exit; the rows of the others cost nothing */
            const struct hi_deployment *p = exec_deployed_plan(d->dep);
            assert(j->done < p->n_device);
            j->exit = (unsigned char)p->device[j->done];
            run_stage(m, idx, exec_deployed_stage_s(d->dep, j->done));
            j->done++;
            return;
        }
        if (a.kind == HI_ACT_CONTINUE) {
            assert(j->exit < v.n_exits);
            j->exit++;
            run_stage(m, idx, exec_exit_s(d->exec, j->exit));
            return;
        }
        if (a.kind == HI_ACT_SPLIT) {
            /* after the exits: the layers up to the split, then the send */
            assert(d->dep && exec_deployed_plan(d->dep)->has_split && a.k == exec_deployed_plan(d->dep)->split);
            j->splitting = 1;
            run_stage(m, idx, exec_deployed_tail_s(d->dep, j->done));
            return;
        }
        assert((a.kind == HI_ACT_EXIT && a.k == j->exit) || a.kind == HI_ACT_OFFLOAD);
        decided(m, d, idx, 1);
        return;
    }
}

int
device_arrival_decision(struct model *m, struct device *d, size_t idx)
{
    struct job *j = model_job(m, idx);
    struct hi_view v;
    double q = 0.0;
    j->stage = HI_STAGE_ARRIVAL;
    fill_view(m, d, j, &v);
    j->act = policy_decide(d->policy, &v, &q);
    assert(q >= 0.0 && q <= 1.0);
    j->q_off = q;
    switch (j->act.kind) {
    case HI_ACT_OFFLOAD_RAW:
        decided(m, d, idx, 0);       /* sent at once: the processor is not needed */
        return 1;
    case HI_ACT_SPLIT:
        assert(j->act.k <= exec_n_layers(d->exec));
        return 0;
    case HI_ACT_CONTINUE:
        return 0;
    default:
        assert(!"a policy at arrival may only CONTINUE, OFFLOAD_RAW or SPLIT");
        return 0;
    }
}

static void
ev_stage_done(struct kernel *k, void *obj, size_t idx)
{
    struct model *m = obj;
    struct job *j = model_job(m, idx);
    struct device *d = &m->dev[j->dev];
    (void)k;
    if (j->stage == HI_STAGE_ARRIVAL || j->splitting) {
        assert(j->act.kind == HI_ACT_SPLIT);
        decided(m, d, idx, 1);       /* layers 1..k ran */
        return;
    }
    decide(m, d, idx);
}

void
device_try_start(struct model *m, struct device *d)
{
    size_t idx;
    struct job *j;
    for (;;) {
        if (m->failed || d->cur != JOB_NONE || !d->gate)
            return;
        if (d->res.q_len > 0) {
            idx = resource_pop(&d->res, m->k->now);
            break;
        }
        if (d->open || d->created >= d->n)
            return;
        /* closed and blocking: the next sample enters now */
        idx = source_new_job(m, d);
        if (idx == JOB_NONE)
            return;
        if (!d->at_arrival || !device_arrival_decision(m, d, idx))
            break;
        /* sent raw: the processor is still free */
    }
    j = model_job(m, idx);
    d->cur = idx;
    resource_start(&d->res, m->k->now);
    if (d->at_arrival && j->act.kind == HI_ACT_SPLIT) {
        struct exec_cost c;
        exec_cost(d->exec, j->row, &j->act, &c);
        run_stage(m, idx, c.device_s);   /* layers 1..k, then decided */
    } else if (d->dep && exec_deployed_plan(d->dep)->n_device == 0) {
        /* no exit on the device: nothing to decide, the deployment
         * splits every sample (a stage even of 0 s: no recursion) */
        j->stage = HI_STAGE_ARRIVAL;
        j->act = hi_act(HI_ACT_SPLIT, exec_deployed_plan(d->dep)->split);
        j->q_off = 1.0;
        j->splitting = 1;
        run_stage(m, idx, exec_deployed_tail_s(d->dep, 0));
    } else if (d->dep) {
        j->stage = HI_STAGE_EXIT;
        j->exit = (unsigned char)exec_deployed_plan(d->dep)->device[0];
        j->done = 1;
        run_stage(m, idx, exec_deployed_stage_s(d->dep, 0));
    } else if (d->exits) {
        j->stage = HI_STAGE_EXIT;
        j->exit = 1;
        run_stage(m, idx, exec_exit_s(d->exec, 1));
    } else {
        j->stage = HI_STAGE_SML;
        run_stage(m, idx, exec_sml_s(d->exec));
    }
}

/* Costs as the device observes them: the L-ML's answer is the label. */
static void
observed_costs(const struct model *m, const struct job *j, int server_pred, struct hi_outcome *o)
{
    o->obs_cost_accept = NAN;
    o->obs_cost_offload = NAN;
    if (!j->offload || j->failed)
        return;
    if (m->cost.model == COST_FILTER) {
        o->obs_cost_accept = 0.0;
        o->obs_cost_offload = server_pred ? m->cost.beta : 1.0;
    } else {
        o->obs_cost_offload = m->cost.beta;
        if (j->local_pred >= 0)
            o->obs_cost_accept = j->local_pred != server_pred;
    }
}

static void
deliver_feedback(struct model *m, struct device *d, size_t head)
{
    const struct hi_trace *tr = m->tr;
    size_t idx, c = 0;
    int full = d->cfg->feedback == FEEDBACK_FULL;
    if (!d->policy->type->feedback) {
        /* nobody listens: mark the batch fed without building outcomes */
        for (idx = head; idx != JOB_NONE; idx = model_job(m, idx)->bnext)
            model_job(m, idx)->fed = 1;
        goto fed;
    }
    for (idx = head; idx != JOB_NONE; idx = model_job(m, idx)->bnext) {
        struct job *j = model_job(m, idx);
        struct hi_outcome *o = &d->outcomes[c++];
        assert(j->answered);
        o->t = j->t;
        o->row = j->row;
        o->p = j->p;
        o->action = j->act;
        o->q_off = j->q_off;
        o->offloaded = j->offload;
        o->failed = j->failed;
        o->local_pred = j->local_pred;
        o->server_pred = j->offload && !j->failed ? server_pred(m, j) : -1;
        observed_costs(m, j, o->server_pred, o);
        o->cost_accept = full ? cost_accept(&m->cost, tr, j->row) : NAN;
        o->cost_offload = full ? cost_offload(&m->cost, tr, j->row) : NAN;
        j->fed = 1;
    }
    assert(c <= d->M);
    policy_feedback(d->policy, d->outcomes, c);
fed:
    if (!d->gate) {
        d->gate = 1;
        device_try_start(m, d);
    }
    metrics_retire(m);
}

static void
batch_member_done(struct model *m, size_t idx)
{
    struct job *j = model_job(m, idx);
    struct job *h = model_job(m, j->bhead);
    assert(h->b_pending > 0);
    if (--h->b_pending == 0 && h->closed)
        deliver_feedback(m, &m->dev[j->dev], j->bhead);
}

void
device_answer(struct model *m, size_t idx, double at)
{
    struct job *j = model_job(m, idx);
    j->answered = 1;
    j->response = at - j->t_arrive;
    if (j->cloud) {
        /* the server's own exit answered, not the L-ML (003) */
        int wrong = server_pred(m, j) != m->tr->label[j->row];
        j->correct = (unsigned char)!wrong;
        if (m->cost.model != COST_FILTER) {
            j->cost = m->cost.beta + m->cost.lml_error * (double)wrong;
            j->exp_cost = j->q_off * j->cost + (1.0 - j->q_off) * stage_local_cost(m, j);
        }
    } else {
        j->correct = (unsigned char)cost_correct(&m->cost, m->tr, j->row, 1);
    }
    batch_member_done(m, idx);
}

void
device_fail(struct model *m, size_t idx, double at)
{
    struct job *j = model_job(m, idx);
    j->answered = 1;
    j->failed = 1;
    j->response = at - j->t_arrive;
    j->correct = 0;
    /* no answer: the offload was paid for and the sample counts as an
     * error (cost β + 1 under classify; filter keeps its offload cost) */
    if (m->cost.model != COST_FILTER)
        j->cost = m->cost.beta + 1.0;
    batch_member_done(m, idx);
}
