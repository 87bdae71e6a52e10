/*
 * ksum.h — compensated (Neumaier) summation of doubles.
 *
 * A plain running sum of n terms drifts by up to n·u·Σ|x| (u = 2^-53):
 * 2·10^7 costs of 0.3 and 1 summed in two orders differ in the tenth
 * digit.  Neumaier's variant of Kahan summation keeps the rounding error
 * of every add in a second double and adds it back at the end, so the
 * result is within u·|Σx| + O(n·u²·Σ|x|) of the exact sum: the correctly
 * rounded sum in all but contrived cases, whatever the order of the
 * terms.  Two ksums of the same multiset therefore agree exactly, which
 * is what makes "θ* against itself" a regret of exactly 0.
 *
 * Neumaier, "Rundungsfehleranalyse einiger Verfahren zur Summation
 * endlicher Summen", ZAMM 54 (1974).  Cost: 4 flops and a branch per add,
 * against 1 for a plain sum.  Must not be compiled with -ffast-math,
 * which would reassociate the error term away.
 */
#ifndef HISIM_KSUM_H
#define HISIM_KSUM_H

#include <math.h>

struct ksum {
    double s;   /* running sum */
    double c;   /* accumulated rounding errors of the adds */
};

#define KSUM_ZERO {0.0, 0.0}

static inline void
ksum_init(struct ksum *k)
{
    k->s = 0.0;
    k->c = 0.0;
}

static inline void
ksum_add(struct ksum *k, double x)
{
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x))
        k->c += (k->s - t) + x;     /* the low part of x was lost */
    else
        k->c += (x - t) + k->s;     /* the low part of s was lost */
    k->s = t;
}

/* Adds another compensated sum (e.g. a partial sum of a range). */
static inline void
ksum_merge(struct ksum *k, const struct ksum *o)
{
    ksum_add(k, o->s);
    k->c += o->c;
}

static inline double
ksum_value(const struct ksum *k)
{
    return k->s + k->c;
}

#endif
