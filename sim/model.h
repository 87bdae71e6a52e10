/*
 * model.h — the HI system model's entities and their shared state
 * (internal to sim/: engine.c wires them; source.c, device.c, link.c,
 * server.c and metrics.c each own one concept).
 *
 *   source   when samples enter a device (arrivals.process)
 *   device   runs the local model stage by stage, asks its policy at
 *            every stage, groups offloads of a batch into a transmission,
 *            delivers feedback
 *   link     the uplink: FIFO transmissions, rate, delay, losses and
 *            retransmissions (the channel model, sim/channel.h)
 *   server   K workers, FIFO, optional GPU batching, per-sample or
 *            per-transmission replies
 *   metrics  reads finished jobs: costs, accuracy, response times, regret,
 *            per-device figures
 *
 * A job is one sample in flight; it carries its own record (timestamps,
 * action, bytes, costs), so a metric needs no hook in the entities.  Jobs
 * live in a ring indexed by the global job index (the order samples
 * entered the system), retired in that order once answered and fed back.
 *
 * Events carry (model, arg) and are ordered by (time, sequence): a run is
 * a function of its configuration and seed alone.
 */
#ifndef HISIM_MODEL_H
#define HISIM_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

#include "policies/policy.h"
#include "sim/channel.h"
#include "sim/config.h"
#include "sim/engine.h"
#include "sim/exec.h"
#include "sim/kernel.h"
#include "sim/quantile.h"
#include "sim/regret.h"
#include "sim/resource.h"
#include "sim/rng.h"
#include "traces/cloud.h"
#include "traces/cost.h"
#include "traces/ksum.h"
#include "traces/trace.h"

#define JOB_NONE ((size_t)-1)

/* The fields up to `cold` are the ones every sample uses: they are
 * zeroed when the job is made (two cache lines).  Those from `cold` on
 * are an offloaded sample's: the device sets them when it offloads
 * (device.c, decided), and nothing reads them before. */
struct job {
    size_t t;              /* the device's round */
    size_t row;            /* trace row */
    size_t bnext;          /* next job of the device batch */
    size_t bhead;          /* first job of the device batch */
    double t_arrive;       /* entered the device's queue */
    double response;       /* answer at the device − arrival */
    double p;              /* confidence decided on */
    double q_off;
    double cost;           /* realised */
    double exp_cost;       /* expected under q_off */
    double device_mj;      /* device compute energy */
    const struct exec_deployed *cloud;   /* split under a deployment: the server runs its part */
    struct hi_action act;
    uint32_t dev;          /* device */
    int32_t local_pred;    /* -1: no local answer */
    uint32_t b_pending;    /* on a batch head: members not yet answered */
    unsigned char stage;   /* enum hi_stage being run */
    unsigned char exit;    /* exit being run (staged) */
    unsigned char offload, answered, fed, failed, correct, closed;
    unsigned char batch_end;   /* the last sample of its device batch */
    /* under a deployment (struct exec_deployed) */
    unsigned char done;        /* device exits run so far */
    unsigned char splitting;   /* the device runs the layers up to the split */

    /* ---- cold: set when offloaded ---- */
    double t_server_in;    /* joined the server's queue */
    double bytes;          /* payload if sent */
    double tx_bytes;       /* on a transmission head: the whole payload */
    double server_s;       /* server work */
    double answer_bytes;   /* split: its output tensor, the cloud's egress */
    double served_s;       /* split: the server's service of this sample, billed */
    size_t tnext;          /* next job of the same transmission */
    size_t thead;          /* first job of its transmission */
    size_t t_pending;      /* on a transmission head: members not yet served */
    size_t snext;          /* next job of the same server batch */
    unsigned attempts;     /* on a transmission head */
    unsigned char srv_exit;    /* the exit that answered on the server (0: an unnamed final layer) */
};

#define JOB_HOT_BYTES offsetof(struct job, t_server_in)

struct link {
    struct resource res;
    const struct channel_spec *chan;
    struct channel_link ch;
    gsl_rng *rng;
    size_t losses, retransmissions, transmissions;
};

struct server {
    struct resource res;
    gsl_rng *rng;
    double timer_at;       /* pending batch-timeout event, or -1 */
};

/* Devices that share a configuration (devices: list entries; one group
 * without a list). */
struct group {
    struct hi_config cfg;            /* the base with the entry's overrides */
    size_t count;
    const struct hi_policy_type *type;
    struct exec_model *exec;
    struct channel_spec *chan;       /* for the group's own uplinks */
    struct exec_deployed *dep;       /* the deployment of its first device, or NULL */
};

/* Fields in the order a sample touches them (with a thousand devices,
 * each device's record is out of the cache when its next event comes):
 * the first lines hold what every sample reads and writes. */
