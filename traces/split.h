/*
 * split.h — EdgeLessPart's split rules and exit placement (003 §II), pure
 * functions on a layer profile (traces/layers.h).
 *
 * The network that is split is the profile's backbone: every row except
 * those of the side exits.  A side exit is an exit ee<k> whose last row is
 * not the profile's last row; an exit that ends the profile (ee3 of
 * profile-ee.csv, ee8 of profile-ee8.csv) is the network's own final
 * classifier and belongs to the backbone.  Backbone layers are numbered
 * j = 1..n in execution order.
 *
 * A split point s in 0..n runs backbone layers 1..s on the edge and
 * s+1..n in the cloud, and sends the output of layer s (s = 0: the raw
 * sample): s = 0 is cloud-only, s = n edge-only.  Side exit c hangs after
 * backbone layer at[c] (the backbone layers before its first row); it is
 * a candidate of the edge part when at[c] <= s, of the cloud part
 * otherwise, so that no exit is ever split across the parts (003 §II).
 *
 * Split rules, with T(s) the backbone time of layers 1..s and M(a, b] the
 * memory of backbone layers a+1..b (the rule of layers_memory_bytes: 4
 * bytes per parameter plus the largest tensor among the part's input and
 * outputs):
 *
 *   latency       the largest s in 0..n with T(s)/edge_speed <= T(n)/cloud_speed
 *                 ("split wherever a set of layers on the edge runs as long
 *                 as the complete network in the cloud")
 *   memory-share  the largest s with M(0, s] <= fraction · M(0, n]
 *                 (003 §III: "wherever a set of layers require 70% of
 *                 memory from the complete network")
 *   layer-share   the largest s with s <= fraction · n, i.e. floor(fraction·n)
 *                 (003 §II: "the user decides the percentage of layers to
 *                 run on the edge")
 *
 * Exit placement puts up to K <= 3 exits among the L candidates of a part
 * (positions 1..L, in execution order; K' = min(K, L) are placed):
 *
 *   linear  p_j = ceil(j·L / (K'+1)), j = 1..K'   (L = 8, K = 3: 2, 4, 6)
 *   pareto  p_j = ceil(F⁻¹(j/(K'+1))) with F the CDF of a Pareto II (Lomax)
 *           distribution of shape a and scale 1 truncated to [0, L]: the
 *           uniform on [0, L] of linear placement replaced by a Pareto
 *           (y − 1 for y ~ Pareto(1, a) on [1, L+1]):
 *             F(x) = (1 − (1+x)^−a) / (1 − (1+L)^−a),
 *             F⁻¹(u) = (1 − u(1 − (1+L)^−a))^(−1/a) − 1;
 *           a = log 5 / log 4 ≈ 1.161 is the 80-20 shape (the top 20% hold
 *           80%, 003 ref. [22]).  Its quantiles crowd the start of the part,
 *           so equal positions are pushed apart: p_j = max(p_j, p_{j−1} + 1, 1),
 *           then p_j = min(p_j, L − K' + j); positions stay sorted, distinct
 *           and in 1..L.  At the 80-20 shape this is 1, 2, 3 for every
 *           L <= 1000; smaller shapes spread the exits (a = 0.2, L = 20:
 *           1, 3, 8).
 *
 * Everything here is O(n) to build and O(log n) per rule.
 */
#ifndef HISIM_SPLIT_H
#define HISIM_SPLIT_H

#include <stddef.h>
#include "traces/error.h"
#include "traces/layers.h"
#include "traces/trace.h"

#define SPLIT_MAX_PER_PART 3
#define SPLIT_PARETO_8020 1.1609640474436813   /* log 5 / log 4 */

enum split_rule { SPLIT_LATENCY = 0, SPLIT_MEMORY_SHARE, SPLIT_LAYER_SHARE };
enum split_placement { SPLIT_PLACE_LINEAR = 0, SPLIT_PLACE_PARETO };

/* NULL-terminated names, indexed by the enums: "latency", "memory-share",
 * "layer-share"; "linear", "pareto". */
extern const char *const split_rule_names[];
extern const char *const split_placement_names[];

/* The backbone view of a profile. */
struct split_net {
    const struct hi_layers *L;   /* borrowed, read-only */
    size_t n;                    /* backbone layers */
    size_t *row;                 /* row[j-1]: 1-based profile layer of backbone layer j */
    double *cum_ms;              /* [n+1]: backbone time of layers 1..j at speed 1 */
    double *mem;                 /* [n+1]: mem[j] = M(0, j] */
    size_t n_side;               /* side exits, in execution order */
    size_t *side_exit;           /* profile exit number (k of ee<k>) of side exit c */
    size_t *side_at;             /* backbone layer side exit c hangs after, 0..n */
    double *side_ms;             /* time of side exit c's own rows at speed 1 */
    size_t final_exit;           /* k when ee<k> is the final classifier, else 0 */
};

