/*
 * trace.c — reader and writer of trace format v1.
 *
 * Grammar accepted (one record per line, LF or CRLF):
 *
 *   trace   := meta* blank* header (row | blank | comment)*
 *   meta    := '#' ' '* key ':' ' '* value      (before the header only)
 *   header  := name (',' name)*
 *   row     := cell (',' cell)*                  (as many cells as names)
 *   comment := '#' anything                      (after the header: skipped)
 *
 * Cells are plain numbers; quoting is not part of the format.  The whole
 * file is read into memory (traces/csv.h), rows are counted, then parsed
 * in one pass.
 */
#include "traces/trace.h"

#include "traces/csv.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum col_kind {
    K_UNKNOWN, K_LABEL, K_SML_PRED, K_SML_CONF, K_LML_PRED, K_ID, K_SML_P2,
    K_PROB, K_LML_CONF, K_BYTES, K_RELEVANT, K_T_ARRIVAL, K_EE_CONF, K_EE_PRED, K_EE_P2
};

struct col {
    enum col_kind kind;
    size_t k;              /* class index (K_PROB) or exit index 0-based */
    const char *name;      /* points into the file buffer */
};

static char *
xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static int
parse_suffix(const char *name, const char *prefix, const char *suffix, size_t *k)
{
    size_t lp = strlen(prefix), ls = strlen(suffix), ln = strlen(name);
    const char *p;
    char *end;
    unsigned long v;

    if (ln <= lp + ls || strncmp(name, prefix, lp) != 0 || strcmp(name + ln - ls, suffix) != 0)
        return 0;
    p = name + lp;
    if (!isdigit((unsigned char)*p))
        return 0;
    errno = 0;
    v = strtoul(p, &end, 10);
    if (errno || end != name + ln - ls)
        return 0;
    *k = v;
    return 1;
}

static void
classify(struct col *c)
{
    static const struct { const char *name; enum col_kind kind; } fixed[] = {
        {"label", K_LABEL}, {"sml_pred", K_SML_PRED}, {"sml_conf", K_SML_CONF},
        {"lml_pred", K_LML_PRED}, {"id", K_ID}, {"sml_p2", K_SML_P2},
        {"lml_conf", K_LML_CONF}, {"bytes", K_BYTES}, {"relevant", K_RELEVANT},
        {"t_arrival", K_T_ARRIVAL},
    };
    size_t i, k;

    c->kind = K_UNKNOWN;
    for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(c->name, fixed[i].name) == 0) {
            c->kind = fixed[i].kind;
            return;
        }
    if (parse_suffix(c->name, "sml_prob_", "", &k) && k < TRACE_MAX_CLASSES) {
        c->kind = K_PROB;
        c->k = k;
    } else if (parse_suffix(c->name, "ee", "_conf", &k) && k >= 1 && k <= TRACE_MAX_EXITS) {
        c->kind = K_EE_CONF;
        c->k = k - 1;
    } else if (parse_suffix(c->name, "ee", "_pred", &k) && k >= 1 && k <= TRACE_MAX_EXITS) {
        c->kind = K_EE_PRED;
        c->k = k - 1;
    } else if (parse_suffix(c->name, "ee", "_p2", &k) && k >= 1 && k <= TRACE_MAX_EXITS) {
        c->kind = K_EE_P2;
        c->k = k - 1;
    }
}

static void *
zalloc(size_t n, size_t size)
{
    return calloc(n ? n : 1, size);
}

struct hi_trace *
trace_new(size_t n)
{
    struct hi_trace *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->n = n;
    t->label = zalloc(n, sizeof *t->label);
    t->sml_pred = zalloc(n, sizeof *t->sml_pred);
    t->sml_conf = zalloc(n, sizeof *t->sml_conf);
    t->lml_pred = zalloc(n, sizeof *t->lml_pred);
    t->y_sml = zalloc(n, 1);
    t->y_lml = zalloc(n, 1);
    if (!t->label || !t->sml_pred || !t->sml_conf || !t->lml_pred || !t->y_sml || !t->y_lml) {
        trace_free(t);
        return NULL;
    }
    return t;
}

