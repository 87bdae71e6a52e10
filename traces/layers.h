/*
 * layers.h — a layer profile: per-layer work, size and time of one DNN.
 *
 * A profile is read once and then shared read-only (struct of arrays: row
 * i - 1 is layer i, in execution order).  Format (docs/trace-format.md,
 * "Layer profiles"), the CSV of traces/fmnist/profile-*.csv:
 *
 *   # key: value            metadata; `input:` gives the input tensor's
 *                           "(N bytes)" and the "raw image N bytes"
 *   index,name,type,flops,params,output_bytes,cpu_ms[,energy_mj][,others]
 *
 * Columns are matched by name in any order; unknown ones are listed in
 * `unknown` for the caller to warn about.  cpu_ms may be absent (a
 * profile whose times are to be predicted, traces/layerfit.h): then
 * has_cpu_ms is 0 and cpu_ms and cum_ms hold NaN.  Rows named ee<k>.*
 * are the layers of early exit k (BranchyNet order: an exit's rows follow
 * the backbone block it hangs from).
 *
 * Layer numbers are 1-based: layers (a, b] are rows a .. b - 1; k = 0 is
 * the input.  Every query is O(1) except layers_exit_direct_ms and
 * layers_memory_bytes, O(b - a).
 */
#ifndef HISIM_LAYERS_H
#define HISIM_LAYERS_H

#include <stddef.h>
#include "traces/error.h"

struct hi_layers {
    char *path;
    size_t n;                 /* layers, in execution order */
    char **name, **type;      /* per layer */
    double *flops, *params, *output_bytes, *cpu_ms;   /* per layer; cpu_ms in ms as in the file */
    double input_bytes;       /* tensor entering layer 1 (metadata `input:` ... (N bytes)) */
    double raw_bytes;         /* raw sample bytes (metadata `raw image N bytes`), else input_bytes */
    double *cum_ms;           /* cum_ms[k] = sum of cpu_ms of layers 1..k, k = 0..n (cum_ms[0] = 0) */
    size_t n_exits;           /* early exits found from layer names "ee<k>.*" */
    size_t *exit_end;         /* exit_end[k-1] = 1-based index of the last row named ee<k>.* */

    /* beyond the shared contract */
    int has_cpu_ms;           /* 0: the file has no cpu_ms column (NaN times) */
    double *energy_mj;        /* per layer, from an `energy_mj` column; NULL when absent */
    unsigned *exit_of;        /* per layer: k for a row named ee<k>.*, 0 for the backbone */
    char **meta_key, **meta_value;   /* metadata lines, in file order */
    size_t n_meta;
    char *unknown;            /* comma-separated unknown column names, or NULL */
};

int  layers_load(struct hi_layers *L, const char *path, struct hi_error *err); /* HI_EINPUT, file:line:col */
void layers_free(struct hi_layers *L);

/* device time (ms) to run layers (a, b] at speed factor s: (cum_ms[b] - cum_ms[a]) / s */
double layers_ms(const struct hi_layers *L, size_t a, size_t b, double speed);

/* bytes leaving layer k (k = 0: input_bytes) */
double layers_out_bytes(const struct hi_layers *L, size_t k);

/* time (ms) to reach exit k when every earlier exit was evaluated on the way (staged decisions):
   all rows 1..exit_end[k-1] */
double layers_exit_ms(const struct hi_layers *L, size_t k, double speed);

/* time (ms) to reach exit k directly: backbone rows up to exit_end[k-1] plus exit k's own rows,
   skipping the rows of other exits (names ee<j>.*, j != k) */
double layers_exit_direct_ms(const struct hi_layers *L, size_t k, double speed);

/* Memory (bytes) to hold layers (a, b]: 4 bytes (float32) per parameter of
 * those layers, plus the largest single tensor among the part's input
 * (layers_out_bytes(a)) and the outputs of layers a+1 .. b.  A lower bound:
 * it assumes a runtime that frees each tensor once consumed and reuses
 * buffers; the exact rule is in docs/trace-format.md. */
double layers_memory_bytes(const struct hi_layers *L, size_t a, size_t b);

/* The value of metadata key `key`, or NULL. */
const char *layers_meta(const struct hi_layers *L, const char *key);

/* Replaces the per-layer times (ms, n values >= 0) and recomputes cum_ms;
 * for profiles whose times come from a fit (traces/layerfit.h). */
void layers_set_cpu_ms(struct hi_layers *L, const double *ms);

#endif
