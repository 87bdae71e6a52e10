/*
 * config.c — the scenario schema: one row per key.
 *
 * Defaults of the timing keys are the Imagenette setup of 002 §IV (Jetson
 * at 15 W for the S-ML, A100 for the L-ML, 50 Mbit/s, τnw = 20 ms).
 */
#include "sim/config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policies/policy.h"
#include "sim/channel.h"
#include "sim/json.h"
#include "traces/split.h"

static const char *const order_names[] = {"sequential", "shuffle", "bootstrap", NULL};
static const char *const cost_model_names[] = {"classify", "filter", NULL};
static const char *const arrival_names[] = {"closed", "blocking", "periodic", "poisson", "trace", "all-at-once", NULL};
static const char *const feedback_names[] = {"full", "offloaded", NULL};
static const char *const bool_names[] = {"false", "true", NULL};
static const char *const service_names[] = {"deterministic", "exponential", NULL};
static const char *const reply_names[] = {"sample", "batch", NULL};
static const char *const batch_threshold_names[] = {"shared", "per-sample", NULL};
static const char *const omd_rule_names[] = {"idle-first", "ect", NULL};
static const char *const oma_resources_names[] = {"parallel", "sequential", NULL};
static const char *const oma_pick_names[] = {"adversarial", "random", NULL};
static const char *const ns_objective_names[] = {"latency", "energy", NULL};
static const char *const ns_delay_names[] = {"exclude", "include", NULL};
static const char *const ns_times_names[] = {"measured", "regression", NULL};
static const char *const ee_decision_names[] = {"lr", "threshold", NULL};
static const char *const hedge_tuning_names[] = {"log", "worst-case", NULL};
static const char *const cluster_strategy_names[] = {"hidp", "modnn", "omniboost", "disnet", NULL};

#define OFF(m) offsetof(struct hi_config, m)
#define SZ(m) sizeof(((struct hi_config *)0)->m)

