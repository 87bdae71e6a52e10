/*
 * csv.c — lines, metadata, headers and cells of hisim's CSV files (csv.h).
 */
#include "traces/csv.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a whole file; NULL with err filled when it cannot. */
static char *
slurp(const char *path, const char *what, size_t *len, struct hi_error *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (!f) {
        error_set(err, HI_EINPUT, "%s: cannot open %s: %s", path, what, strerror(errno));
        return NULL;
    }
    for (;;) {
        size_t got;
        if (cap - n < 65536) {
            char *nb;
            cap = cap ? cap * 2 : 1 << 20;
            nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                error_set(err, HI_EINTERNAL, "%s: out of memory", path);
                return NULL;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        error_set(err, HI_EINPUT, "%s: read error", path);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Splits buf into lines in place (terminating each with NUL, dropping CR). */
static size_t
split_lines(char *buf, size_t len, char ***lines_out)
{
    size_t nl = 1, i, k = 0;
    char **lines;

    for (i = 0; i < len; i++)
        nl += buf[i] == '\n';
    lines = malloc(nl * sizeof *lines);
    if (!lines)
        return (size_t)-1;
    lines[k++] = buf;
    for (i = 0; i < len; i++) {
        if (buf[i] == '\n') {
            buf[i] = '\0';
            if (i > 0 && buf[i - 1] == '\r')
                buf[i - 1] = '\0';
            lines[k++] = buf + i + 1;
        }
    }
    if (len > 0 && buf[len - 1] == '\r')
        buf[len - 1] = '\0';
    *lines_out = lines;
    return k;
}

int
csv_read(struct csv_file *f, const char *path, const char *what, struct hi_error *err)
{
    size_t len = 0;
    char *s;

    memset(f, 0, sizeof *f);
    f->buf = slurp(path, what, &len, err);
    if (!f->buf)
        return err ? err->status : HI_EINPUT;
    f->n_lines = split_lines(f->buf, len, &f->lines);
    if (f->n_lines == (size_t)-1) {
        free(f->buf);
        memset(f, 0, sizeof *f);
        return error_set(err, HI_EINTERNAL, "out of memory");
    }
    s = f->lines[0];
    if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
        f->lines[0] = s + 3; /* UTF-8 byte order mark */
    return HI_OK;
}

void
csv_close(struct csv_file *f)
{
    free(f->lines);
    free(f->buf);
    memset(f, 0, sizeof *f);
}

int
csv_is_blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0';
}

int
csv_is_row(const char *s)
{
    return s[0] != '#' && !csv_is_blank(s);
}

int
csv_meta(char *line, char **key, char **value)
{
    char *p = line + 1, *colon, *end;
    while (*p == ' ' || *p == '\t')
        p++;
    colon = strchr(p, ':');
    if (!colon || colon == p)
        return 0; /* a plain comment */
    end = colon;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    for (char *q = p; q < end; q++)
        if (isspace((unsigned char)*q))
            return 0; /* "# some prose: ..." is a comment, not a key */
    *end = '\0';
    colon++;
    while (*colon == ' ' || *colon == '\t')
        colon++;
    end = colon + strlen(colon);
    while (end > colon && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    *key = p;
    *value = colon;
    return 1;
}

char **
csv_header(char *s, size_t *n)
{
    size_t nc = 1, j;
    char **names, *p;

    for (p = s; *p; p++)
        nc += *p == ',';
    names = calloc(nc, sizeof *names);
    if (!names)
        return NULL;
    for (j = 0; j < nc; j++) {
        char *comma = strchr(s, ','), *e;
        if (comma)
            *comma = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        names[j] = s;
        s = comma ? comma + 1 : e;
    }
    *n = nc;
    return names;
}

void
csv_cells_init(struct csv_cells *c, char *line)
{
    c->line = line;
    c->p = line;
    c->more = 1;
}

char *
csv_cells_next(struct csv_cells *c, size_t *col)
{
    char *cell = c->p, *comma = strchr(cell, ',');

    *col = (size_t)(cell - c->line) + 1;
    if (comma)
        *comma = '\0';
    c->more = comma != NULL;
    c->p = comma ? comma + 1 : cell + strlen(cell);
    while (*cell == ' ' || *cell == '\t')
        cell++;
    return cell;
}

int
csv_too_few(struct hi_error *err, const char *path, size_t line, const char *cell, size_t col,
            size_t nc, size_t found)
{
    return error_at(err, path, line, col + strlen(cell), "expected %zu cells as in the header, found %zu",
                    nc, found);
}

int
csv_too_many(struct hi_error *err, const char *path, size_t line, const struct csv_cells *c, size_t nc)
{
    return error_at(err, path, line, (size_t)(c->p - c->line), "expected %zu cells as in the header, found more",
                    nc);
}

int
csv_double(const char *s, double *v)
{
    char *end;
    if (*s == '\0')
        return -1;
    errno = 0;
    *v = strtod(s, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end != '\0' || errno == ERANGE || !isfinite(*v))
        return -1;
    return 0;
}

int
csv_long(const char *s, long *v)
{
    char *end;
    if (*s == '\0')
        return -1;
    errno = 0;
    *v = strtol(s, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end != '\0' || errno == ERANGE)
        return -1;
    return 0;
}
