/*
 * main.c — `hisim VERB ...`: dispatch, help, and what the verbs share.
 */
#include "analysis/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "analysis/version.h"
#include "policies/policy.h"
#include "sim/config.h"

const char *const cli_version = HISIM_VERSION;
const char *const cli_release = HISIM_RELEASE;

static const char usage[] =
    "usage: hisim VERB [ARGS]\n"
    "\n"
    "hisim simulates hierarchical inference at the network edge: an edge device\n"
    "runs a small model on every sample and accepts its answer or offloads the\n"
    "sample to a large model on an edge server.  It replays recorded traces\n"
    "through decision policies on a discrete-event simulator and stores runs\n"
    "in SQLite.\n"
    "\n"
    "verbs:\n"
    "  run SCENARIO.yaml   simulate a scenario, store and print the run\n"
    "  runs                list stored runs\n"
    "  show RUN_ID         print a stored run\n"
    "  rerun RUN_ID        run a stored run again, exactly, from its stored inputs\n"
    "  trace info TRACE    summarise a trace: accuracies, lambda_min, theta*,\n"
    "                      reliability table and calibration error\n"
    "  trace synth         write a synthetic trace from a calibrated model\n"
    "  batch-size          the optimal batch size M* of Batch HI\n"
    "  split PROFILE       split a DNN between edge and cloud (EdgeLessPart):\n"
    "                      split point, parts, tensor sent, exits per part\n"
    "  cluster SCENARIO    partition DNN requests over an edge cluster (HiDP,\n"
    "                      DisNet, MoDNN, OmniBoost): plans, then a run\n"
    "  plot KIND           draw a figure with gnuplot (reliability, regret, cost,\n"
    "                      sweep)\n"
    "  sweep SWEEP.yaml    run a scenario over a grid of keys, with replications\n"
    "  sweeps              list stored sweeps\n"
    "  export              write a run or a sweep as CSV or JSON\n"
    "  merge OUT IN...     combine databases (the shards of a sweep)\n"
    "  qos                 001 Table 5: the strategy each QoS requirement selects\n"
    "  compare RUN_A RUN_B every metric of two runs and the change 1 - A/B\n"
    "  help [TOPIC]        help on a verb, or on 'scenario' keys, 'policies', 'papers'\n"
    "\n"
    "options: --help, --version; -h or --help after any verb.  Exit status: 0\n"
    "success, 2 bad input or usage, 1 internal failure, 128+N stopped by signal N.\n"
    "Papers 000-004 cited in help texts: 'hisim help papers'.  Documentation:\n"
    "docs/ and man hisim.\n";

struct help_topic {
    const char *name;
    const char *text;
};

