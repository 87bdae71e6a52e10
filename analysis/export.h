/*
 * export.h — stored runs and sweeps as CSV or JSON.
 *
 * A sweep in long format has one row per finished run, in grid order:
 *   sweep, point, <one column per axis key, named as the key>,
 *   replication, seed, <every metric>
 * The summary has one row per point:
 *   sweep, point, <axis keys>, n, then <metric>_mean, <metric>_sd,
 *   <metric>_ci95 for every metric (95% Student-t half-width; see
 *   analysis/sweepdata.h).
 * A run is its fields and metrics, then its series (CSV: "# key: value"
 * lines, then series,idx,x,y rows).
 *
 * Numbers are the shortest decimal that reads back to the same double
 * (at most 17 significant digits), so a CSV read back gives the stored
 * values exactly; a missing value is an empty CSV field or JSON null.
 * CSV follows RFC 4180: a field with a comma, quote or line break is
 * quoted, quotes doubled.  JSON is an array of flat objects (a run: one
 * object), one per line.
 */
#ifndef HISIM_EXPORT_H
#define HISIM_EXPORT_H

#include <stdio.h>
#include <stdint.h>

#include "analysis/store.h"
#include "analysis/sweepdata.h"

enum export_format { EXPORT_CSV, EXPORT_JSON };

int export_sweep(FILE *f, const struct sweepdata *d, enum export_format fmt, struct hi_error *err);
int export_summary(FILE *f, const struct sweepdata *d, enum export_format fmt, struct hi_error *err);
int export_run(FILE *f, struct store *st, int64_t id, enum export_format fmt, struct hi_error *err);

/* Writes s as one CSV field. */
void export_csv_field(FILE *f, const char *s);

#endif
