/* error.c — error messages with positions, and name suggestions. */
#include "traces/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
error_set(struct hi_error *err, int status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->status = status;
    }
    return status;
}

int
error_at(struct hi_error *err, const char *file, size_t line, size_t col,
         const char *fmt, ...)
{
    if (err) {
        int k;
        va_list ap;
        if (col)
            k = snprintf(err->msg, sizeof err->msg, "%s:%zu:%zu: ", file, line, col);
        else
            k = snprintf(err->msg, sizeof err->msg, "%s:%zu: ", file, line);
        if (k < 0 || (size_t)k >= sizeof err->msg)
            k = 0;
        va_start(ap, fmt);
        vsnprintf(err->msg + k, sizeof err->msg - (size_t)k, fmt, ap);
        va_end(ap);
        err->status = HI_EINPUT;
    }
    return HI_EINPUT;
}

size_t
error_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t *row;
    size_t d;

    if (la > 256 || lb > 256)
        return (size_t)-1;
    row = malloc((lb + 1) * sizeof *row);
    if (!row)
        return (size_t)-1;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    d = row[lb];
    free(row);
    return d;
}

const char *
error_closest(const char *s, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t bestd = (size_t)-1, i;
    size_t limit = strlen(s) / 2 + 2; /* farther than this is no suggestion */

    for (i = 0; i < n; i++) {
        size_t d = error_edit_distance(s, names[i]);
        if (d < bestd) {
            bestd = d;
            best = names[i];
        }
    }
    return bestd <= limit ? best : NULL;
}
