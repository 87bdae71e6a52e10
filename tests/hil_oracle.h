/*
 * hil_oracle.h — a naive reference for the exponential weights of
 * HIL-F / Batch HI / HIL-N (policies/expweights.h), for the tests.
 *
 * It keeps one explicit log-weight per interval, in long double, over the
 * intervals of the model definition: v_1 < … < v_k the distinct
 * confidences, I_0 = [0, v_1], I_j = (v_j, v_{j+1}], I_k = (v_k, 1]
 * (zero length allowed: log mass −inf).  θ ∈ I_j offloads p = v_m iff
 * j ≥ m.  Updates apply the full losses to every interval (no common
 * factor dropped, no renormalisation).  O(k) per call.
 */
#ifndef HISIM_TESTS_HIL_ORACLE_H
#define HISIM_TESTS_HIL_ORACLE_H

#include <stddef.h>

struct hil_oracle;

struct hil_oracle *hil_oracle_new(const double *p, size_t n);
void hil_oracle_free(struct hil_oracle *o);

/* ∫_{θ>p} w / ∫_0^1 w. */
double hil_oracle_q(const struct hil_oracle *o, double p);

/* w(θ) *= exp(−η ℓ(θ)), ℓ = loss_offload for θ > p, loss_accept otherwise;
 * also adds ℓ to each interval's cumulative loss. */
void hil_oracle_update(struct hil_oracle *o, double p, double loss_offload,
                       double loss_accept, double eta);

/* q from the cumulative losses alone, as if every update had used this
 * one η: log w = −η·L rounded once, so when the losses are multiples of a
 * power of two (their sums then exact) this is exact to long double
 * rounding however long the run. */
double hil_oracle_q_from_loss(const struct hil_oracle *o, double p, double eta);

/* log ∫_0^1 w. */
double hil_oracle_log_total(const struct hil_oracle *o);

/* The smallest cumulative loss of an interval of positive length: the
 * best θ ∈ [0, 1] in hindsight, up to the measure-zero points. */
double hil_oracle_best_loss(const struct hil_oracle *o);

#endif