int
trace_add_column(struct hi_trace *t, enum trace_column c)
{
    void **slot = NULL;
    size_t size = 0;

    switch (c) {
    case TRACE_COL_ID: slot = (void **)&t->id; size = sizeof *t->id; break;
    case TRACE_COL_SML_P2: slot = (void **)&t->sml_p2; size = sizeof(double); break;
    case TRACE_COL_LML_CONF: slot = (void **)&t->lml_conf; size = sizeof(double); break;
    case TRACE_COL_BYTES: slot = (void **)&t->bytes; size = sizeof(double); break;
    case TRACE_COL_RELEVANT: slot = (void **)&t->relevant; size = 1; break;
    case TRACE_COL_T_ARRIVAL: slot = (void **)&t->t_arrival; size = sizeof(double); break;
    }
    if (!slot)
        return HI_EINTERNAL;
    if (!*slot)
        *slot = zalloc(t->n, size);
    return *slot ? HI_OK : HI_EINTERNAL;
}

void
trace_derive(struct hi_trace *t)
{
    size_t i;
    for (i = 0; i < t->n; i++) {
        t->y_sml[i] = t->sml_pred[i] != t->label[i];
        t->y_lml[i] = t->lml_pred[i] != t->label[i];
    }
}

int
trace_set_meta(struct hi_trace *t, const char *key, const char *value)
{
    size_t i;
    char *v = xstrdup(value);
    if (!v)
        return HI_EINTERNAL;
    for (i = 0; i < t->n_meta; i++)
        if (strcmp(t->meta[i].key, key) == 0) {
            free(t->meta[i].value);
            t->meta[i].value = v;
            return HI_OK;
        }
    {
        struct hi_trace_meta *m = realloc(t->meta, (t->n_meta + 1) * sizeof *m);
        char *k = xstrdup(key);
        if (!m || !k) {
            free(v);
            free(k);
            if (m)
                t->meta = m;
            return HI_EINTERNAL;
        }
        t->meta = m;
        m[t->n_meta].key = k;
        m[t->n_meta].value = v;
        t->n_meta++;
    }
    return HI_OK;
}

const char *
trace_meta(const struct hi_trace *t, const char *key)
{
    size_t i;
    for (i = 0; i < t->n_meta; i++)
        if (strcmp(t->meta[i].key, key) == 0)
            return t->meta[i].value;
    return NULL;
}

static int
alloc_columns(struct hi_trace *t, const struct col *cols, size_t nc, struct hi_error *err)
{
    size_t j;
    int has_prob = 0;
    for (j = 0; j < nc; j++) {
        int rc = HI_OK;
        switch (cols[j].kind) {
        case K_ID: rc = trace_add_column(t, TRACE_COL_ID); break;
        case K_SML_P2: rc = trace_add_column(t, TRACE_COL_SML_P2); break;
        case K_LML_CONF: rc = trace_add_column(t, TRACE_COL_LML_CONF); break;
        case K_BYTES: rc = trace_add_column(t, TRACE_COL_BYTES); break;
        case K_RELEVANT: rc = trace_add_column(t, TRACE_COL_RELEVANT); break;
        case K_T_ARRIVAL: rc = trace_add_column(t, TRACE_COL_T_ARRIVAL); break;
        case K_PROB: has_prob = 1; break;
        case K_EE_CONF:
            if (!t->ee_conf[cols[j].k] && !(t->ee_conf[cols[j].k] = zalloc(t->n, sizeof(double))))
                rc = HI_EINTERNAL;
            break;
        case K_EE_PRED:
            if (!t->ee_pred[cols[j].k] && !(t->ee_pred[cols[j].k] = zalloc(t->n, sizeof(int))))
                rc = HI_EINTERNAL;
            break;
        case K_EE_P2:
            if (!t->ee_p2[cols[j].k] && !(t->ee_p2[cols[j].k] = zalloc(t->n, sizeof(double))))
                rc = HI_EINTERNAL;
            break;
        default: break;
        }
        if (rc)
            return error_set(err, HI_EINTERNAL, "%s: out of memory", t->path);
    }
    if (has_prob && !(t->sml_prob = zalloc(t->n * t->n_classes, sizeof(double))))
        return error_set(err, HI_EINTERNAL, "%s: out of memory", t->path);
    return HI_OK;
}