static const struct help_topic topics[] = {
    {"run",
     "usage: hisim run SCENARIO.yaml [-s key.path=value]... [--db PATH]\n"
     "                 [--samples-log FILE.csv] [--json]\n"
     "\n"
     "Simulates the scenario and prints accuracy, offloaded fraction, total and\n"
     "mean cost, makespan, mean and p95 response time and device energy.  The\n"
     "run is stored in the database with its effective configuration and its id\n"
     "is printed.\n"
     "\n"
     "  -s, --set key.path=value  override a scenario key (repeatable; applied\n"
     "                            in order after the file); see 'hisim help scenario'\n"
     "  --db PATH                 database (default $HISIM_DB, else ./hisim.db)\n"
     "  --samples-log FILE.csv    one row per sample: idx,id,p,q_off,offload,\n"
     "                            y_sml,y_lml,cost,response_ms\n"
     "  --json                    print the summary as one JSON object\n"
     "\n"
     "example:\n"
     "  hisim run scenarios/quickstart.yaml -s policy.theta=0.6 -s cost.beta=0.3\n"},
    {"runs",
     "usage: hisim runs [--db PATH] [--json]\n"
     "\n"
     "Lists the stored runs: id, start time, name, status (done, or interrupted\n"
     "by a signal), version, policy.  Opens the database read-only.\n"},
    {"show",
     "usage: hisim show RUN_ID [--db PATH] [--json]\n"
     "\n"
     "Prints a stored run: its summary, seed, times, version, the trace (absolute\n"
     "path and SHA-256) and the effective configuration it ran with; --json adds\n"
     "the scenario's text and the configuration as a scenario.  Opens the\n"
     "database read-only.\n"},
    {"rerun",
     "usage: hisim rerun RUN_ID [--db PATH] [--json]\n"
     "\n"
     "Runs a stored run again from what the store holds: its effective\n"
     "configuration (every key, with absolute file paths), its trace and the\n"
     "other files it read (layer profiles, delay and rate files), which must\n"
     "still have the SHA-256 recorded with the run.  Works from any directory,\n"
     "reproduces every metric exactly, stores the new run in the same database\n"
     "and prints it as 'hisim run' does.  A file that changed or is missing is\n"
     "bad input (exit status 2), named.  Runs of sweep and cluster cannot be\n"
     "rerun.\n"},
    {"help",
     "usage: hisim help [TOPIC]\n"
     "\n"
     "Without a topic, the list of verbs.  Topics: a verb (run, runs, show, rerun,\n"
     "trace, batch-size, plot, split, cluster, qos, compare), 'scenario' (every\n"
     "scenario key, its default and meaning), 'policies' (the decision policies)\n"
     "and 'papers' (the papers the numbers 000-004 in help texts and plots refer\n"
     "to).  'hisim VERB -h' prints the same as 'hisim help VERB'.\n"},
    {"papers",
     "The papers hisim implements, cited by number in help texts, plot legends and\n"
     "docs (\"002 eq. 9\" is equation 9 of paper 002):\n"
     "\n"
     "  000  The Case for Hierarchical Deep Learning Inference at the Network Edge.\n"
     "       G. Al-Atat, A. Fresa, A. P. Behera, V. N. Moothedath, J. Gross,\n"
     "       J. P. Champati.  Fixed-threshold HI, its cost model, the baselines.\n"
     "  001  Exploring the Boundaries of On-Device Inference: When Tiny Falls Short,\n"
     "       Go Hierarchical.  A. P. Behera, J. Gallego, P. Daubaris, R. Morabito,\n"
     "       I. Bravo, J. Widmer, J. P. Champati.  Measured device latency and\n"
     "       energy, early exits, QoS-driven strategy choice.\n"
     "  002  Batch HI: online threshold learning with offloading in batches of M,\n"
     "       its regret bound and the optimal batch size M* (eqs. 6-9).  The text\n"
     "       hisim follows carries no title page, so no title or authors are given.\n"
     "  003  EdgeLessPart: Distributed and Progressive Inference for the Edge-Cloud\n"
     "       Continuum.  I. D. Nunez Araya, M. Gerndt, M. Chadha.  Split computing\n"
     "       with early exits kept local to each part.\n"
     "  004  HiDP: Hierarchical DNN Partitioning for Distributed Inference on\n"
     "       Heterogeneous Edge Platforms.  Z. Taufique, A. Vyas, A. Miele,\n"
     "       P. Liljeberg, A. Kanduri.  Global, then local DNN partitioning.\n"},
    {"trace",
     "usage: hisim trace info TRACE.csv [--beta B] [--lml-error C] [--bins N] [--json]\n"
     "       hisim trace synth (--preset NAME | --params K=V,...) [-n N] [--seed S]\n"
     "                         -o FILE.csv\n"
     "\n"
     "info prints the number of samples, S-ML and L-ML accuracy, lambda_min (the\n"
     "smallest gap between distinct confidences, 0 and 1), and the optimal fixed\n"
     "threshold theta* with its total cost, from an exact search over every\n"
     "breakpoint.  --beta (default 0.5) and --lml-error (default 0) set the cost.\n"
     "It also prints the S-ML reliability table (count, mean confidence and\n"
     "accuracy in N equal-width confidence bins, --bins, default 10) and the\n"
     "expected calibration error ECE = sum_b (n_b/n)|acc_b - conf_b|.\n"
     "\n"
     "synth writes a synthetic trace (format v1) from a parametric model:\n"
     "S-ML confidence p = 1/K + (1-1/K)B with B ~ Beta per S-ML right/wrong,\n"
     "L-ML errors coupled to the S-ML's difficulty.  Details: docs/synth.md.\n"
     "  --preset NAME    cifar10-hi (000 sec. 3) or imagenette-batch (002 sec. IV)\n"
     "  --params K=V,... set parameters (after the preset, if any):\n"
     "      k         classes K >= 2                        (default 10)\n"
     "      n         samples                               (10000)\n"
     "      seed      seed of the mt19937 stream            (1)\n"
     "      sml_acc   S-ML accuracy a_s in [0, 1]           (0.7)\n"
     "      right_a, right_b  Beta shape of B, S-ML right   (4, 1)\n"
     "      wrong_a, wrong_b  Beta shape of B, S-ML wrong   (1.5, 2)\n"
     "      lml_acc   L-ML accuracy a_l in [0, 1]           (0.95)\n"
     "      lml_corr  rho in [-1, 1]: > 0 puts L-ML errors on samples\n"
     "                the S-ML finds hard, < 0 on easy ones (0)\n"
     "      p2_a, p2_b  Beta shape of sml_p2 in its range   (1, 1)\n"
     "      bytes     mean payload in bytes                 (3072)\n"
     "      bytes_cv  coefficient of variation; > 0 draws a log-normal (0)\n"
     "      sampling  stratified (counts match the model) or iid (stratified)\n"
     "  -n N, --seed S   override n and seed\n"
     "  -o FILE.csv      output, written whole or not at all\n"
     "\n"
     "example:\n"
     "  hisim trace synth --preset cifar10-hi -o cifar.csv\n"
     "  hisim trace info cifar.csv --beta 0.5 --lml-error 1\n"},
    {"plot",
     "usage: hisim plot KIND ARGS... -o FILE.png|svg|pdf\n"
     "\n"
     "Draws a figure with gnuplot ($HISIM_GNUPLOT, else gnuplot on PATH).  The\n"
     "format follows the extension; the file is written only when gnuplot\n"
     "succeeds.  Kinds:\n"
     "\n"
     "  reliability TRACE.csv [--bins N] [--title T]\n"
     "      the S-ML reliability diagram: accuracy per confidence bin against\n"
     "      the diagonal, the share of samples per bin, and the ECE\n"
     "  regret --run ID [--run ID]... [--db PATH] [--title T]\n"
     "      regret against t (log scale) of stored runs; hil-f and batch-hi\n"
     "      runs get their bound sqrt(t M ln(1/lambda_min)/2) (M = 1 for hil-f)\n"
     "  cost --run ID [--run ID]... [--db PATH] [--title T]\n"
     "      cumulative cost against t, with the best fixed threshold in\n"
     "      hindsight of the first run\n"
     "  regret|cost --sweep ID [--where KEY=VALUE]... [--overlay]\n"
     "      one curve per point of a sweep (at most 16): the mean over its\n"
     "      replications with a 95% band, or every run with --overlay\n"
     "  sweep --sweep ID --x KEY --y METRIC [--by KEY] [--where KEY=VALUE]...\n"
     "        [--logx] [--logy] [--db PATH] [--title T]\n"
     "      the mean of METRIC per point with 95% Student-t error bars against\n"
     "      an axis KEY, one line per value of --by; every other axis that\n"
     "      varies must be fixed with --where.  KEY may be a metric (its mean):\n"
     "      then every point of a --by value is one (x, y) of its line\n"
     "\n"
     "examples:\n"
     "  hisim plot reliability cifar.csv -o reliability.png\n"
     "  hisim plot regret --run 3 --run 4 -o regret.svg\n"
     "  hisim plot sweep --sweep 1 --x cost.beta --y mean_cost --by policy.name -o s.png\n"},
    {"batch-size",
     "usage: hisim batch-size --scenario FILE [-s key.path=value]... [FLAGS] [--json]\n"
     "       hisim batch-size --tau-ed MS --tau-es MS --tau-tx MS --tau-nw MS\n"
     "                        --rho R --alpha A [--json]\n"
     "\n"
     "Prints the relaxed optimum M-dagger, the optimal batch size M*, and f(M*),\n"
     "t_s(M*), t_r(M*) from the closed forms of Batch HI (eqs. 6-9).  With a\n"
     "scenario: tau_ed, tau_es, tau_nw from its device, server and network keys,\n"
     "tau_tx from the mean payload at network.rate_mbps, alpha from batch.alpha,\n"
     "rho from batch.rho or, when 'auto', the trace's offload ratio at theta*.\n"
     "Flags override the scenario.  Times in ms.\n"
     "\n"
     "example:\n"
     "  hisim batch-size --tau-ed 1.48 --tau-es 4.41 --tau-tx 4.93 --tau-nw 20 \\\n"
     "                   --rho 0.421 --alpha 0.5\n"},
    {"qos",
     "usage: hisim qos [--candidates] [--json] [--accuracy-cifar10 A]\n"
     "                 [--accuracy-imagenet A] [--latency-factor F] [--energy-factor F]\n"
     "\n"
     "Reproduces 001 Table 5 from the device catalog: for CIFAR-10 and ImageNet-1K\n"
     "on the Coral Micro, the Raspberry Pi 4B and the Jetson Orin (15 W), the\n"
     "strategy chosen when one QoS requirement is fixed (001 sec. 3.3):\n"
     "  accuracy >= A (90% CIFAR-10, 80% ImageNet-1K): the fastest that meets it;\n"
     "  latency <= F x the offload time, energy <= F x the offload energy (F 0.5):\n"
     "  the most accurate that meets it.  When nothing meets the requirement, the\n"
     "  most accurate, fastest or least-energy candidate, marked '*'.\n"
     "Candidates: the on-device models (001 Table 4), the HI systems (Table 6 and\n"
     "derived rows, whose catalog notes say how) and remote inference (Table 3).\n"
     "  --candidates   also list every candidate with its figures and source\n"
     "  --json         the table as one JSON object\n"
     "\n"
     "example:\n"
     "  hisim qos --candidates\n"},
    {"compare",
     "usage: hisim compare RUN_A RUN_B [--db PATH] [--json]\n"
     "\n"
     "Prints every metric of two stored runs, A's value, B's value and the\n"
     "relative change 1 - A/B: with A = HI and B = full offload, a makespan line\n"
     "of 63.17% reads '63.17% lower latency than full offload'.  '-' where the\n"
     "change is undefined (B = 0 or a value missing).\n"
     "\n"
     "example:\n"
     "  hisim compare 3 1\n"},
    {"split",
     "usage: hisim split PROFILE.csv [--rule R] [--fraction F] [--edge-speed X]\n"
     "                   [--cloud-speed X] [--placement P] [--per-part K]\n"
     "                   [--pareto-shape A] [--trace TRACE.csv --c-thr LIST\n"
     "                   [--rate-mbps R] [--delay-ms D] [--reply-ms D] [--billing-ms B]]\n"
     "                   [--json]\n"
     "\n"
     "Splits the DNN of a layer profile once between edge and cloud as\n"
     "EdgeLessPart does (003), and places early exits inside each part.  The\n"
     "network split is the profile's backbone: every row but those of the side\n"
     "exits ee<k> (an exit that ends the profile is the final classifier).  The\n"
     "split point s keeps backbone layers 1..s on the edge and sends the output\n"
     "of layer s (s = 0: the raw sample).  Prints s, the time and memory of each\n"
     "part, the bytes sent, and each part's candidate and placed exits.\n"
     "\n"
     "  --rule R          latency: the largest s whose edge time is at most the\n"
     "                    whole network's cloud time; memory-share (default):\n"
     "                    the largest s using at most F of the network's memory;\n"
     "                    layer-share: s = floor(F n)\n"
     "  --fraction F      in [0, 1] (default 0.7, as in 003's evaluation)\n"
     "  --edge-speed X, --cloud-speed X\n"
     "                    speed factors: a part runs the profile's times / X (1)\n"
     "  --placement P     linear (default) or pareto\n"
     "  --per-part K      exits per part, 0..3 (default 3)\n"
     "  --pareto-shape A  Pareto shape a > 0 (default log 5/log 4, the 80-20 rule)\n"
     "  --trace TRACE.csv --c-thr LIST\n"
     "                    also infer on the trace's exits at each c_thr (0.3,0.5 or\n"
     "                    from:to:step): an exit answers when its confidence is\n"
     "                    > c_thr, else the cloud part continues, the final\n"
     "                    classifier always answers.  Prints the shares answered\n"
     "                    at the edge, in the cloud and by the final classifier,\n"
     "                    accuracy, mean and p95 latency and the cloud cost per\n"
     "                    1000 inferences (US$, Google Cloud Functions 1st gen\n"
     "                    prices) and relative to cloud-only.  A closed form: one\n"
     "                    sample at a time, no queueing\n"
     "  --rate-mbps R     uplink rate (default 50)\n"
     "  --delay-ms D      network delay per transmission (default 20)\n"
     "  --reply-ms D      time of the answer back (default 0)\n"
     "  --billing-ms B    billing increment, durations rounded up (default 100)\n"
     "  --json            print one JSON object\n"
     "\n"
     "Memory is 4 bytes per parameter plus the largest tensor among a part's\n"
     "input and outputs.  Details: docs/partitioning.md.\n"
     "\n"
     "example:\n"
     "  hisim split traces/fmnist/profile-ee8.csv --rule memory-share --fraction 0.7\n"
     "  hisim split traces/fmnist/profile-ee8.csv --placement pareto \\\n"
     "              --trace traces/fmnist/fmnist-ee8.csv --c-thr 0.3:0.9:0.1\n"},
    {"cluster",
     "usage: hisim cluster SCENARIO.yaml [-s key.path=value]... [--db PATH] [--json]\n"
     "                     [--plans-only]\n"
     "\n"
     "Distributed DNN inference on a heterogeneous edge cluster (HiDP, 004).  For\n"
     "every DNN of the scenario's cluster.requests it prints the plan of each\n"
     "strategy for one request: hidp (global and local partitioning, the faster\n"
     "of model and data partitioning at each level), disnet (the global step,\n"
     "GPU-only nodes), modnn (data partitioning proportional to the nodes' GPU\n"
     "rates), omniboost (model partitioning over all processors, pipelined):\n"
     "each node's layers, share and link times, and the move, compute and\n"
     "move-back time of every processor's block.  Then it simulates the request\n"
     "streams with cluster.strategy (requests queue FIFO on shared processors\n"
     "and links) and stores the run: mean_response_ms, p95_response_ms,\n"
     "throughput, inferences_per_100s, energy_mj, gflops, util.NODE.PROC, and\n"
     "the series gflops (GFLOP/s over time) and response_ms.\n"
     "\n"
     "  -s, --set key.path=value  override a key, also of a node or a stream:\n"
     "                            cluster.nodes.NAME.available=false,\n"
     "                            cluster.nodes.NAME.PROC.gflops=100,\n"
     "                            cluster.requests.0.period_ms=250\n"
     "  --db PATH                 database (default $HISIM_DB, else ./hisim.db)\n"
     "  --json                    plans and run as one JSON object\n"
     "  --plans-only              print the plans, do not simulate or store\n"
     "\n"
     "Keys: 'hisim help scenario' (cluster.*, hidp.*); lists: docs/partitioning.md, HiDP.\n"
     "A sweep file of this scenario runs every point as this command does\n"
     "(target cluster, 'hisim help sweep').\n"
     "\n"
     "example:\n"
     "  hisim cluster scenarios/papers/004-hidp.yaml -s cluster.strategy=modnn\n"},
    {"sweep",
     "usage: hisim sweep SWEEP.yaml [-j N] [--db PATH] [--resume [--force]]\n"
     "                   [--fail-fast] [--shard I/N] [--timing]\n"
     "       mpirun -np K hisim sweep SWEEP.yaml [--db PATH] ...  (built --with-mpi)\n"
     "\n"
     "Runs the base scenario of the sweep file at every point of its grid, every\n"
     "replication, and stores each run as it finishes (one transaction per run).\n"
     "Prints the sweep id, a summary table and a status line counting points\n"
     "done, failed, reused and skipped; progress goes to standard error.  A run\n"
     "already stored with the same point, seed and hisim version is reused, so an\n"
     "extended sweep runs only what is new.  The file:\n"
     "\n"
     "  scenario: base.yaml         the base scenario, relative to this file\n"
     "  set: {key: value, ...}      fixed overrides of scenario keys\n"
     "  axes:                       the grid is the product of the axes\n"
     "    cost.beta: [0.3, 0.5]     a list\n"
     "    network.delay_ms: {from: 2, to: 50, step: 4}       exact decimals\n"
     "    policy.batch: {from: 1, to: 64, count: 7, log: true}\n"
     "  zip: [{key: [...], key2: [...]}]   keys that vary together\n"
     "  replications: 5             runs per point (default 1)\n"
     "  seed: 1                     the sweep seed; run seeds derive from it\n"
     "  crn: true                   replication r has one seed at every point\n"
     "  stop: {metric: mean_cost, rel_ci: 0.01, min: 3, max: 100}\n"
     "                              replicate until the 95% interval is within\n"
     "                              +-1% of the mean\n"
     "  target: batch-size          evaluate 002 eqs. (6)-(9) instead of simulating\n"
     "  target: cluster             a cluster scenario's (its default): every point is\n"
     "                              one `hisim cluster` run; set and axes also take\n"
     "                              cluster.nodes.NAME.KEY and cluster.requests.I.KEY\n"
     "\n"
     "  -j N          N threads, one simulation each (default 1); same results\n"
     "  --db PATH     database (default $HISIM_DB, else ./hisim.db)\n"
     "  --resume      finish the latest sweep of this file, under its id; refused\n"
     "                when the file or hisim changed, unless --force\n"
     "  --fail-fast   stop at the first failing run (default: report and go on)\n"
     "  --shard I/N   run the I-th of N disjoint subsets of the points (then\n"
     "                hisim merge)\n"
     "  --timing      print where the time went\n"
     "SIGINT or SIGTERM keeps the finished runs, drops those in flight, stores\n"
     "the sweep as interrupted (--resume finishes it) and exits 128 + N.\n"
     "Exit status: 0 when every point finished, 2 when runs failed on bad input,\n"
     "1 otherwise.  Details: docs/sweeps.md.\n"
     "\n"
     "example:\n"
     "  hisim sweep scenarios/papers/002-fig5.yaml -j 2\n"},
    {"sweeps",
     "usage: hisim sweeps [--db PATH] [--json]\n"
     "\n"
     "Lists the stored sweeps: id, start time, status, points, finished runs,\n"
     "shard, name and file.\n"},
    {"export",
     "usage: hisim export (--run ID | --sweep ID [--summary]) --format csv|json\n"
     "                    [-o FILE] [--db PATH]\n"
     "\n"
     "Writes stored results to FILE (default standard output), whole or not at\n"
     "all; a FIFO or device is written directly, never replaced.\n"
     "  --sweep ID    one row per run: sweep, point, one column per axis key,\n"
     "                replication, seed, then every metric\n"
     "  --summary     one row per point: sweep, point, axis keys, n, and\n"
     "                <metric>_mean, _sd, _ci95 (95% Student-t half-width)\n"
     "  --run ID      one run: its fields and metrics, then its series (CSV:\n"
     "                '# key: value' lines, then series,idx,x,y)\n"
     "Numbers are the shortest decimals that read back exactly; a missing value\n"
     "is an empty field (CSV) or null (JSON).\n"
     "\n"
     "example:\n"
     "  hisim export --sweep 1 --summary --format csv -o fig5.csv\n"},
    {"merge",
     "usage: hisim merge OUT.db IN.db...\n"
     "\n"
     "Copies every run and sweep of the inputs into OUT.db (created when\n"
     "missing; new run ids).  The shards of one sweep (same file text, hisim\n"
     "version and seed, hisim sweep --shard I/N) become one sweep.  A new\n"
     "OUT.db appears only when every input merged; into an existing one each\n"
     "input is merged in one transaction.  The inputs are only read.\n"
     "\n"
     "example:\n"
     "  hisim sweep s.yaml --shard 1/2 --db p1.db; hisim sweep s.yaml --shard 2/2 --db p2.db\n"
     "  hisim merge all.db p1.db p2.db\n"},
    {NULL, NULL},
};

