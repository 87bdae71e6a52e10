/* mt19937.c — init_by_array of mt19937ar.c on a GSL generator (mt19937.h). */
#include "traces/mt19937.h"

#include <assert.h>

/* GSL's mt19937 state (gsl rng/mt.c): 624 words of 32 bits, each in an
 * unsigned long, and the index of the next word. */
#define MT_N 624
struct mt_state {
    unsigned long mt[MT_N];
    int mti;
};

void
mt19937_seed_array(gsl_rng *r, const uint32_t *key, size_t n)
{
    struct mt_state *s = gsl_rng_state(r);
    unsigned long *mt = s->mt;
    size_t i = 1, j = 0, k;

    assert(r->type == gsl_rng_mt19937 && gsl_rng_size(r) == sizeof *s && n >= 1);
    /* init_by_array of mt19937ar.c (Matsumoto, Nishimura 2002); GSL's
     * mt_set is its init_genrand */
    gsl_rng_set(r, 19650218UL);
    for (k = MT_N > n ? MT_N : n; k; k--) {
        mt[i] = ((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525UL)) + key[j] + j) & 0xffffffffUL;
        i++;
        j++;
        if (i >= MT_N) {
            mt[0] = mt[MT_N - 1];
            i = 1;
        }
        if (j >= n)
            j = 0;
    }
    for (k = MT_N - 1; k; k--) {
        mt[i] = ((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941UL)) - i) & 0xffffffffUL;
        i++;
        if (i >= MT_N) {
            mt[0] = mt[MT_N - 1];
            i = 1;
        }
    }
    mt[0] = 0x80000000UL;   /* MSB is 1, assuring a non-zero initial array */
    s->mti = MT_N;          /* the next draw regenerates the block */
}