const struct config_key config_keys[] = {
    {"name", CONFIG_STRING, OFF(name), SZ(name), 0, 0, 0, NULL, NULL, "",
     "run name, stored with the run (defaults to the scenario file name)"},
    {"seed", CONFIG_UINT64, OFF(seed), 0, 0, 0, 0, NULL, NULL, "1",
     "seed of every random stream of the run"},
    {"dataset", CONFIG_STRING, OFF(dataset), SZ(dataset), 0, 0, 0, NULL, NULL, "",
     "dataset of the catalog entries (cifar10, imagenet-1k, imagenette, ...)"},
    {"trace.file", CONFIG_PATH, OFF(trace.file), SZ(trace.file), 0, 0, 0, NULL, NULL, "",
     "trace in format v1; relative to the scenario file's folder"},
    {"trace.order", CONFIG_CHOICE, OFF(trace.order), 0, 0, 0, 0, NULL, order_names, "sequential",
     "sample order: sequential, shuffle (seeded) or bootstrap (i.i.d. resampling)"},
    {"trace.samples", CONFIG_COUNT, OFF(trace.samples), 0, 1, 1e12, 0, "all", NULL, "all",
     "samples in the run: a count or 'all' (one pass over the trace)"},
    {"trace.confidence", CONFIG_STRING, OFF(trace.confidence), SZ(trace.confidence), 0, 0, 0, NULL, NULL, "sml_conf",
     "the column the policies see as p: sml_conf, sml_prob_<k>, sml_p2, lml_conf or ee<k>_conf"},
    {"policy.name", CONFIG_POLICY, OFF(policy.name), SZ(policy.name), 0, 0, 0, NULL, NULL, "fixed-threshold",
     "decision policy (hisim help policies)"},
    {"policy.theta", CONFIG_NUMBER, OFF(policy.theta), 0, 0, 1, 0, "optimal", NULL, "optimal",
     "threshold θ in [0, 1], or 'optimal' for θ* of the trace and cost"},
    {"policy.eta", CONFIG_NUMBER, OFF(policy.eta), 0, 0, 1e6, 1, "auto", NULL, "auto",
     "learning rate η > 0 of online policies, or 'auto'"},
    {"policy.batch", CONFIG_COUNT, OFF(policy.batch), 0, 1, 1e9, 0, "auto", NULL, "1",
     "batch size M: samples decided together and offloaded in one transmission"},
    {"policy.batch_threshold", CONFIG_CHOICE, OFF(policy.batch_threshold), 0, 0, 0, 0, NULL, batch_threshold_names, "shared",
     "batch-hi: one threshold per batch, theta = 0.5 first (shared, 002 Algorithm 1) or one draw per sample (per-sample)"},
    {"policy.lr_train", CONFIG_NUMBER, OFF(policy.lr_train), 0, 0, 1, 1, "all", NULL, "0.5",
     "lr, ee-hi: fit the LR on the last fraction f of the trace's rows (the run must read only rows before them), or 'all' in-sample on purpose"},
    {"policy.lr_train_file", CONFIG_PATH, OFF(policy.lr_train_file), SZ(policy.lr_train_file), 0, 0, 0, NULL, NULL, "",
     "lr, ee-hi: fit the LR on this trace instead (relative to the scenario file's folder)"},
    {"policy.lr_cut", CONFIG_NUMBER, OFF(policy.lr_cut), 0, 0, 1, 0, NULL, NULL, "0.5",
     "lr, ee-hi: accept iff the LR's probability that the local answer is right is at least this"},
    {"policy.lr_l2", CONFIG_NUMBER, OFF(policy.lr_l2), 0, 0, 1e9, 0, NULL, NULL, "0",
     "lr, ee-hi: L2 penalty on the LR's slopes (0: plain maximum likelihood)"},
    {"policy.lr_w", CONFIG_STRING, OFF(policy.lr_w), SZ(policy.lr_w), 0, 0, 0, NULL, NULL, "",
     "lr, ee-hi: the LR's coefficients 'w0,w1,w2' instead of a fit"},
    {"feedback", CONFIG_CHOICE, OFF(feedback), 0, 0, 0, 0, NULL, feedback_names, "full",
     "what a device learns: full (also whether accepted samples were right: the HIL-F assumption) or offloaded (the L-ML answers only)"},
    {"arrivals.process", CONFIG_CHOICE, OFF(arrivals.process), 0, 0, 0, 0, NULL, arrival_names, "closed",
     "when a device starts its next sample: closed (after the decision), blocking (after the answer), periodic, poisson, trace (t_arrival), all-at-once (t = 0)"},
    {"arrivals.period_ms", CONFIG_NUMBER, OFF(arrivals.period_ms), 0, 0, 1e9, 1, NULL, NULL, "10",
     "periodic: time between samples of a device, ms"},
    {"arrivals.rate_hz", CONFIG_NUMBER, OFF(arrivals.rate_hz), 0, 0, 1e9, 1, NULL, NULL, "100",
     "poisson: arrival rate of samples at a device, per second"},
    {"devices.count", CONFIG_COUNT, OFF(devices.count), 0, 1, 1e7, 0, NULL, NULL, "1",
     "number of identical devices; trace.samples and arrivals.* are per device"},
    {"devices.list", CONFIG_STRING, OFF(devices.list), SZ(devices.list), 0, 0, 0, NULL, NULL, "",
     "per-device entries 'count=N;key=value;...|...' (written from a devices: list in YAML)"},
    {"cost.beta", CONFIG_NUMBER, OFF(cost.beta), 0, 0, 1, 0, NULL, NULL, "0.5",
     "offloading cost β in [0, 1]"},
    {"cost.lml_error", CONFIG_NUMBER, OFF(cost.lml_error), 0, 0, 1e9, 0, NULL, NULL, "0",
     "cost c_L of a wrong L-ML answer (0 as in 002; 1 as in 000 Table 1)"},
    {"cost.model", CONFIG_CHOICE, OFF(cost.model), 0, 0, 0, 0, NULL, cost_model_names, "classify",
     "classify (accept costs a wrong S-ML answer) or filter (000 §4: drop or keep relevant samples)"},
    {"device.name", CONFIG_STRING, OFF(device.name), SZ(device.name), 0, 0, 0, NULL, NULL, "",
     "catalog device (traces/devices): fills tau_ed_ms and energies not set here"},
    {"device.model", CONFIG_STRING, OFF(device.model), SZ(device.model), 0, 0, 0, NULL, NULL, "",
     "S-ML model of the catalog device"},
    {"device.precision", CONFIG_STRING, OFF(device.precision), SZ(device.precision), 0, 0, 0, NULL, NULL, "",
     "precision of the catalog entry (fp32, fp16, int8), when it has several"},
    {"device.tau_ed_ms", CONFIG_NUMBER, OFF(device.tau_ed_ms), 0, 0, 1e9, 0, NULL, NULL, "1.48",
     "S-ML inference time per sample, ms (002 §IV: Jetson, 15 W)"},
    {"device.energy_sml_mj", CONFIG_NUMBER, OFF(device.energy_sml_mj), 0, 0, 1e12, 0, NULL, NULL, "0",
     "device energy per S-ML inference, mJ"},
    {"device.energy_offload_mj", CONFIG_NUMBER, OFF(device.energy_offload_mj), 0, 0, 1e12, 0, NULL, NULL, "0",
     "device energy per offloaded sample, mJ (besides tx_power_w)"},
    {"device.tx_power_w", CONFIG_NUMBER, OFF(device.tx_power_w), 0, 0, 1e6, 0, NULL, NULL, "0",
     "radio power while transmitting, W (energy = power × transmission time)"},
    {"device.profile", CONFIG_PATH, OFF(device.profile), SZ(device.profile), 0, 0, 0, NULL, NULL, "",
     "layer profile CSV of the device's model (S-ML or early-exit network); relative to the scenario file's folder"},
    {"device.speed", CONFIG_NUMBER, OFF(device.speed), 0, 0, 1e6, 1, NULL, NULL, "1",
     "speed factor of the device: profile times are divided by it (2 = twice as fast)"},
    {"device.power_w", CONFIG_NUMBER, OFF(device.power_w), 0, 0, 1e6, 0, "auto", NULL, "auto",
     "device power while computing, W (compute energy = power × device time), or 'auto' (energy_sml_mj / tau_ed_ms)"},
    {"network.name", CONFIG_STRING, OFF(network.name), SZ(network.name), 0, 0, 0, NULL, NULL, "",
     "catalog network (traces/devices): fills rate_mbps, delay_ms, bytes not set here"},
    {"network.rate_mbps", CONFIG_NUMBER, OFF(network.rate_mbps), 0, 0, 1e9, 1, NULL, NULL, "50",
     "uplink rate, Mbit/s (002 §IV: 50)"},
    {"network.delay_ms", CONFIG_NUMBER, OFF(network.delay_ms), 0, 0, 1e9, 0, NULL, NULL, "20",
     "network delay τnw per transmission, ms (002 §IV: 20); the mean of network.delay_dist"},
    {"network.downlink_ms", CONFIG_NUMBER, OFF(network.downlink_ms), 0, 0, 1e9, 0, NULL, NULL, "0",
     "delay of the feedback from server to device, ms"},
    {"network.bytes", CONFIG_NUMBER, OFF(network.bytes), 0, 0, 1e12, 0, NULL, NULL, "30801.92",
     "payload per sample when the trace has no bytes column (002 §IV: 30.08 KB)"},
    {"network.delay_dist", CONFIG_CHOICE, OFF(network.delay_dist), 0, 0, 0, 0, NULL, channel_delay_names, "const",
     "distribution of the per-transmission delay, mean network.delay_ms: const, uniform, exponential, "
     "shifted-exponential, lognormal, gamma or empirical"},
    {"network.delay_sd_ms", CONFIG_NUMBER, OFF(network.delay_sd_ms), 0, 0, 1e9, 0, NULL, NULL, "0",
     "standard deviation of the delay, ms (lognormal, gamma; uniform: mean ± sd·√3 instead of [0, 2·mean])"},
    {"network.delay_shift_ms", CONFIG_NUMBER, OFF(network.delay_shift_ms), 0, 0, 1e9, 0, NULL, NULL, "0",
     "least delay of shifted-exponential, ms (shift + Exp(mean − shift); at most delay_ms)"},
    {"network.delay_file", CONFIG_PATH, OFF(network.delay_file), SZ(network.delay_file), 0, 0, 0, NULL, NULL, "",
     "empirical delays, one per line in ms; its mean replaces delay_ms; relative to the scenario file's folder"},
    {"network.channel", CONFIG_CHOICE, OFF(network.channel), 0, 0, 0, 0, NULL, channel_kind_names, "ideal",
     "loss of transmission attempts: ideal (none) or gilbert-elliott (network.ge_*)"},
    {"network.ge_p_gb", CONFIG_NUMBER, OFF(network.ge_p_gb), 0, 0, 1, 0, NULL, NULL, "0",
     "Gilbert–Elliott: probability per attempt of going from Good to Bad"},
    {"network.ge_p_bg", CONFIG_NUMBER, OFF(network.ge_p_bg), 0, 0, 1, 0, NULL, NULL, "1",
     "Gilbert–Elliott: probability per attempt of going from Bad to Good"},
    {"network.ge_loss_good", CONFIG_NUMBER, OFF(network.ge_loss_good), 0, 0, 1, 0, NULL, NULL, "0",
     "Gilbert–Elliott: probability that an attempt in Good is lost"},
    {"network.ge_loss_bad", CONFIG_NUMBER, OFF(network.ge_loss_bad), 0, 0, 1, 0, NULL, NULL, "1",
     "Gilbert–Elliott: probability that an attempt in Bad is lost"},
    {"network.retx_timeout_ms", CONFIG_NUMBER, OFF(network.retx_timeout_ms), 0, 0, 1e9, 0, NULL, NULL, "0",
     "ms from the end of a lost attempt until the sender knows and retransmits"},
    {"network.retx_limit", CONFIG_COUNT, OFF(network.retx_limit), 0, 1, 1e6, 0, NULL, NULL, "8",
     "attempts per transmission, the first included; when all are lost its samples fail"},
    {"network.rate_file", CONFIG_PATH, OFF(network.rate_file), SZ(network.rate_file), 0, 0, 0, NULL, NULL, "",
     "uplink rate as a step function, CSV time_s,rate_mbps (s, Mbit/s); replaces rate_mbps; "
     "relative to the scenario file's folder"},
    {"network.shared", CONFIG_CHOICE, OFF(network.shared), 0, 0, 0, 0, NULL, bool_names, "true",
     "true: one FIFO uplink shared by all devices; false: one uplink per device"},
    {"network.offload_ms", CONFIG_NUMBER, OFF(network.offload_ms), 0, 0, 1e9, 0, "none", NULL, "none",
     "end-to-end offload time (send, L-ML, reply), ms, replacing rate, delay and server when set (000 §5: 74.34)"},
    {"server.name", CONFIG_STRING, OFF(server.name), SZ(server.name), 0, 0, 0, NULL, NULL, "",
     "catalog server: fills tau_es_ms when not set here"},
    {"server.model", CONFIG_STRING, OFF(server.model), SZ(server.model), 0, 0, 0, NULL, NULL, "",
     "L-ML model of the catalog server"},
    {"server.tau_es_ms", CONFIG_NUMBER, OFF(server.tau_es_ms), 0, 0, 1e9, 0, NULL, NULL, "4.41",
     "L-ML inference time per sample, ms (002 §IV: A100)"},
    {"server.preprocess_ms", CONFIG_NUMBER, OFF(server.preprocess_ms), 0, 0, 1e9, 0, NULL, NULL, "0",
     "server time per offloaded sample before the L-ML, ms (001 §4.1); the catalog fills it with tau_es_ms"},
    {"server.profile", CONFIG_PATH, OFF(server.profile), SZ(server.profile), 0, 0, 0, NULL, NULL, "",
     "layer profile CSV of the L-ML; relative to the scenario file's folder"},
    {"server.speed", CONFIG_NUMBER, OFF(server.speed), 0, 0, 1e6, 1, NULL, NULL, "1",
     "speed factor of the server: profile times are divided by it (2 = twice as fast)"},
    {"server.workers", CONFIG_COUNT, OFF(server.workers), 0, 1, 1e6, 0, NULL, NULL, "1",
     "parallel L-ML workers K"},
    {"server.service", CONFIG_CHOICE, OFF(server.service), 0, 0, 0, 0, NULL, service_names, "deterministic",
     "service time of a sample: deterministic, or exponential with mean tau_es_ms"},
    {"server.batch_max", CONFIG_COUNT, OFF(server.batch_max), 0, 1, 1e6, 0, NULL, NULL, "1",
     "GPU batching: at most B samples per batch (1: no batching)"},
    {"server.batch_timeout_ms", CONFIG_NUMBER, OFF(server.batch_timeout_ms), 0, 0, 1e9, 0, NULL, NULL, "0",
     "GPU batching: the longest a waiting sample holds a partial batch back, ms"},
    {"server.batch_setup_ms", CONFIG_NUMBER, OFF(server.batch_setup_ms), 0, 0, 1e9, 0, NULL, NULL, "0",
     "GPU batching: a batch of b samples takes batch_setup_ms + tau_es_ms * b"},
    {"server.reply", CONFIG_CHOICE, OFF(server.reply), 0, 0, 0, 0, NULL, reply_names, "sample",
     "answers return one by one (sample) or together when a transmission's samples are all served (batch, 002)"},
    {"omd.rule", CONFIG_CHOICE, OFF(omd.rule), 0, 0, 0, 0, NULL, omd_rule_names, "idle-first",
     "omd: the next sample goes to the resource free first (idle-first, 000 §5) or where it finishes first (ect)"},
    {"oma.time_limit", CONFIG_NUMBER, OFF(oma.time_limit_ms), 0, 0, 1e12, 1, "hi-makespan", NULL, "hi-makespan",
     "oma-*: makespan budget T, ms, or 'hi-makespan': fixed-threshold HI at policy.theta under blocking arrivals, n·tau_ed + k·tau_off (000 §5)"},
    {"oma.resources", CONFIG_CHOICE, OFF(oma.resources), 0, 0, 0, 0, NULL, oma_resources_names, "parallel",
     "oma-*: device and offload path work in parallel (all-at-once arrivals) or one after the other (blocking)"},
    {"oma.worst", CONFIG_CHOICE, OFF(oma.pick), 0, 0, 0, 0, NULL, oma_pick_names, "adversarial",
     "oma-worst: offload first the simple samples the L-ML gets wrong (adversarial) or simple samples at random"},
    {"ee.thresholds", CONFIG_STRING, OFF(ee.thresholds), SZ(ee.thresholds), 0, 0, 0, NULL, NULL, "search",
     "ee, ee-hi: exit k < N when its confidence >= theta_k: one value for all, N-1 values, or 'search' (001 §5.2 brute force under qos.accuracy)"},
    {"ee.objective", CONFIG_CHOICE, OFF(ee.objective), 0, 0, 0, 0, NULL, ns_objective_names, "latency",
     "ee, ee-hi: what the threshold search minimises: the mean latency (001 eq. 3) or device energy (eq. 4)"},
    {"ee.decision", CONFIG_CHOICE, OFF(ee.decision), 0, 0, 0, 0, NULL, ee_decision_names, "lr",
     "ee-hi: the decision module at the final exit: the binary LR (policy.lr_*) or the threshold policy.theta"},
    {"qos.accuracy", CONFIG_NUMBER, OFF(qos.accuracy), 0, 0, 1, 0, NULL, NULL, "0.9",
     "ee, ee-hi: the accuracy the threshold search must reach (001 §3.3: 90% for CIFAR-10)"},
    {"hedge.tuning", CONFIG_CHOICE, OFF(hedge.tuning), 0, 0, 0, 0, NULL, hedge_tuning_names, "log",
     "hedge-hi, hedge-hi-restart: tune epsilon and eta for L = ln K experts (log) or the proven worst case (1 + chi) ln 2"},
    {"neurosurgeon.objective", CONFIG_CHOICE, OFF(neurosurgeon.objective), 0, 0, 0, 0, NULL, ns_objective_names, "latency",
     "neurosurgeon: minimise one sample's latency (device + transfer + server) or its device energy (compute + radio)"},
    {"neurosurgeon.delay", CONFIG_CHOICE, OFF(neurosurgeon.delay), 0, 0, 0, 0, NULL, ns_delay_names, "exclude",
     "neurosurgeon: leave the network delay out of the latency, as the original (exclude), or count it (include)"},
    {"neurosurgeon.times", CONFIG_CHOICE, OFF(neurosurgeon.times), 0, 0, 0, 0, NULL, ns_times_names, "measured",
     "neurosurgeon: plan with the profile's layer times (measured) or with layer-type regressions on FLOPs (regression)"},
    {"neurosurgeon.fit_profile", CONFIG_PATH, OFF(neurosurgeon.fit_profile), SZ(neurosurgeon.fit_profile), 0, 0, 0, NULL, NULL, "",
     "neurosurgeon: a profile measured on the device to fit the regressions on (default: the split network's own)"},
    {"batch.alpha", CONFIG_NUMBER, OFF(batch.alpha), 0, 0, 1, 0, NULL, NULL, "0.5",
     "weight α of system time against response time in f(M) (002 eq. 8)"},
    {"batch.rho", CONFIG_NUMBER, OFF(batch.rho), 0, 0, 1, 0, "auto", NULL, "auto",
     "offload ratio ρ for the optimal batch size, or 'auto' (the trace's ratio at θ*)"},
    /* cluster scenarios (hisim cluster, 004); cluster.nodes and cluster.requests are lists,
     * read by sim/cluster_config.c */
    {"cluster.strategy", CONFIG_CHOICE, OFF(cluster.strategy), 0, 0, 0, 0, NULL, cluster_strategy_names, "hidp",
     "partitioning strategy: hidp, modnn, omniboost or disnet (004 §IV-A)"},
    {"cluster.halo", CONFIG_NUMBER, OFF(cluster.halo), 0, 0, 10, 0, NULL, NULL, "0",
     "overlap of a data partition: a share s computes and receives s(1 + halo) of its input"},
    {"cluster.leader", CONFIG_STRING, OFF(cluster.leader), SZ(cluster.leader), 0, 0, 0, NULL, NULL, "",
     "the node requests arrive at and results return to (default: the first node)"},
    {"cluster.node_count", CONFIG_COUNT, OFF(cluster.node_count), 0, 1, 1e9, 0, "all", NULL, "all",
     "the first N nodes of cluster.nodes take part, or 'all'"},
    {"cluster.efficiency", CONFIG_NUMBER, OFF(cluster.efficiency), 0, 0, 1, 1, NULL, NULL, "1",
     "fraction of a processor's peak GFLOP/s that DNN layers sustain, where a processor sets none"},
    {"cluster.bin_ms", CONFIG_NUMBER, OFF(cluster.bin_ms), 0, 0, 1e9, 1, NULL, NULL, "100",
     "bin width of the GFLOP/s-over-time series, ms"},
    {"cluster.duration_s", CONFIG_NUMBER, OFF(cluster.duration_s), 0, 0, 1e9, 0, NULL, NULL, "0",
     "no request arrives after this time, s; 0: each stream stops after its count"},
    {"hidp.overhead_ms", CONFIG_NUMBER, OFF(hidp.overhead_ms), 0, 0, 1e9, 0, NULL, NULL, "15",
     "HiDP's exploration time, added once to every hidp request (004 §IV-A: 15 ms)"},
    /* edgelesspart (003); defaults as traces/split.h and traces/cloud.h */
    {"split.rule", CONFIG_CHOICE, OFF(elp.rule), 0, 0, 0, 0, NULL, split_rule_names, "memory-share",
     "edgelesspart: where to split device.profile: latency, memory-share (003 §III) or layer-share (§II)"},
    {"split.fraction", CONFIG_NUMBER, OFF(elp.fraction), 0, 0, 1, 0, NULL, NULL, "0.7",
     "edgelesspart: memory-share and layer-share: the edge part's largest share of the memory or layers (003 §III: 0.7)"},
    {"ee.placement", CONFIG_CHOICE, OFF(elp.placement), 0, 0, 0, 0, NULL, split_placement_names, "linear",
     "edgelesspart: exits placed linearly or Pareto-distributed within each part (003 §II)"},
    {"ee.per_part", CONFIG_COUNT, OFF(elp.per_part), 0, 0, 3, 0, NULL, NULL, "3",
     "edgelesspart: exits per part, at most 3 (003 §II)"},
    {"ee.pareto_shape", CONFIG_NUMBER, OFF(elp.pareto_shape), 0, 0, 1e6, 1, NULL, NULL, "1.1609640474436813",
     "edgelesspart: shape a of the Pareto placement (log 5/log 4, the 80-20 shape)"},
    {"ee.c_thr", CONFIG_NUMBER, OFF(elp.c_thr), 0, 0, 1e6, 0, NULL, NULL, "0.8",
     "edgelesspart: an exit answers when its confidence is greater than c_thr (003 §II; > 1: no exit does)"},
    {"cloud.price_invocation", CONFIG_NUMBER, OFF(cloud.price_invocation), 0, 0, 1e6, 0, NULL, NULL, "0.0000004",
     "edgelesspart: $ per cloud invocation (Google Cloud Functions 1st gen: $0.40 per million)"},
    {"cloud.price_gb_s", CONFIG_NUMBER, OFF(cloud.price_gb_s), 0, 0, 1e6, 0, NULL, NULL, "0.0000025",
     "edgelesspart: $ per GB-second of provisioned memory (Tier 1)"},
    {"cloud.price_ghz_s", CONFIG_NUMBER, OFF(cloud.price_ghz_s), 0, 0, 1e6, 0, NULL, NULL, "0.00001",
     "edgelesspart: $ per GHz-second of provisioned CPU (Tier 1)"},
    {"cloud.price_egress_gb", CONFIG_NUMBER, OFF(cloud.price_egress_gb), 0, 0, 1e6, 0, NULL, NULL, "0.12",
     "edgelesspart: $ per GB (2^30 bytes) of the answers sent back"},
    {"cloud.billing_ms", CONFIG_NUMBER, OFF(cloud.billing_ms), 0, 0, 1e9, 0, NULL, NULL, "100",
     "edgelesspart: billing increment, ms; a cloud part's time is rounded up to it (0: exact)"},
    {"cloud.mem_gb", CONFIG_NUMBER, OFF(cloud.mem_gb), 0, 0, 1e6, 0, NULL, NULL, "0.25",
     "edgelesspart: provisioned memory of the function, GB (256 MB)"},
    {"cloud.cpu_ghz", CONFIG_NUMBER, OFF(cloud.cpu_ghz), 0, 0, 1e6, 0, NULL, NULL, "0.4",
     "edgelesspart: provisioned CPU of the function, GHz (400 MHz with 256 MB)"},
};