/* Builds the view; HI_EINPUT when the profile has no backbone layer or no
 * cpu_ms column, HI_EINTERNAL out of memory.  net->L = L must outlive it. */
int split_net_init(struct split_net *net, const struct hi_layers *L, struct hi_error *err);
void split_net_free(struct split_net *net);

/* Backbone time (ms) of layers (a, b] at a speed factor. */
double split_net_ms(const struct split_net *net, size_t a, size_t b, double speed);
/* Bytes leaving backbone layer j; j = 0: the profile's input tensor. */
double split_net_out_bytes(const struct split_net *net, size_t j);
/* M(a, b]: 4 bytes per parameter of backbone layers a+1..b plus the largest
 * of split_net_out_bytes(a) and their outputs; 0 when a = b.  O(b − a). */
double split_net_memory(const struct split_net *net, size_t a, size_t b);
/* Bytes sent at split point s: the raw sample at s = 0 (layers.h
 * raw_bytes: a cloud-only device sends the image, not a float tensor),
 * else the output of backbone layer s. */
double split_net_sent_bytes(const struct split_net *net, size_t s);

/* The rules on nondecreasing prefix arrays c[0..n] (c[0] = 0); O(log n). */
size_t split_latency(const double *cum_ms, size_t n, double edge_speed, double cloud_speed);
size_t split_memory_share(const double *mem, size_t n, double fraction);
size_t split_layer_share(size_t n, double fraction);

/* Places min(k, l) exits among l candidates; writes 1-based positions to
 * pos[0..] and returns their count.  k <= SPLIT_MAX_PER_PART; shape > 0. */
size_t split_place(enum split_placement how, size_t l, size_t k, double shape, size_t *pos);

struct split_params {
    enum split_rule rule;
    double fraction;             /* memory-share, layer-share: in [0, 1] */
    double edge_speed;           /* > 0: the edge runs the profile's times / edge_speed */
    double cloud_speed;          /* > 0 */
    enum split_placement placement;
    size_t per_part;             /* K in 0..3 */
    double pareto_shape;         /* a > 0 */
};

/* Defaults: memory-share 0.7 (003 §III), speeds 1, linear, 3 per part,
 * the 80-20 shape. */
void split_params_defaults(struct split_params *p);

/* A split and the exits placed in each part. */
struct split_plan {
    size_t s;                                /* backbone layers on the edge */
    size_t cand_edge, cand_cloud;            /* side exits (candidates) per part */
    size_t n_edge, n_cloud;                  /* placed exits per part */
    size_t edge[SPLIT_MAX_PER_PART];         /* side exit indices c (0-based), in order */
    size_t cloud[SPLIT_MAX_PER_PART];
};

/* The split point of the rule. */
size_t split_point(const struct split_net *net, const struct split_params *p);

/* The split point and the placed exits of both parts. */
void split_plan_make(const struct split_net *net, const struct split_params *p, struct split_plan *plan);

/* Memory (bytes) of a part with its placed exits: M of its backbone layers
 * plus 4 bytes per parameter of each placed exit's rows (their tensors are
 * smaller than the backbone's they hang from, and are not counted). */
double split_part_memory(const struct split_net *net, const struct split_plan *plan, int cloud);

/*
 * One sample through a plan, as 003 §II infers: "EdgeLessPart infers in
 * the edge first.  In case the local EEs do not yield accuracy greater
 * than c_thr, it will offload to the cloud, where the next network part
 * will continue as it happens in the edge."  The edge part runs its
 * backbone and, at each placed exit in order, that exit's own rows; the
 * first exit whose confidence is > c_thr (strictly) answers.  Otherwise the
 * output of layer s is sent and the cloud part runs the same way; the
 * final classifier always answers.  Times are compute only, at the
 * parts' speeds (the network is the caller's).
 *
 * Profile exit k reads trace columns ee<k>_conf and ee<k>_pred; the final
 * classifier is ee<final_exit>_pred, or lml_pred when the profile's last
 * layer is not an exit.
 */
struct split_outcome {
    int offloaded;               /* 1: the cloud part ran */
    size_t exit;                 /* the profile exit that answered (0: the final
                                    classifier of a profile without a named one) */
    int final;                   /* 1: the final classifier answered */
    int pred;                    /* its prediction */
    double edge_ms, cloud_ms;    /* compute of each part */
    double sent_bytes;           /* uplink payload (0 unless offloaded) */
    double answer_bytes;         /* the answering exit's output tensor (the cloud's egress) */
};

/* 0, or HI_EINPUT when the trace lacks an exit column the plan reads. */
int split_check_trace(const struct split_net *net, const struct split_plan *plan, const struct hi_trace *t,
                      struct hi_error *err);
void split_walk(const struct split_net *net, const struct split_plan *plan, const struct split_params *p,
                const struct hi_trace *t, size_t row, double c_thr, struct split_outcome *o);

#endif
