/*
 * config.h — the effective configuration of one run, and its schema.
 *
 * Every scenario key is a row of one schema table (config.c): its dotted
 * path, type, range, default and help text.  The YAML loader and the
 * command line's `-s key.path=value` both set keys through config_set, so
 * both validate the same way and report errors at the same granularity.
 * Adding a key is adding a field here and a row in the table.
 *
 * Number-or-keyword keys store the keyword as NaN (policy.theta: optimal,
 * policy.eta: auto) or 0 (policy.batch: auto; trace.samples: all).
 */
#ifndef HISIM_CONFIG_H
#define HISIM_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "traces/error.h"

#define CONFIG_PATH_MAX 4096

enum trace_order { ORDER_SEQUENTIAL, ORDER_SHUFFLE, ORDER_BOOTSTRAP };
enum arrival_process {
    ARRIVALS_CLOSED, ARRIVALS_BLOCKING, ARRIVALS_PERIODIC, ARRIVALS_POISSON, ARRIVALS_TRACE,
    ARRIVALS_ALL_AT_ONCE
};
enum server_service { SERVICE_DETERMINISTIC, SERVICE_EXPONENTIAL };
enum server_reply { REPLY_SAMPLE, REPLY_BATCH };
enum omd_rule { OMD_IDLE_FIRST, OMD_ECT };
enum oma_resources { OMA_PARALLEL, OMA_SEQUENTIAL };
enum oma_pick { OMA_PICK_ADVERSARIAL, OMA_PICK_RANDOM };
/* cluster.strategy (004 §IV-A); the nodes and requests are in sim/cluster_config.h */
enum cluster_strategy { CLUSTER_HIDP, CLUSTER_MODNN, CLUSTER_OMNIBOOST, CLUSTER_DISNET };

#define CONFIG_MAX_KEYS 192
#define CONFIG_NAME_MAX 64

struct hi_config {
    char name[128];
    uint64_t seed;
    char dataset[CONFIG_NAME_MAX];     /* catalog: the dataset of the models */
    struct {
        char file[CONFIG_PATH_MAX];
        int order;                 /* enum trace_order */
        size_t samples;            /* 0: one pass over the trace */
        char confidence[32];       /* the column that is p (default sml_conf) */
    } trace;
    struct {
        char name[64];
        double theta;              /* NaN: optimal */
        double eta;                /* NaN: auto */
        size_t batch;              /* M; 0: auto */
        int batch_threshold;       /* enum policy_batch_threshold (policies/policy.h) */
        double lr_train;           /* lr: training fraction; NaN: all (in-sample) */
        char lr_train_file[CONFIG_PATH_MAX];
        double lr_cut;
        double lr_l2;
        char lr_w[128];            /* "w0,w1,w2", or "": fit */
    } policy;
    int feedback;                  /* enum policy_feedback */
    struct {
        int process;               /* enum arrival_process */
        double period_ms;
        double rate_hz;
    } arrivals;
    struct {
        size_t count;              /* N devices */
        char list[4096];           /* per-device entries (engine.c grammar), or "" */
    } devices;
    struct {
        double beta;
        double lml_error;
        int model;                 /* enum cost_model */
    } cost;
    struct {
        char name[CONFIG_NAME_MAX];      /* catalog device, or "" */
        char model[CONFIG_NAME_MAX];     /* catalog S-ML model */
        char precision[16];              /* catalog precision (fp32, fp16, int8), or "" */
        double tau_ed_ms;          /* S-ML time per sample */
        double energy_sml_mj;      /* energy per S-ML inference */
        double energy_offload_mj;  /* energy per offloaded sample */
        double tx_power_w;         /* radio power while transmitting */
        char profile[CONFIG_PATH_MAX];   /* layer profile of the device's model, or "" */
        double speed;              /* divides the device's profile times */
        double power_w;            /* power while computing; NaN: energy_sml_mj / tau_ed_ms */
    } device;
    struct {
        char name[CONFIG_NAME_MAX];      /* catalog network, or "" */
        double rate_mbps;          /* uplink rate */
        double delay_ms;           /* τnw, per transmission */
        double downlink_ms;        /* feedback delay back to the device */
        double bytes;              /* payload when the trace has no bytes column */
        /* the network models (sim/channel.h) */
        int delay_dist;            /* enum channel_delay_dist */
        double delay_sd_ms;        /* sd of the delay (uniform, lognormal, gamma) */
        double delay_shift_ms;     /* least delay of shifted-exponential */
        char delay_file[CONFIG_PATH_MAX];  /* empirical delays, ms, one per line */
        int channel;               /* enum channel_kind */
        double ge_p_gb, ge_p_bg;   /* Gilbert–Elliott transitions per attempt */
        double ge_loss_good, ge_loss_bad;  /* loss per attempt in Good, Bad */
        double retx_timeout_ms;    /* end of a lost attempt to its retransmission */
        size_t retx_limit;         /* attempts per transmission */
        char rate_file[CONFIG_PATH_MAX];   /* step function of the rate, CSV */
        int shared;                /* 1: one uplink for every device */
        double offload_ms;         /* end-to-end offload time; NaN: none */
    } network;
    struct {
        char name[CONFIG_NAME_MAX];      /* catalog server, or "" */
        char model[CONFIG_NAME_MAX];     /* catalog L-ML model */
        double tau_es_ms;          /* L-ML time per sample */
        double preprocess_ms;      /* per offloaded sample, before the L-ML (001 §4.1) */
        char profile[CONFIG_PATH_MAX];   /* layer profile of the L-ML, or "" */
        double speed;              /* divides the server's profile times */
        size_t workers;            /* K */
        int service;               /* enum server_service */
        size_t batch_max;          /* B */
        double batch_timeout_ms;
        double batch_setup_ms;
        int reply;                 /* enum server_reply */
    } server;
    struct {
        int rule;                  /* enum omd_rule */
    } omd;
    struct {
        double time_limit_ms;      /* makespan budget T; NaN: hi-makespan */
        int resources;             /* enum oma_resources */
        int pick;                  /* enum oma_pick (oma-worst) */
    } oma;
    struct {
        char thresholds[256];      /* "search", or one or N−1 comma-separated values */
        int objective;             /* 0 latency, 1 energy */
        int decision;              /* ee-hi: 0 lr, 1 threshold */
    } ee;
    struct {
        double accuracy;           /* 001 §3.3 accuracy requirement */
    } qos;
    struct {
        int tuning;                /* 0 log, 1 worst-case */
    } hedge;
    struct {
        int objective;             /* 0 latency, 1 energy */
        int delay;                 /* 0 exclude, 1 include */
        int times;                 /* 0 measured, 1 regression */
        char fit_profile[CONFIG_PATH_MAX];
    } neurosurgeon;
    struct {
        double alpha;              /* weight of system time in f(M), 002 eq. (8) */
        double rho;                /* offload ratio for M*; NaN: estimate at θ* */
    } batch;
    struct {
        int strategy;              /* enum cluster_strategy */
        double halo;               /* overlap of a data partition's sub-input, a fraction of its share */
        char leader[CONFIG_NAME_MAX];    /* the node requests arrive at; "": the first */
        size_t node_count;         /* the first N nodes take part; 0: all */
        double efficiency;         /* fraction of peak FLOP/s that DNN layers sustain */
        double bin_ms;             /* width of the GFLOP/s series' bins */
        double duration_s;         /* no arrivals after this time; 0: none */
    } cluster;
    struct {
        double overhead_ms;        /* HiDP's exploration, once per request (004 §IV-A: 15 ms) */
    } hidp;
    /* EdgeLessPart's plan (003, traces/split.h): keys split.rule,
     * split.fraction, ee.placement, ee.per_part, ee.pareto_shape, ee.c_thr */
    struct {
        int rule;                  /* enum split_rule */
        double fraction;           /* memory-share, layer-share */
        int placement;             /* enum split_placement */
        size_t per_part;           /* exits per part, <= 3 */
        double pareto_shape;
        double c_thr;              /* an exit answers when its confidence > c_thr */
    } elp;
    struct {                       /* pay-per-use cloud prices (traces/cloud.h), US dollars */
        double price_invocation, price_gb_s, price_ghz_s, price_egress_gb;
        double billing_ms, mem_gb, cpu_ghz;
    } cloud;
    unsigned char set[CONFIG_MAX_KEYS];  /* 1: set by the scenario or -s (not a default) */
};