const size_t config_n_keys = sizeof config_keys / sizeof config_keys[0];
_Static_assert(sizeof config_keys / sizeof config_keys[0] <= CONFIG_MAX_KEYS, "raise CONFIG_MAX_KEYS");

const struct config_key *
config_find(const char *path)
{
    size_t i;
    for (i = 0; i < config_n_keys; i++)
        if (strcmp(config_keys[i].path, path) == 0)
            return &config_keys[i];
    return NULL;
}

int
config_is_section(const char *prefix)
{
    size_t i, n = strlen(prefix);
    for (i = 0; i < config_n_keys; i++)
        if (strncmp(config_keys[i].path, prefix, n) == 0 && config_keys[i].path[n] == '.')
            return 1;
    return 0;
}

static int
fail(const struct config_where *w, struct hi_error *err, const char *fmt, const char *a,
     const char *b, const char *c)
{
    char msg[900];
    snprintf(msg, sizeof msg, fmt, a, b, c);
    if (w && w->file)
        return error_at(err, w->file, w->line, w->col, "%s", msg);
    return error_set(err, HI_EINPUT, "-s: %s", msg);
}

/* What a key accepts, for messages. */
static void
expected(const struct config_key *k, char *buf, size_t len)
{
    char range[160] = "";
    size_t i, n;
    switch (k->type) {
    case CONFIG_STRING: snprintf(buf, len, "a string"); return;
    case CONFIG_PATH: snprintf(buf, len, "a file path"); return;
    case CONFIG_UINT64: snprintf(buf, len, "an integer in [0, 2^63)"); return;
    case CONFIG_CHOICE:
        n = (size_t)snprintf(buf, len, "one of");
        for (i = 0; k->choices[i] && n < len; i++)
            n += (size_t)snprintf(buf + n, len - n, "%s %s", i ? "," : "", k->choices[i]);
        return;
    case CONFIG_POLICY:
        n = (size_t)snprintf(buf, len, "a policy name:");
        for (i = 0; policy_types[i] && n < len; i++)
            n += (size_t)snprintf(buf + n, len - n, "%s %s", i ? "," : "", policy_types[i]->name);
        return;
    case CONFIG_COUNT:
        if (k->hi >= 1e9)
            snprintf(range, sizeof range, "an integer >= %.0f", k->lo);
        else
            snprintf(range, sizeof range, "an integer in [%.0f, %.0f]", k->lo, k->hi);
        break;
    case CONFIG_NUMBER:
        if (k->hi >= 1e6)
            snprintf(range, sizeof range, "a number %s %g", k->lo_open ? ">" : ">=", k->lo);
        else
            snprintf(range, sizeof range, "a number in %s%g, %g]", k->lo_open ? "(" : "[", k->lo, k->hi);
        break;
    }
    if (k->keyword)
        snprintf(buf, len, "%s or '%s'", range, k->keyword);
    else
        snprintf(buf, len, "%s", range);
}