/* Checks the header: required columns present, no duplicates, complete
 * sml_prob_* and ee* families.  Fills n_classes and n_exits. */
static int
check_header(struct hi_trace *t, struct col *cols, size_t nc, size_t hline, struct hi_error *err)
{
    static const struct { enum col_kind kind; const char *name; } req[] = {
        {K_LABEL, "label"}, {K_SML_PRED, "sml_pred"}, {K_SML_CONF, "sml_conf"}, {K_LML_PRED, "lml_pred"},
    };
    unsigned char seen_prob[TRACE_MAX_CLASSES] = {0};
    unsigned char seen_ee[TRACE_MAX_EXITS][2] = {{0}};
    size_t j, i, unknown_len = 0, k;

    for (j = 0; j < nc; j++) {
        for (i = 0; i < j; i++)
            if (strcmp(cols[i].name, cols[j].name) == 0)
                return error_at(err, t->path, hline, 0, "column '%s' appears twice", cols[j].name);
        if (cols[j].kind == K_PROB) {
            seen_prob[cols[j].k] = 1;
            if (cols[j].k + 1 > t->n_classes)
                t->n_classes = cols[j].k + 1;
        } else if (cols[j].kind == K_EE_CONF || cols[j].kind == K_EE_PRED) {
            seen_ee[cols[j].k][cols[j].kind == K_EE_PRED] = 1;
            if (cols[j].k + 1 > t->n_exits)
                t->n_exits = cols[j].k + 1;
        } else if (cols[j].kind == K_UNKNOWN) {
            unknown_len += strlen(cols[j].name) + 1;
        }
    }
    for (i = 0; i < sizeof req / sizeof req[0]; i++) {
        for (j = 0; j < nc && cols[j].kind != req[i].kind; j++)
            ;
        if (j == nc)
            return error_at(err, t->path, hline, 0,
                            "missing required column '%s' (required: label, sml_pred, sml_conf, lml_pred)",
                            req[i].name);
    }
    for (k = 0; k < t->n_classes; k++)
        if (!seen_prob[k])
            return error_at(err, t->path, hline, 0,
                            "column 'sml_prob_%zu' is missing (sml_prob_0 .. sml_prob_%zu must all be present)",
                            k, t->n_classes - 1);
    for (j = 0; j < nc; j++)
        if (cols[j].kind == K_EE_P2 && cols[j].k >= t->n_exits)
            return error_at(err, t->path, hline, 0, "column '%s' has no exit: ee%zu_conf and ee%zu_pred are missing",
                            cols[j].name, cols[j].k + 1, cols[j].k + 1);
    for (k = 0; k < t->n_exits; k++)
        if (!seen_ee[k][0] || !seen_ee[k][1])
            return error_at(err, t->path, hline, 0,
                            "column 'ee%zu_%s' is missing (early exits need ee<k>_conf and ee<k>_pred for k = 1 .. %zu)",
                            k + 1, seen_ee[k][0] ? "pred" : "conf", t->n_exits);
    if (unknown_len) {
        t->unknown = malloc(unknown_len);
        if (!t->unknown)
            return error_set(err, HI_EINTERNAL, "out of memory");
        t->unknown[0] = '\0';
        for (j = 0; j < nc; j++)
            if (cols[j].kind == K_UNKNOWN) {
                if (t->unknown[0])
                    strcat(t->unknown, ",");
                strcat(t->unknown, cols[j].name);
            }
    }
    return HI_OK;
}