enum config_type {
    CONFIG_STRING, CONFIG_PATH, CONFIG_UINT64, CONFIG_COUNT, CONFIG_NUMBER, CONFIG_CHOICE, CONFIG_POLICY
};

struct config_key {
    const char *path;
    enum config_type type;
    size_t offset;
    size_t size;                   /* bytes of a string field */
    double lo, hi;                 /* range of numbers and counts */
    int lo_open;                   /* 1: lo itself is excluded */
    const char *keyword;           /* alternative word, or NULL */
    const char *const *choices;    /* CONFIG_CHOICE: NULL-terminated */
    const char *def;               /* default, as scenario text */
    const char *doc;               /* one line of help */
};

/* Where a value comes from, for messages: a file position or a flag. */
struct config_where {
    const char *file;              /* NULL: the command line */
    size_t line, col;
    const char *dir;               /* base for relative paths, or NULL */
};

extern const struct config_key config_keys[];
extern const size_t config_n_keys;

/* True when key `path` was set by the scenario or -s, not defaulted. */
int config_is_set(const struct hi_config *cfg, const char *path);

/* Sets every key to its default. */
void config_defaults(struct hi_config *cfg);

/* The schema row of a dotted path, or NULL. */
const struct config_key *config_find(const char *path);

/* Sets one key from text; HI_EINPUT with err naming where and what was
 * expected (an unknown key gets the closest known one suggested). */
int config_set(struct hi_config *cfg, const char *path, const char *text,
               const struct config_where *where, struct hi_error *err);

/* Applies "key.path=value" from the command line. */
int config_set_arg(struct hi_config *cfg, const char *arg, struct hi_error *err);

/* True when `prefix` names a section (some key starts with "prefix."). */
int config_is_section(const char *prefix);

/* The value of a key as scenario text ("optimal", "0.5", "hil-f"). */
void config_format(const struct hi_config *cfg, const struct config_key *k, char *buf, size_t len);

/* The whole configuration as one JSON object with dotted keys; malloc'd. */
char *config_to_json(const struct hi_config *cfg);

#endif