static int
parse_number(const char *s, double *v)
{
    char *end;
    if (!*s)
        return -1;
    errno = 0;
    *v = strtod(s, &end);
    return (*end || errno == ERANGE || !isfinite(*v)) ? -1 : 0;
}

static int set_value(struct hi_config *cfg, const struct config_key *k, const char *path, const char *text,
                     const struct config_where *w, struct hi_error *err);

int
config_set(struct hi_config *cfg, const char *path, const char *text,
           const struct config_where *w, struct hi_error *err)
{
    const struct config_key *k = config_find(path);
    int rc = set_value(cfg, k, path, text, w, err);
    if (rc == HI_OK && k)
        cfg->set[k - config_keys] = 1;
    return rc;
}

int
config_is_set(const struct hi_config *cfg, const char *path)
{
    const struct config_key *k = config_find(path);
    return k && cfg->set[k - config_keys];
}

static int
set_value(struct hi_config *cfg, const struct config_key *k, const char *path, const char *text,
          const struct config_where *w, struct hi_error *err)
{
    char *field = (char *)cfg;
    char exp[400];
    double v;
    size_t i;

    if (!k) {
        const char *names[CONFIG_MAX_KEYS];
        const char *near;
        size_t n = 0;
        for (i = 0; i < config_n_keys && n < CONFIG_MAX_KEYS; i++)
            names[n++] = config_keys[i].path;
        near = error_closest(path, names, n);
        if (near)
            return fail(w, err, "unknown key '%s' (did you mean '%s'?)", path, near, NULL);
        return fail(w, err, "unknown key '%s' (hisim help scenario lists the keys)", path, NULL, NULL);
    }
    field += k->offset;
    expected(k, exp, sizeof exp);

    switch (k->type) {
    case CONFIG_STRING:
        if (strlen(text) >= k->size)
            return fail(w, err, "%s: value too long", path, NULL, NULL);
        strcpy(field, text);
        return HI_OK;
    case CONFIG_PATH: {
        int rel = w && w->dir && *w->dir && text[0] != '/' && text[0] != '\0';
        size_t need = strlen(text) + (rel ? strlen(w->dir) + 1 : 0);
        if (need >= k->size)
            return fail(w, err, "%s: path too long", path, NULL, NULL);
        if (rel && strcmp(w->dir, ".") != 0)
            snprintf(field, k->size, "%s/%s", w->dir, text);
        else
            strcpy(field, text);
        return HI_OK;
    }
    case CONFIG_UINT64: {
        char *end;
        unsigned long long u;
        errno = 0;
        u = strtoull(text, &end, 10);
        if (!*text || *end || errno || text[0] == '-' || u > 9223372036854775807ull)
            return fail(w, err, "%s: expected %s, found '%s'", path, exp, text);
        *(uint64_t *)field = (uint64_t)u;
        return HI_OK;
    }
    case CONFIG_CHOICE:
        for (i = 0; k->choices[i]; i++)
            if (strcmp(text, k->choices[i]) == 0) {
                *(int *)field = (int)i;
                return HI_OK;
            }
        return fail(w, err, "%s: expected %s, found '%s'", path, exp, text);
    case CONFIG_POLICY:
        if (!policy_lookup(text)) {
            const char *names[64];
            const char *near;
            size_t n = 0;
            for (i = 0; policy_types[i] && n < 64; i++)
                names[n++] = policy_types[i]->name;
            near = error_closest(text, names, n);
            if (near)
                return fail(w, err, "%s: unknown policy '%s' (did you mean '%s'?)", path, text, near);
            return fail(w, err, "%s: expected %s, found '%s'", path, exp, text);
        }
        snprintf(field, k->size, "%s", text);
        return HI_OK;
    case CONFIG_COUNT:
        if (k->keyword && strcmp(text, k->keyword) == 0) {
            *(size_t *)field = 0;
            return HI_OK;
        }
        if (parse_number(text, &v) || v != floor(v))
            return fail(w, err, "%s: expected %s, found '%s'", path, exp, text);
        if (v < k->lo || v > k->hi)
            return fail(w, err, "%s: %s is out of range: expected %s", path, text, exp);
        *(size_t *)field = (size_t)v;
        return HI_OK;
    case CONFIG_NUMBER:
        if (k->keyword && strcmp(text, k->keyword) == 0) {
            *(double *)field = NAN;
            return HI_OK;
        }
        if (parse_number(text, &v))
            return fail(w, err, "%s: expected %s, found '%s'", path, exp, text);
        if (v < k->lo || v > k->hi || (k->lo_open && v == k->lo))
            return fail(w, err, "%s: %s is out of range: expected %s", path, text, exp);
        *(double *)field = v;
        return HI_OK;
    }
    return HI_EINTERNAL;
}

