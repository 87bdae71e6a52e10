/*
 * layers.c — reader of layer profiles (layers.h).
 *
 * Grammar accepted (the trace grammar of traces/csv.h):
 *
 *   profile := meta* blank* header (row | blank | comment)*
 *   header  := name (',' name)*      needs name, type, flops, params, output_bytes;
 *                                    index, cpu_ms, energy_mj are optional
 *   row     := cell (',' cell)*      one layer, in execution order
 *
 * Checks, each reported at its file:line:col: numbers finite and >= 0;
 * `index`, when present, counts rows from 0; names and types not empty;
 * the rows of exit k (names ee<k>.*) contiguous, exits numbered 1, 2, ...
 * in execution order; the metadata gives the input tensor's size.
 */
#include "traces/layers.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/csv.h"

enum col_kind { K_UNKNOWN, K_INDEX, K_NAME, K_TYPE, K_FLOPS, K_PARAMS, K_OUT, K_CPU, K_ENERGY };

static const struct { const char *name; enum col_kind kind; int required; } columns[] = {
    {"index", K_INDEX, 0}, {"name", K_NAME, 1}, {"type", K_TYPE, 1}, {"flops", K_FLOPS, 1},
    {"params", K_PARAMS, 1}, {"output_bytes", K_OUT, 1}, {"cpu_ms", K_CPU, 0}, {"energy_mj", K_ENERGY, 0},
};
#define N_COLUMNS (sizeof columns / sizeof columns[0])

static char *
xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* k when name is "ee<k>.<something>" (k >= 0 as written), else -1. */
static long
exit_number(const char *name)
{
    char *end;
    long k;
    if (strncmp(name, "ee", 2) != 0 || !isdigit((unsigned char)name[2]))
        return -1;
    errno = 0;
    k = strtol(name + 2, &end, 10);
    if (errno || *end != '.')
        return -1;
    return k;
}

/* The N of "<marker>N bytes" in value: 1 when found, 0 when the marker is
 * absent, -1 when no number of bytes follows it. */
static int
bytes_after(const char *value, const char *marker, double *v)
{
    const char *p = strstr(value, marker);
    char *end;
    if (!p)
        return 0;
    p += strlen(marker);
    errno = 0;
    *v = strtod(p, &end);
    if (end == p || errno || !isfinite(*v) || *v < 0.0 || strncmp(end, " bytes", 6) != 0)
        return -1;
    return 1;
}

static int
add_meta(struct hi_layers *L, const char *key, const char *value)
{
    char **k = realloc(L->meta_key, (L->n_meta + 1) * sizeof *k), **v;
    if (!k)
        return HI_EINTERNAL;
    L->meta_key = k;
    v = realloc(L->meta_value, (L->n_meta + 1) * sizeof *v);
    if (!v)
        return HI_EINTERNAL;
    L->meta_value = v;
    k[L->n_meta] = xstrdup(key);
    v[L->n_meta] = xstrdup(value);
    if (!k[L->n_meta] || !v[L->n_meta]) {
        free(k[L->n_meta]);
        free(v[L->n_meta]);
        return HI_EINTERNAL;
    }
    L->n_meta++;
    return HI_OK;
}

const char *
layers_meta(const struct hi_layers *L, const char *key)
{
    size_t i;
    for (i = 0; i < L->n_meta; i++)
        if (strcmp(L->meta_key[i], key) == 0)
            return L->meta_value[i];
    return NULL;
}

/* The input sizes from the metadata: `input_bytes:` and `raw_bytes:` when
 * given, else the recorder's `input:` line ("1x1x28x28 float32 (3136
 * bytes); raw image 784 bytes"). */