int
cli_help(const char *verb, FILE *f)
{
    size_t i;
    if (strcmp(verb, "scenario") == 0) {
        fputs("Scenario keys (YAML sections, or -s key.path=value); times in ms,\n"
              "rates in Mbit/s, energy in mJ.  Details: docs/scenarios.md.\n\n", f);
        for (i = 0; i < config_n_keys; i++)
            fprintf(f, "  %-26s %s\n  %-26s default: %s\n", config_keys[i].path, config_keys[i].doc, "",
                    config_keys[i].def[0] ? config_keys[i].def : "(empty)");
        return 0;
    }
    if (strcmp(verb, "policies") == 0) {
        fputs("Policies (policy.name):\n\n", f);
        for (i = 0; policy_types[i]; i++)
            fprintf(f, "  %-18s %s\n", policy_types[i]->name, policy_types[i]->summary);
        return 0;
    }
    for (i = 0; topics[i].name; i++)
        if (strcmp(topics[i].name, verb) == 0) {
            fputs(topics[i].text, f);
            return 0;
        }
    return -1;
}

int
cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc > 2)
        return cli_usage("help", "expected one topic, found more");
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
        return cli_help("help", stdout), 0;
    if (cli_help(argv[1], stdout))
        return cli_usage("help", "no help on '%s' (topics: run runs show rerun trace batch-size plot split cluster "
                         "qos compare sweep sweeps export merge scenario policies papers help)", argv[1]);
    return 0;
}

