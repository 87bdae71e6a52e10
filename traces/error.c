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

/* Optimal string alignment distance: insertions, deletions,
 * substitutions and transpositions of neighbours ("rnu" is 1 from "run"). */
size_t
error_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t *d;
    size_t r;

    if (la > 256 || lb > 256)
        return (size_t)-1;
    d = malloc((la + 1) * (lb + 1) * sizeof *d);
    if (!d)
        return (size_t)-1;
#define D(i, j) d[(i) * (lb + 1) + (j)]
    for (i = 0; i <= la; i++)
        D(i, 0) = i;
    for (j = 0; j <= lb; j++)
        D(0, j) = j;
    for (i = 1; i <= la; i++)
        for (j = 1; j <= lb; j++) {
            size_t best = D(i - 1, j - 1) + (a[i - 1] != b[j - 1]);
            if (D(i - 1, j) + 1 < best)
                best = D(i - 1, j) + 1;
            if (D(i, j - 1) + 1 < best)
                best = D(i, j - 1) + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && D(i - 2, j - 2) + 1 < best)
                best = D(i - 2, j - 2) + 1;
            D(i, j) = best;
        }
    r = D(la, lb);
#undef D
    free(d);
    return r;
}

/* Whether name is a sensible suggestion for s at distance d: a typo
 * (one edit per three characters of s, at least one), or s cut short
 * ("latency" for "latency_ms").  Farther than that, any name would be a
 * guess ("zzzz" is 4 edits from "name"). */
static int
plausible(const char *s, const char *name, size_t d)
{
    size_t ls = strlen(s);
    size_t limit = ls / 3 > 1 ? ls / 3 : 1;
    if (d <= limit && d < ls)
        return 1;
    return ls >= 3 && strncmp(s, name, ls) == 0;
}

const char *
error_closest(const char *s, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t bestd = (size_t)-1, i;

    for (i = 0; i < n; i++) {
        size_t d = error_edit_distance(s, names[i]);
        if (plausible(s, names[i], d) && d < bestd) {
            bestd = d;
            best = names[i];
        }
    }
    return best;
}