static int
input_sizes(struct hi_layers *L, const size_t *meta_line, size_t hline, struct hi_error *err)
{
    int have_in = 0, have_raw = 0;
    size_t i;
    double x;

    for (i = 0; i < L->n_meta; i++) {
        const char *k = L->meta_key[i], *v = L->meta_value[i];
        int in = strcmp(k, "input_bytes") == 0;
        if (!in && strcmp(k, "raw_bytes") != 0)
            continue;
        if (csv_double(v, &x) || x < 0.0)
            return error_at(err, L->path, meta_line[i], 0, "%s: expected a number of bytes >= 0, found '%.40s'", k, v);
        if (in) {
            L->input_bytes = x;
            have_in = 1;
        } else {
            L->raw_bytes = x;
            have_raw = 1;
        }
    }
    for (i = 0; i < L->n_meta; i++) {
        const char *v = L->meta_value[i];
        if (strcmp(L->meta_key[i], "input") != 0)
            continue;
        if (!have_in) {
            if (bytes_after(v, "(", &x) <= 0)
                return error_at(err, L->path, meta_line[i], 0,
                                "input: expected the tensor size as '(N bytes)', found '%.60s'", v);
            L->input_bytes = x;
            have_in = 1;
        }
        if (!have_raw) {
            int rc = bytes_after(v, "raw image ", &x);
            if (rc < 0)
                return error_at(err, L->path, meta_line[i], 0, "input: expected 'raw image N bytes', found '%.60s'", v);
            if (rc > 0) {
                L->raw_bytes = x;
                have_raw = 1;
            }
        }
    }
    if (!have_in)
        return error_at(err, L->path, hline, 0,
                        "missing metadata '# input: ... (N bytes)' or '# input_bytes: N' before the header "
                        "(the size of the tensor entering layer 1)");
    if (!have_raw)
        L->raw_bytes = L->input_bytes;
    return HI_OK;
}

static int
alloc_layers(struct hi_layers *L, size_t n, int energy)
{
    L->n = n;
    L->name = calloc(n, sizeof *L->name);
    L->type = calloc(n, sizeof *L->type);
    L->flops = calloc(n, sizeof(double));
    L->params = calloc(n, sizeof(double));
    L->output_bytes = calloc(n, sizeof(double));
    L->cpu_ms = calloc(n, sizeof(double));
    L->cum_ms = calloc(n + 1, sizeof(double));
    L->exit_of = calloc(n, sizeof *L->exit_of);
    L->exit_end = calloc(n, sizeof *L->exit_end);   /* at most one exit per row */
    if (energy)
        L->energy_mj = calloc(n, sizeof(double));
    return L->name && L->type && L->flops && L->params && L->output_bytes && L->cpu_ms && L->cum_ms &&
                   L->exit_of && L->exit_end && (!energy || L->energy_mj)
               ? HI_OK
               : HI_EINTERNAL;
}

static int
bad_cell(const struct hi_layers *L, size_t line, size_t col, const char *name, const char *cell,
         const char *expected, struct hi_error *err)
{
    return error_at(err, L->path, line, col, "column '%s': expected %s, found '%.40s'", name, expected, cell);
}

/* One row into layer r (0-based). `first_line` of each exit's rows, for messages. */
static int
parse_row(struct hi_layers *L, char *line, size_t lineno, char **names, const enum col_kind *kind, size_t nc,
          size_t r, size_t *first_line, struct hi_error *err)
{
    struct csv_cells cells;
    size_t j, name_col = 0;

    csv_cells_init(&cells, line);
    for (j = 0; j < nc; j++) {
        size_t col;
        char *cell = csv_cells_next(&cells, &col);
        double v = 0.0;
        long iv;

        if (!cells.more && j + 1 < nc)
            return csv_too_few(err, L->path, lineno, cell, col, nc, j + 1);
        switch (kind[j]) {
        case K_UNKNOWN:
            break;
        case K_INDEX:
            if (csv_long(cell, &iv) || iv < 0 || (size_t)iv != r) {
                char want[64];
                snprintf(want, sizeof want, "%zu (rows in execution order, counted from 0)", r);
                return bad_cell(L, lineno, col, names[j], cell, want, err);
            }
            break;
        case K_NAME: case K_TYPE: {
            char *e = cell + strlen(cell), **slot = kind[j] == K_NAME ? &L->name[r] : &L->type[r];
            while (e > cell && (e[-1] == ' ' || e[-1] == '\t'))
                *--e = '\0';
            if (!*cell)
                return bad_cell(L, lineno, col, names[j], cell, "a layer name", err);
            if (!(*slot = xstrdup(cell)))
                return error_set(err, HI_EINTERNAL, "out of memory");
            if (kind[j] == K_NAME)
                name_col = col;
            break;
        }
        case K_FLOPS: case K_PARAMS: case K_OUT: case K_CPU: case K_ENERGY:
            if (csv_double(cell, &v) || v < 0.0)
                return bad_cell(L, lineno, col, names[j], cell, "a number >= 0", err);
            if (kind[j] == K_FLOPS) L->flops[r] = v;
            else if (kind[j] == K_PARAMS) L->params[r] = v;
            else if (kind[j] == K_OUT) L->output_bytes[r] = v;
            else if (kind[j] == K_CPU) L->cpu_ms[r] = v;
            else L->energy_mj[r] = v;
            break;
        }
        if (!cells.more)
            break;
        if (j + 1 == nc)
            return csv_too_many(err, L->path, lineno, &cells, nc);
    }

    /* early exits: ee<k>.* rows, one contiguous block per exit, in order */
    {
        long k = exit_number(L->name[r]);
        unsigned prev = r ? L->exit_of[r - 1] : 0;
        if (k == 0)
            return error_at(err, L->path, lineno, name_col, "layer '%s': exits are numbered from 1 (ee1.*, ee2.*, ...)",
                            L->name[r]);
        if (k > 0) {
            if ((unsigned long)k != prev) {
                if ((size_t)k <= L->n_exits)
                    return error_at(err, L->path, lineno, name_col,
                                    "layer '%s': the rows of exit %ld must be contiguous (its block started at line %zu)",
                                    L->name[r], k, first_line[k - 1]);
                if ((size_t)k != L->n_exits + 1)
                    return error_at(err, L->path, lineno, name_col,
                                    "layer '%s': exit %ld comes before exit %zu (exits are numbered 1, 2, ... in execution order)",
                                    L->name[r], k, L->n_exits + 1);
                first_line[L->n_exits++] = lineno;
            }
            L->exit_of[r] = (unsigned)k;
            L->exit_end[k - 1] = r + 1;
        }
    }
    return HI_OK;
}