int
config_set_arg(struct hi_config *cfg, const char *arg, struct hi_error *err)
{
    char path[128];
    const char *eq = strchr(arg, '=');
    size_t n;
    if (!eq || eq == arg)
        return error_set(err, HI_EINPUT, "-s %s: expected key.path=value", arg);
    n = (size_t)(eq - arg);
    if (n >= sizeof path)
        return error_set(err, HI_EINPUT, "-s %s: key too long", arg);
    memcpy(path, arg, n);
    path[n] = '\0';
    return config_set(cfg, path, eq + 1, NULL, err);
}

void
config_defaults(struct hi_config *cfg)
{
    size_t i;
    memset(cfg, 0, sizeof *cfg);
    for (i = 0; i < config_n_keys; i++) {
        int rc = set_value(cfg, &config_keys[i], config_keys[i].path, config_keys[i].def, NULL, NULL);
        (void)rc;
    }
}

void
config_format(const struct hi_config *cfg, const struct config_key *k, char *buf, size_t len)
{
    const char *field = (const char *)cfg + k->offset;
    switch (k->type) {
    case CONFIG_STRING: case CONFIG_PATH: case CONFIG_POLICY:
        snprintf(buf, len, "%s", field);
        break;
    case CONFIG_UINT64:
        snprintf(buf, len, "%llu", (unsigned long long)*(const uint64_t *)field);
        break;
    case CONFIG_CHOICE:
        snprintf(buf, len, "%s", k->choices[*(const int *)field]);
        break;
    case CONFIG_COUNT:
        if (k->keyword && *(const size_t *)field == 0)
            snprintf(buf, len, "%s", k->keyword);
        else
            snprintf(buf, len, "%zu", *(const size_t *)field);
        break;
    case CONFIG_NUMBER:
        if (k->keyword && isnan(*(const double *)field))
            snprintf(buf, len, "%s", k->keyword);
        else
            json_format_number(buf, len, *(const double *)field);
        break;
    }
}

char *
config_to_json(const struct hi_config *cfg)
{
    struct json j;
    size_t i;
    json_init(&j);
    json_object_begin(&j);
    for (i = 0; i < config_n_keys; i++) {
        const struct config_key *k = &config_keys[i];
        const char *field = (const char *)cfg + k->offset;
        char buf[CONFIG_PATH_MAX + 16];
        json_key(&j, k->path);
        if (k->type == CONFIG_NUMBER && !(k->keyword && isnan(*(const double *)field)))
            json_number(&j, *(const double *)field);
        else if (k->type == CONFIG_COUNT && !(k->keyword && *(const size_t *)field == 0))
            json_integer(&j, (long long)*(const size_t *)field);
        else if (k->type == CONFIG_UINT64) {
            config_format(cfg, k, buf, sizeof buf);
            json_raw(&j, buf);
        } else {
            config_format(cfg, k, buf, sizeof buf);
            json_string(&j, buf);
        }
    }
    json_object_end(&j);
    return json_take(&j);
}