struct device {
    /* hot: every sample */
    const struct hi_config *cfg;     /* this device's configuration */
    struct hi_policy *policy;
    struct exec_model *exec;         /* the group's execution model */
    const struct exec_deployed *dep; /* its policy's deployment (the group's or own_dep), or NULL */
    size_t id;
    size_t n;                        /* samples of this device */
    size_t created;                  /* samples entered so far */
    size_t M;                        /* batch size */
    size_t batch_pos;                /* samples of the current batch entered so far */
    size_t batch_head, batch_last;   /* current device batch */
    size_t cur;                      /* job on the processor, or JOB_NONE */
    size_t tx_head, tx_last;         /* transmission being filled */
    double tx_bytes;
    int exits;                       /* its policy runs the exit model */
    int at_arrival;                  /* its policy decides on entry */
    int waits;                       /* policy waits for feedback */
    int blocking;                    /* arrivals.process blocking */
    int open;                        /* arrivals independent of the device */
    int gate;                        /* 1: may start the next sample */
    int has_resp;
    /* per-device figures */
    size_t done, correct, offloaded, failed;
    double energy_mj;
    struct ksum cost, resp_sum;
    struct rng_uint boot;            /* bootstrap row draws (trace.order: bootstrap) */
    size_t ahead;                    /* the next bootstrap row, drawn one sample early */
    struct resource res;             /* one worker: the device's processor */
    struct link *link;               /* its uplink (maybe shared) */
    struct quantile resp;            /* its responses (p95), with several devices */
    struct rng_block order_words;    /* rng_order, under trace.order: bootstrap */
    struct rng_block arrival_words;  /* rng_arrivals */
    /* cold */
    const struct group *group;
    const struct model *model;       /* the model it belongs to */
    struct exec_deployed *own_dep;   /* one that differs from the group's */
    double cloud_only_cost;          /* $ of one sample's cloud-only inference under dep */
    gsl_rng *rng_order, *rng_policy, *rng_arrivals;
    size_t *perm;                    /* shuffle of the current pass */
    size_t offset;                   /* sequential start row */
    double tx_seconds;               /* time its transmissions took, retransmissions included */
    struct hi_outcome *outcomes;     /* scratch for one batch's feedback */
    double exit_conf[TRACE_MAX_EXITS];   /* the exits seen so far, for views */
    int exit_pred[TRACE_MAX_EXITS];
};

struct model {
    const struct hi_config *cfg;
    const struct hi_trace *tr;       /* the trace, with the chosen confidence column */
    struct hi_cost cost;
    struct channel_spec *chan;       /* the base network (the shared uplink) */
    struct kernel *k;
    double downlink;
    double offload_s;                /* network.offload_ms, or -1 */
    int reply_batch;
    int priced;                      /* some device deploys exits: cloud cost (003) */
    struct hi_cloud_price price;
    double cloud_only_cost;          /* Σ over retired samples of devices with a deployment */
    int exponential;                 /* exponential service */
    size_t batch_max;
    double batch_timeout, batch_setup;

    size_t n_groups;
    struct group *groups;
    size_t n_dev;
    struct device *dev;
    size_t n_links;
    struct link *links;
    struct server server;

    /* jobs in flight: ring over [head, head + cap) of global indices */
    struct job *jobs;
    size_t cap, head, next_idx, total;

    /* results */
    engine_record_fn on_record;
    void (*on_progress)(void *ctx, size_t done, size_t total);
    volatile sig_atomic_t *interrupt;
    void *ctx;
    int failed;
    struct engine_result *res;
    struct quantile responses;       /* every response (p95): exact up to QUANTILE_EXACT_MAX */
    struct ksum total_cost, expected_cost, resp_sum;   /* compensated sums */
    struct regret regret;
    size_t next_checkpoint;
    size_t relevant, relevant_kept;
    size_t dm[8];                    /* [has a local answer, offloaded, right] (metrics.c) */
    double t_last;                   /* time of the last retirement */
};

static inline struct job *
model_job(struct model *m, size_t idx)
{
    return &m->jobs[idx & (m->cap - 1)];
}

/* source.c */
int source_init(struct model *m, struct device *d);
void source_start(struct model *m, struct device *d);
size_t source_next_row(struct model *m, struct device *d, size_t t);
/* A new job for device d entering now; JOB_NONE when memory ran out. */
size_t source_new_job(struct model *m, struct device *d);

/* device.c */
void device_arrived(struct model *m, struct device *d);
void device_try_start(struct model *m, struct device *d);
/* The decision of a POLICY_DECIDES_AT_ARRIVAL policy on entry: 1 when
 * the sample was sent raw (and needs no processor). */
int device_arrival_decision(struct model *m, struct device *d, size_t idx);
void device_answer(struct model *m, size_t idx, double at);
void device_fail(struct model *m, size_t idx, double at);

/* link.c */
void link_send(struct model *m, struct device *d, size_t head);

/* server.c */
void server_submit(struct model *m, size_t idx);

/* metrics.c */
void metrics_retire(struct model *m);
void metrics_finish(struct model *m);

#endif
