/* confsort.c — sorted distinct confidences and each row's rank. */
#include "traces/confsort.h"

#include <stdlib.h>

struct keyed {
    double p;
    size_t row;
};

static int
cmp_keyed(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

struct confsort *
confsort_new(const double *conf, size_t n)
{
    struct confsort *s = calloc(1, sizeof *s);
    struct keyed *kp = malloc((n ? n : 1) * sizeof *kp);
    size_t i, k = 0;

    if (!s || !kp)
        goto fail;
    s->conf = conf;
    s->n = n;
    s->v = malloc((n ? n : 1) * sizeof *s->v);
    s->rank = malloc((n ? n : 1) * sizeof *s->rank);
    if (!s->v || !s->rank)
        goto fail;
    for (i = 0; i < n; i++) {
        kp[i].p = conf[i];
        kp[i].row = i;
    }
    qsort(kp, n, sizeof *kp, cmp_keyed);
    for (i = 0; i < n; i++) {
        if (k == 0 || kp[i].p != s->v[k - 1])
            s->v[k++] = kp[i].p;
        s->rank[kp[i].row] = k;
    }
    s->k = k;
    free(kp);
    return s;
fail:
    free(kp);
    confsort_free(s);
    return NULL;
}

void
confsort_free(struct confsort *s)
{
    if (!s)
        return;
    free(s->v);
    free(s->rank);
    free(s);
}
