/*
 * trace.h — a recorded inference trace (format v1), held as columns.
 *
 * A trace is what a small model (S-ML) and a large model (L-ML) output on
 * every sample of a test set.  It is read once, validated, and then shared
 * read-only by every run that uses it (struct of arrays: one array per
 * column, row i is sample i).  Format v1 (docs/trace-format.md):
 *
 *   # key: value            metadata lines, before the header
 *   label,sml_pred,sml_conf,lml_pred[,optional columns]
 *
 * Columns are matched by name in any order; unknown columns are skipped
 * and listed in `unknown` so the caller can warn.  Loading is O(n·columns).
 */
#ifndef HISIM_TRACE_H
#define HISIM_TRACE_H

#include <stddef.h>
#include <stdio.h>
#include "traces/confsort.h"
#include "traces/error.h"
#include "traces/sha256.h"

#define TRACE_MAX_EXITS 8
#define TRACE_MAX_CLASSES 4096

struct hi_trace_meta {
    char *key;
    char *value;
};

struct hi_trace {
    char *path;              /* as given to trace_load */
    char sha256[SHA256_HEX]; /* of the file's bytes ("" when not loaded from a file) */
    size_t n;                /* samples */

    /* required */
    int *label;
    int *sml_pred;
    double *sml_conf;        /* p_i, max softmax of the S-ML */
    int *lml_pred;

    /* derived: 1 when the model's prediction differs from the label */
    unsigned char *y_sml;
    unsigned char *y_lml;

    /* optional; NULL when the column is absent */
    long *id;                /* NULL: the row index is the id */
    double *sml_p2;
    double *sml_prob;        /* n × n_classes, row-major */
    size_t n_classes;        /* columns sml_prob_0 .. sml_prob_{K-1} */
    double *lml_conf;
    double *bytes;
    unsigned char *relevant;
    double *t_arrival;
    size_t n_exits;          /* ee1 .. ee{n_exits}, both _conf and _pred */
    double *ee_conf[TRACE_MAX_EXITS];
    int *ee_pred[TRACE_MAX_EXITS];
    double *ee_p2[TRACE_MAX_EXITS];   /* ee<k>_p2, second-largest softmax of exit k; optional */

    struct hi_trace_meta *meta;
    size_t n_meta;
    /* owned by a view (trace_view_confidence), else NULL */
    double *view_conf;
    int *view_pred;
    unsigned char *view_y;
    char *unknown;           /* comma-separated unknown column names, or NULL */
    /* sml_conf sorted (traces/confsort.h): built by trace_load and
     * trace_parse, shared by the runs and views on sml_conf; NULL for a
     * trace built in memory and in a view onto another column */
    struct confsort *sorted;
};

/* Reads and validates a trace; NULL on failure with err filled
 * ("file:line:col: what was expected"). */
struct hi_trace *trace_load(const char *path, struct hi_error *err);

/* The same for a file's bytes held in memory: buf[0..len) with
 * buf[len] = '\0', malloc'd; trace_parse takes it over (frees it) and
 * names the trace `path` in messages. */
struct hi_trace *trace_parse(const char *path, char *buf, size_t len, struct hi_error *err);

/* An empty trace of n rows with the required columns allocated, for
 * generators and tests.  Optional columns are added by the caller with
 * trace_add_column. */
struct hi_trace *trace_new(size_t n);

enum trace_column {
    TRACE_COL_ID, TRACE_COL_SML_P2, TRACE_COL_LML_CONF, TRACE_COL_BYTES,
    TRACE_COL_RELEVANT, TRACE_COL_T_ARRIVAL
};
/* Allocates (zeroed) an optional column; 0 or HI_EINTERNAL. */
int trace_add_column(struct hi_trace *t, enum trace_column c);

/* Fills y_sml and y_lml from label and predictions. */
void trace_derive(struct hi_trace *t);

/* Sets a metadata entry (copied; replaces an existing key). */
int trace_set_meta(struct hi_trace *t, const char *key, const char *value);
const char *trace_meta(const struct hi_trace *t, const char *key);

/* A read-only view of t in which `column` is the confidence p that the
 * policies and the cost model see, with the predictions of the same
 * model: ee<k>_conf brings ee<k>_pred (and whether it is right),
 * lml_conf brings lml_pred; sml_p2 and sml_prob_<k> are further scores
 * of the S-ML and keep sml_pred.  The view shares t's columns and owns
 * only what it replaces: free it with trace_view_free, and t outlives
 * it.  HI_EINPUT when the trace has no such column. */
int trace_view_confidence(const struct hi_trace *t, const char *column, struct hi_trace *view,
                          struct hi_error *err);
void trace_view_free(struct hi_trace *view);

/* Writes format v1; 0 or HI_EINTERNAL with err filled. */
int trace_write(const struct hi_trace *t, const char *path, struct hi_error *err);
/* The same into an open stream; the caller checks ferror and fclose. */
void trace_write_stream(const struct hi_trace *t, FILE *f);

/* Accuracy of the S-ML and of the L-ML over all rows. */
double trace_sml_accuracy(const struct hi_trace *t);
double trace_lml_accuracy(const struct hi_trace *t);

/* The id of row i. */
static inline long
trace_id(const struct hi_trace *t, size_t i)
{
    return t->id ? t->id[i] : (long)i;
}

void trace_free(struct hi_trace *t);

#endif