int
layers_load(struct hi_layers *L, const char *path, struct hi_error *err)
{
    struct csv_file f;
    char **names = NULL, **lines;
    enum col_kind *kind = NULL;
    size_t *meta_line = NULL, *first_line = NULL;
    size_t nlines, li, hline, nc = 0, nrows = 0, r, j, unknown_len = 0;
    int have[N_COLUMNS] = {0};

    memset(L, 0, sizeof *L);
    if (csv_read(&f, path, "profile", err))
        return err ? err->status : HI_EINPUT;
    lines = f.lines;
    nlines = f.n_lines;
    if (!(L->path = xstrdup(path)) || !(meta_line = calloc(nlines, sizeof *meta_line))) {
        error_set(err, HI_EINTERNAL, "out of memory");
        goto fail;
    }

    /* metadata, then the header */
    for (li = 0; li < nlines; li++) {
        char *s = lines[li], *key, *value;
        if (s[0] == '#') {
            if (csv_meta(s, &key, &value)) {
                meta_line[L->n_meta] = li + 1;
                if (add_meta(L, key, value)) {
                    error_set(err, HI_EINTERNAL, "out of memory");
                    goto fail;
                }
            }
        } else if (!csv_is_blank(s)) {
            break;
        }
    }
    if (li == nlines) {
        error_at(err, path, nlines ? nlines : 1, 0,
                 "empty profile: expected a header row (index,name,type,flops,params,output_bytes,cpu_ms)");
        goto fail;
    }
    hline = li + 1;
    if (!(names = csv_header(lines[li], &nc)) || !(kind = calloc(nc, sizeof *kind))) {
        error_set(err, HI_EINTERNAL, "out of memory");
        goto fail;
    }
    for (j = 0; j < nc; j++) {
        size_t c, i;
        for (i = 0; i < j; i++)
            if (strcmp(names[i], names[j]) == 0) {
                error_at(err, path, hline, 0, "column '%s' appears twice", names[j]);
                goto fail;
            }
        kind[j] = K_UNKNOWN;
        for (c = 0; c < N_COLUMNS; c++)
            if (strcmp(names[j], columns[c].name) == 0) {
                kind[j] = columns[c].kind;
                have[c] = 1;
            }
        if (kind[j] == K_UNKNOWN)
            unknown_len += strlen(names[j]) + 1;
    }
    for (j = 0; j < N_COLUMNS; j++)
        if (columns[j].required && !have[j]) {
            error_at(err, path, hline, 0,
                     "missing required column '%s' (required: name, type, flops, params, output_bytes; "
                     "optional: index, cpu_ms, energy_mj)", columns[j].name);
            goto fail;
        }
    if (unknown_len) {
        if (!(L->unknown = malloc(unknown_len))) {
            error_set(err, HI_EINTERNAL, "out of memory");
            goto fail;
        }
        L->unknown[0] = '\0';
        for (j = 0; j < nc; j++)
            if (kind[j] == K_UNKNOWN) {
                if (L->unknown[0])
                    strcat(L->unknown, ",");
                strcat(L->unknown, names[j]);
            }
    }
    if (input_sizes(L, meta_line, hline, err))
        goto fail;
    for (r = li + 1; r < nlines; r++)
        nrows += csv_is_row(lines[r]);
    if (nrows == 0) {
        error_at(err, path, hline, 0, "empty profile: the header is followed by no layers");
        goto fail;
    }
    {
        int energy = 0;
        for (j = 0; j < N_COLUMNS; j++) {
            if (columns[j].kind == K_CPU)
                L->has_cpu_ms = have[j];
            if (columns[j].kind == K_ENERGY)
                energy = have[j];
        }
        if (alloc_layers(L, nrows, energy)) {
            error_set(err, HI_EINTERNAL, "out of memory");
            goto fail;
        }
    }
    if (!(first_line = calloc(nrows, sizeof *first_line))) {
        error_set(err, HI_EINTERNAL, "out of memory");
        goto fail;
    }
    for (r = 0, li = hline; li < nlines; li++) {
        if (!csv_is_row(lines[li]))
            continue;
        if (parse_row(L, lines[li], li + 1, names, kind, nc, r, first_line, err))
            goto fail;
        r++;
    }
    if (L->has_cpu_ms) {
        for (r = 0; r < L->n; r++)
            L->cum_ms[r + 1] = L->cum_ms[r] + L->cpu_ms[r];
    } else {
        for (r = 0; r < L->n; r++)
            L->cpu_ms[r] = NAN;
        for (r = 0; r <= L->n; r++)
            L->cum_ms[r] = r ? NAN : 0.0;
    }
    free(first_line);
    free(meta_line);
    free(kind);
    free(names);
    csv_close(&f);
    return HI_OK;

fail:
    free(first_line);
    free(meta_line);
    free(kind);
    free(names);
    csv_close(&f);
    layers_free(L);
    return err ? err->status : HI_EINPUT;
}

