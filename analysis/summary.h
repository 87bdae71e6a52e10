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

#define SUMMARY_MAX_METRICS 64

/* Fills m (SUMMARY_MAX_METRICS entries) from a result; returns the count. */
size_t summary_metrics(const struct engine_result *r, struct store_metric *m);

#define SUMMARY_MAX_SERIES 16

/* Fills s with the run's curves (they point into r); returns the count:
 * regret, expected_cost, cost and best_fixed_cost against t. */
/* Fills s (SUMMARY_MAX_SERIES entries): the curves, and with several
 * devices one series per device figure over the device index, whose
 * arrays live in *scratch (free it after storing). */
size_t summary_series(const struct engine_result *r, struct store_series *s, double **scratch);
/* The per-device figures of a stored run (none for a one-device run). */
int summary_load_devices(struct store *st, int64_t id, struct engine_device **out, size_t *n,
                         struct hi_error *err);

/* Prints a stored (or just stored) run. */
void summary_print_text(FILE *f, const struct store_loaded *run);
/* dev: per-device figures to print under "devices", or NULL. */
void summary_print_json(FILE *f, const struct store_loaded *run, const struct engine_device *dev, size_t n_dev);

#endif