int
cli_fail(const struct hi_error *err)
{
    fprintf(stderr, "hisim: %s\n", err->msg[0] ? err->msg : "unknown error");
    return err->status == HI_EINPUT ? EXIT_INPUT : EXIT_INTERNAL;
}

int
cli_usage(const char *verb, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "hisim %s: ", verb);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    /* help topics are first words: "trace synth" -> "trace" */
    fprintf(stderr, " (see 'hisim help %.*s')\n", (int)strcspn(verb, " "), verb);
    return EXIT_INPUT;
}

const char *
cli_db_path(const char *flag)
{
    const char *env = getenv("HISIM_DB");
    if (flag)
        return flag;
    return env && *env ? env : "hisim.db";
}

void
cli_now(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Flushes and closes standard output; a failed write is an error (exit
 * status 1) even when the verb succeeded.  A closed pipe (EPIPE, when
 * SIGPIPE is ignored) is quiet: the reader went away on purpose. */
static int
finish_stdout(int status)
{
    int bad = fflush(stdout) != 0 || ferror(stdout), e = errno;
    if (fclose(stdout) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (!bad)
        return status;
    if (e != EPIPE)
        fprintf(stderr, "hisim: standard output: write error: %s\n", strerror(e));
    return status ? status : EXIT_INTERNAL;
}

int
cli_parse_id(const char *s, long long *id)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v <= 0)
        return -1;
    *id = v;
    return 0;
}

