/*
 * summary.h — a run's figures as named metrics, printed as text or JSON.
 *
 * `hisim run` and `hisim show` print through the same functions, one from
 * the engine's result and one from the metrics read back from the store,
 * so the two always agree.
 */
#ifndef HISIM_SUMMARY_H
#define HISIM_SUMMARY_H

#include <stdio.h>
#include <stdint.h>

#include "analysis/store.h"
#include "sim/engine.h"

#define SUMMARY_MAX_METRICS 48

/* Fills m (SUMMARY_MAX_METRICS entries) from a result; returns the count. */
size_t summary_metrics(const struct engine_result *r, struct store_metric *m);

#define SUMMARY_MAX_SERIES 8

/* Fills s with the run's curves (they point into r); returns the count:
 * regret, expected_cost, cost and best_fixed_cost against t. */
size_t summary_series(const struct engine_result *r, struct store_series *s);

/* Where λ_min comes from, in words: the rounding step of the printed
 * confidences (when λ_min = 10^-decimals, decimals from
 * cost_conf_decimals) or the smallest gap between them. */
void summary_lambda_source(double lambda_min, double decimals, char *buf, size_t len);

/* Prints a stored (or just stored) run. */
void summary_print_text(FILE *f, const struct store_loaded *run);
void summary_print_json(FILE *f, const struct store_loaded *run);

#endif
