/*
 * expweights.h — exponential weights over the continuous experts θ ∈ [0, 1]
 * of the threshold rule "offload iff p < θ" (HIL-F, Batch HI, HIL-N).
 *
 * Every loss the learners see depends on θ only through which side of p
 * it lies, so the weight w(θ) stays piecewise constant between the sorted
 * distinct values 0 = b_0 < b_1 < … < b_K = 1 of {0, p_1 .. p_n, 1} (the
 * trace's confidences).  Leaf j holds the interval (b_j, b_{j+1}] (leaf 0
 * is [0, b_1]); a confidence p = b_m is offloaded by exactly the θ in the
 * leaves j ≥ m, and accepted by the leaves j < m (θ = p accepts).  A
 * confidence equal to 1 is offloaded by no θ ∈ [0, 1].  Because the b_j
 * are distinct no leaf has zero length; confidences equal to 0 or 1 simply
 * coincide with the end points.
 *
 * Up to a factor common to every θ (it cancels in q), an update
 * multiplies the offload side j ≥ m by g = exp(−η (ℓ_off − ℓ_acc)), so
 * with F[m] the product of the g applied at m, leaf j weighs
 * |I_j|·Π_{i≤j} F[i]: updates are point updates of F, and a segment tree
 * of prefix products and sums answers q in one walk (expweights.c has
 * the details).  Numbers carry a 64-bit exponent, so 10^7 rounds at
 * η = 10 (weights down to exp(−10^8)) underflow nowhere; the leaves' F
 * are double-doubles, so q stays within ~1e-15 of its exact value however
 * long the run (docs/online-learning.md).
 *
 * Complexity: expw_new O(n log n) time and 64·S + 32·K + 8·n bytes (S the
 * power of two ≥ K, and a row-to-interval table); expw_q_offload and
 * expw_update O(log K) (binary search plus one root-to-leaf path; the _at
 * forms skip the search), about 0.15 µs each at K = 10^4.
 */
#ifndef HISIM_EXPWEIGHTS_H
#define HISIM_EXPWEIGHTS_H

#include <stddef.h>

struct expw;

/* Weights w ≡ 1 over [0, 1], cut at the distinct values of p[0..n) (each
 * in [0, 1]).  NULL when memory runs out. */
struct expw *expw_new(const double *p, size_t n);
void expw_free(struct expw *w);

/* K: the number of intervals (leaves). */
size_t expw_intervals(const struct expw *w);

/* The index m with b_m = p, found by binary search; p must be one of the
 * confidences given to expw_new (a programming error otherwise). */
size_t expw_locate(const struct expw *w, double p);

/* The index m of p[row] as given to expw_new: a table lookup, O(1). */
size_t expw_index_of_row(const struct expw *w, size_t row);

/* q = ∫_{θ>p} w / ∫_0^1 w, in [0, 1]: the probability with which the
 * exponentially weighted forecaster offloads p.  O(log K). */
double expw_q_offload(struct expw *w, double p);
/* The same for p = b_m (m from expw_locate or expw_index_of_row). */
double expw_q_offload_at(struct expw *w, size_t m);

/* w(θ) *= exp(−η·ℓ(θ)) with ℓ(θ) = loss_offload for θ > p and
 * loss_accept for θ ≤ p.  The losses and η must be finite, η ≥ 0.
 * O(log K). */
void expw_update(struct expw *w, double p, double loss_offload, double loss_accept,
                 double eta);
/* The same for p = b_m. */
void expw_update_at(struct expw *w, size_t m, double loss_offload, double loss_accept,
                    double eta);

/* log ∫_0^1 w, common factors included, for diagnostics and tests. */
double expw_log_total(const struct expw *w);

#endif