int
main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } verbs[] = {
        {"run", cmd_run}, {"runs", cmd_runs}, {"show", cmd_show},
        {"trace", cmd_trace}, {"plot", cmd_plot}, {"batch-size", cmd_batchsize},
        {"qos", cmd_qos}, {"compare", cmd_compare},
        {"split", cmd_split},
        {"cluster", cmd_cluster},
        {"rerun", cmd_rerun},
        {"sweep", cmd_sweep}, {"sweeps", cmd_sweeps}, {"merge", cmd_merge}, {"export", cmd_export},
        {"help", cmd_help},
    };
    const char *names[sizeof verbs / sizeof verbs[0]];
    const char *near;
    size_t i;

    gsl_set_error_handler_off();  /* GSL status codes are checked instead */
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_INPUT;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, stdout);
        return finish_stdout(0);
    }
    if (strcmp(argv[1], "--version") == 0) {
        /* the release, and the commit it was built from when known */
        if (strcmp(cli_version, cli_release) != 0)
            printf("hisim %s (git %s)\n", cli_release, cli_version);
        else
            printf("hisim %s (git commit unknown: not built from a clone or a release tarball)\n", cli_release);
        return finish_stdout(0);
    }
    for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        if (strcmp(argv[1], verbs[i].name) == 0)
            return finish_stdout(verbs[i].fn(argc - 1, argv + 1));
        names[i] = verbs[i].name;
    }
    near = error_closest(argv[1], names, sizeof verbs / sizeof verbs[0]);
    if (near)
        fprintf(stderr, "hisim: unknown verb '%s' (did you mean '%s'?); see 'hisim --help'\n", argv[1], near);
    else
        fprintf(stderr, "hisim: unknown verb '%s'; see 'hisim --help'\n", argv[1]);
    return EXIT_INPUT;
}