static int
bad_cell(const struct hi_trace *t, size_t line, size_t col, const struct col *c,
         const char *cell, const char *expected, struct hi_error *err)
{
    return error_at(err, t->path, line, col, "column '%s': expected %s, found '%.40s'",
                    c->name, expected, cell);
}

/* Parses one data row into row index r. */
static int
parse_row(struct hi_trace *t, char *line, size_t lineno, const struct col *cols, size_t nc,
          size_t r, struct hi_error *err)
{
    struct csv_cells cells;
    size_t j, p2col = 0, eep2col[TRACE_MAX_EXITS] = {0};
    /* the numbers as the file wrote them, for messages (not as doubles print) */
    const char *p2_text = "", *conf_text = "", *eep2_text[TRACE_MAX_EXITS] = {0}, *eec_text[TRACE_MAX_EXITS] = {0};

    csv_cells_init(&cells, line);
    for (j = 0; j < nc; j++) {
        size_t colno;
        char *cell = csv_cells_next(&cells, &colno);
        const struct col *c = &cols[j];
        double v;
        long iv;

        if (!cells.more && j + 1 < nc)
            return csv_too_few(err, t->path, lineno, cell, colno, nc, j + 1);

        switch (c->kind) {
        case K_UNKNOWN:
            break;
        case K_LABEL: case K_SML_PRED: case K_LML_PRED: case K_EE_PRED:
            if (csv_long(cell, &iv) || iv < 0 || iv > 2147483647L)
                return bad_cell(t, lineno, colno, c, cell, "a class index (integer >= 0)", err);
            if (c->kind == K_LABEL) t->label[r] = (int)iv;
            else if (c->kind == K_SML_PRED) t->sml_pred[r] = (int)iv;
            else if (c->kind == K_LML_PRED) t->lml_pred[r] = (int)iv;
            else t->ee_pred[c->k][r] = (int)iv;
            break;
        case K_ID:
            if (csv_long(cell, &iv))
                return bad_cell(t, lineno, colno, c, cell, "an integer", err);
            t->id[r] = iv;
            break;
        case K_RELEVANT:
            if (csv_long(cell, &iv) || (iv != 0 && iv != 1))
                return bad_cell(t, lineno, colno, c, cell, "0 or 1", err);
            t->relevant[r] = (unsigned char)iv;
            break;
        case K_SML_CONF: case K_SML_P2: case K_PROB: case K_LML_CONF: case K_EE_CONF: case K_EE_P2:
            if (csv_double(cell, &v))
                return bad_cell(t, lineno, colno, c, cell, "a number in [0, 1]", err);
            if (v < 0.0 || v > 1.0)
                return bad_cell(t, lineno, colno, c, cell, "a probability in [0, 1]", err);
            if (c->kind == K_SML_CONF) { t->sml_conf[r] = v; conf_text = cell; }
            else if (c->kind == K_SML_P2) { t->sml_p2[r] = v; p2col = colno; p2_text = cell; }
            else if (c->kind == K_PROB) t->sml_prob[r * t->n_classes + c->k] = v;
            else if (c->kind == K_LML_CONF) t->lml_conf[r] = v;
            else if (c->kind == K_EE_P2) { t->ee_p2[c->k][r] = v; eep2col[c->k] = colno; eep2_text[c->k] = cell; }
            else { t->ee_conf[c->k][r] = v; eec_text[c->k] = cell; }
            break;
        case K_BYTES: case K_T_ARRIVAL:
            if (csv_double(cell, &v) || v < 0.0)
                return bad_cell(t, lineno, colno, c, cell, "a number >= 0", err);
            if (c->kind == K_BYTES) t->bytes[r] = v;
            else t->t_arrival[r] = v;
            break;
        }
        if (!cells.more)
            break;
        if (j + 1 == nc)
            return csv_too_many(err, t->path, lineno, &cells, nc);
    }
    if (t->sml_p2 && t->sml_p2[r] > t->sml_conf[r])
        return error_at(err, t->path, lineno, p2col,
                        "sml_p2 = %.40s exceeds sml_conf = %.40s (the second-largest softmax cannot exceed the largest)",
                        p2_text, conf_text);
    for (j = 0; j < nc; j++)
        if (cols[j].kind == K_EE_P2 && t->ee_p2[cols[j].k][r] > t->ee_conf[cols[j].k][r])
            return error_at(err, t->path, lineno, eep2col[cols[j].k],
                            "%s = %.40s exceeds ee%zu_conf = %.40s (the second-largest softmax cannot exceed the largest)",
                            cols[j].name, eep2_text[cols[j].k] ? eep2_text[cols[j].k] : "", cols[j].k + 1,
                            eec_text[cols[j].k] ? eec_text[cols[j].k] : "");
    return HI_OK;
}