void
layers_free(struct hi_layers *L)
{
    size_t i;
    if (!L)
        return;
    for (i = 0; i < L->n; i++) {
        if (L->name)
            free(L->name[i]);
        if (L->type)
            free(L->type[i]);
    }
    for (i = 0; i < L->n_meta; i++) {
        free(L->meta_key[i]);
        free(L->meta_value[i]);
    }
    free(L->path);
    free(L->name);
    free(L->type);
    free(L->flops);
    free(L->params);
    free(L->output_bytes);
    free(L->cpu_ms);
    free(L->cum_ms);
    free(L->exit_end);
    free(L->energy_mj);
    free(L->exit_of);
    free(L->meta_key);
    free(L->meta_value);
    free(L->unknown);
    memset(L, 0, sizeof *L);
}

void
layers_set_cpu_ms(struct hi_layers *L, const double *ms)
{
    size_t r;
    L->cum_ms[0] = 0.0;
    for (r = 0; r < L->n; r++) {
        assert(ms[r] >= 0.0 && isfinite(ms[r]));
        L->cpu_ms[r] = ms[r];
        L->cum_ms[r + 1] = L->cum_ms[r] + ms[r];
    }
    L->has_cpu_ms = 1;
}

double
layers_ms(const struct hi_layers *L, size_t a, size_t b, double speed)
{
    assert(a <= b && b <= L->n);
    assert(speed > 0.0);
    return (L->cum_ms[b] - L->cum_ms[a]) / speed;
}

double
layers_out_bytes(const struct hi_layers *L, size_t k)
{
    assert(k <= L->n);
    return k ? L->output_bytes[k - 1] : L->input_bytes;
}

double
layers_exit_ms(const struct hi_layers *L, size_t k, double speed)
{
    assert(k >= 1 && k <= L->n_exits);
    return layers_ms(L, 0, L->exit_end[k - 1], speed);
}

double
layers_exit_direct_ms(const struct hi_layers *L, size_t k, double speed)
{
    double ms = 0.0;
    size_t r;
    assert(k >= 1 && k <= L->n_exits);
    assert(speed > 0.0);
    for (r = 0; r < L->exit_end[k - 1]; r++)
        if (L->exit_of[r] == 0 || L->exit_of[r] == k)
            ms += L->cpu_ms[r];
    return ms / speed;
}

double
layers_memory_bytes(const struct hi_layers *L, size_t a, size_t b)
{
    double params = 0.0, peak;
    size_t r;
    assert(a <= b && b <= L->n);
    if (a == b)
        return 0.0;
    peak = layers_out_bytes(L, a);
    for (r = a; r < b; r++) {
        params += L->params[r];
        if (L->output_bytes[r] > peak)
            peak = L->output_bytes[r];
    }
    return 4.0 * params + peak;
}