static struct hi_trace *parse(struct csv_file *f, const char *path, struct hi_error *err);

struct hi_trace *
trace_load(const char *path, struct hi_error *err)
{
    struct csv_file f;
    if (csv_read(&f, path, "trace", err))
        return NULL;
    return parse(&f, path, err);
}

struct hi_trace *
trace_parse(const char *path, char *buf, size_t len, struct hi_error *err)
{
    struct csv_file f;
    if (csv_from_buffer(&f, buf, len, err))
        return NULL;
    return parse(&f, path, err);
}

/* The trace in f's lines; closes f. */
static struct hi_trace *
parse(struct csv_file *fp, const char *path, struct hi_error *err)
{
    struct hi_trace *t = NULL;
    struct csv_file f = *fp;
    char **names = NULL, **lines;
    struct col *cols = NULL;
    size_t nlines, li, hline = 0, nc = 0, nrows = 0, r, j;

    lines = f.lines;
    nlines = f.n_lines;
    t = calloc(1, sizeof *t);
    if (!t || !(t->path = xstrdup(path))) {
        error_set(err, HI_EINTERNAL, "out of memory");
        goto fail;
    }
    memcpy(t->sha256, f.sha256, sizeof t->sha256);

    /* metadata, then the header */
    for (li = 0; li < nlines; li++) {
        char *s = lines[li], *key, *value;
        if (s[0] == '#') {
            if (csv_meta(s, &key, &value) && trace_set_meta(t, key, value)) {
                error_set(err, HI_EINTERNAL, "out of memory");
                goto fail;
            }
        } else if (!csv_is_blank(s)) {
            break;
        }
    }
    if (li == nlines) {
        error_at(err, path, nlines ? nlines : 1, 0, "empty trace: expected a header row (label,sml_pred,sml_conf,lml_pred,...)");
        goto fail;
    }
    hline = li + 1;
    if (!(names = csv_header(lines[li], &nc)) || !(cols = calloc(nc, sizeof *cols))) {
        error_set(err, HI_EINTERNAL, "out of memory");
        goto fail;
    }
    for (j = 0; j < nc; j++) {
        cols[j].name = names[j];
        classify(&cols[j]);
    }
    for (r = li + 1; r < nlines; r++)
        nrows += csv_is_row(lines[r]);
    if (check_header(t, cols, nc, hline, err))
        goto fail;
    if (nrows == 0) {
        error_at(err, path, hline, 0, "empty trace: the header is followed by no samples");
        goto fail;
    }
    {
        struct hi_trace *shell = trace_new(nrows);
        if (!shell) {
            error_set(err, HI_EINTERNAL, "out of memory");
            goto fail;
        }
        shell->path = t->path;
        memcpy(shell->sha256, t->sha256, sizeof shell->sha256);
        shell->meta = t->meta;
        shell->n_meta = t->n_meta;
        shell->unknown = t->unknown;
        shell->n_classes = t->n_classes;
        shell->n_exits = t->n_exits;
        free(t);
        t = shell;
    }
    if (alloc_columns(t, cols, nc, err))
        goto fail;
    for (r = 0, li = hline; li < nlines; li++) {
        if (!csv_is_row(lines[li]))
            continue;
        if (parse_row(t, lines[li], li + 1, cols, nc, r, err))
            goto fail;
        r++;
    }
    trace_derive(t);
    if (!(t->sorted = confsort_new(t->sml_conf, t->n))) {
        error_set(err, HI_EINTERNAL, "out of memory");
        goto fail;
    }
    free(cols);
    free(names);
    csv_close(&f);
    return t;

fail:
    free(cols);
    free(names);
    csv_close(&f);
    trace_free(t);
    return NULL;
}

int
trace_view_confidence(const struct hi_trace *t, const char *column, struct hi_trace *view,
                      struct hi_error *err)
{
    const double *src = NULL;
    const int *pred = NULL;
    size_t stride = 1, k;
    struct col c;

    *view = *t;
    view->view_conf = NULL;
    view->view_pred = NULL;
    view->view_y = NULL;
    c.name = column;
    classify(&c);
    if (strcmp(column, "sml_conf") == 0)
        return HI_OK;
    if (strcmp(column, "sml_p2") == 0)
        src = t->sml_p2;
    else if (strcmp(column, "lml_conf") == 0)
        src = t->lml_conf, pred = t->lml_pred;
    else if (c.kind == K_PROB && c.k < t->n_classes && t->sml_prob) {
        src = t->sml_prob + c.k;
        stride = t->n_classes;
    } else if (c.kind == K_EE_CONF && c.k < t->n_exits)
        src = t->ee_conf[c.k], pred = t->ee_pred[c.k];
    if (!src)
        return error_set(err, HI_EINPUT,
                         "trace.confidence: %s has no column '%s' (expected sml_conf, sml_p2, lml_conf, "
                         "sml_prob_<k> or ee<k>_conf of the trace)", t->path ? t->path : "the trace", column);
    view->view_conf = malloc(t->n * sizeof *view->view_conf);
    if (pred) {
        view->view_pred = malloc(t->n * sizeof *view->view_pred);
        view->view_y = malloc(t->n * sizeof *view->view_y);
    }
    if (!view->view_conf || (pred && (!view->view_pred || !view->view_y))) {
        trace_view_free(view);
        return error_set(err, HI_EINTERNAL, "out of memory (%zu rows)", t->n);
    }
    for (k = 0; k < t->n; k++)
        view->view_conf[k] = src[k * stride];
    view->sml_conf = view->view_conf;
    view->sorted = NULL;     /* t's sort is of sml_conf */
    if (pred) {
        /* the predictions of the same model: an answer accepted on
         * ee<k>_conf is exit k's answer */
        for (k = 0; k < t->n; k++) {
            view->view_pred[k] = pred[k];
            view->view_y[k] = pred[k] != t->label[k];
        }
        view->sml_pred = view->view_pred;
        view->y_sml = view->view_y;
        /* and its second-largest softmax: exit k's, or none (the L-ML) */
        view->sml_p2 = c.kind == K_EE_CONF ? t->ee_p2[c.k] : NULL;
    }
    return HI_OK;
}

void
trace_view_free(struct hi_trace *view)
{
    free(view->view_conf);
    free(view->view_pred);
    free(view->view_y);
    view->view_conf = NULL;
    view->view_pred = NULL;
    view->view_y = NULL;
}

static double
accuracy(const unsigned char *wrong, size_t n)
{
    size_t i, bad = 0;
    for (i = 0; i < n; i++)
        bad += wrong[i];
    return n ? 1.0 - (double)bad / (double)n : 0.0;
}

double trace_sml_accuracy(const struct hi_trace *t) { return accuracy(t->y_sml, t->n); }
double trace_lml_accuracy(const struct hi_trace *t) { return accuracy(t->y_lml, t->n); }

int
trace_write(const struct hi_trace *t, const char *path, struct hi_error *err)
{
    FILE *f = fopen(path, "w");
    int bad;
    if (!f)
        return error_set(err, HI_EINPUT, "%s: cannot write: %s", path, strerror(errno));
    trace_write_stream(t, f);
    bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return error_set(err, HI_EINTERNAL, "%s: write failed: %s", path, strerror(errno));
    return HI_OK;
}

void
trace_write_stream(const struct hi_trace *t, FILE *f)
{
    size_t i, k;

    fputs("# format: hisim-trace v1\n", f);
    for (i = 0; i < t->n_meta; i++)
        if (strcmp(t->meta[i].key, "format") != 0)
            fprintf(f, "# %s: %s\n", t->meta[i].key, t->meta[i].value);
    fputs("id,label,sml_pred,sml_conf,lml_pred", f);
    if (t->sml_p2) fputs(",sml_p2", f);
    for (k = 0; k < t->n_classes && t->sml_prob; k++) fprintf(f, ",sml_prob_%zu", k);
    if (t->lml_conf) fputs(",lml_conf", f);
    if (t->bytes) fputs(",bytes", f);
    if (t->relevant) fputs(",relevant", f);
    if (t->t_arrival) fputs(",t_arrival", f);
    for (k = 0; k < t->n_exits; k++) {
        fprintf(f, ",ee%zu_conf,ee%zu_pred", k + 1, k + 1);
        if (t->ee_p2[k]) fprintf(f, ",ee%zu_p2", k + 1);
    }
    fputc('\n', f);
    for (i = 0; i < t->n; i++) {
        fprintf(f, "%ld,%d,%d,%.17g,%d", trace_id(t, i), t->label[i], t->sml_pred[i],
                t->sml_conf[i], t->lml_pred[i]);
        if (t->sml_p2) fprintf(f, ",%.17g", t->sml_p2[i]);
        for (k = 0; k < t->n_classes && t->sml_prob; k++)
            fprintf(f, ",%.17g", t->sml_prob[i * t->n_classes + k]);
        if (t->lml_conf) fprintf(f, ",%.17g", t->lml_conf[i]);
        if (t->bytes) fprintf(f, ",%.17g", t->bytes[i]);
        if (t->relevant) fprintf(f, ",%d", t->relevant[i]);
        if (t->t_arrival) fprintf(f, ",%.17g", t->t_arrival[i]);
        for (k = 0; k < t->n_exits; k++) {
            fprintf(f, ",%.17g,%d", t->ee_conf[k][i], t->ee_pred[k][i]);
            if (t->ee_p2[k]) fprintf(f, ",%.17g", t->ee_p2[k][i]);
        }
        fputc('\n', f);
    }
}

void
trace_free(struct hi_trace *t)
{
    size_t i;
    if (!t)
        return;
    free(t->path);
    free(t->label);
    free(t->sml_pred);
    free(t->sml_conf);
    free(t->lml_pred);
    free(t->y_sml);
    free(t->y_lml);
    free(t->id);
    free(t->sml_p2);
    free(t->sml_prob);
    free(t->lml_conf);
    free(t->bytes);
    free(t->relevant);
    free(t->t_arrival);
    for (i = 0; i < TRACE_MAX_EXITS; i++) {
        free(t->ee_conf[i]);
        free(t->ee_pred[i]);
        free(t->ee_p2[i]);
    }
    for (i = 0; i < t->n_meta; i++) {
        free(t->meta[i].key);
        free(t->meta[i].value);
    }
    free(t->meta);
    free(t->unknown);
    confsort_free(t->sorted);
    free(t);
}
