/* rng.c — per-entity GSL streams seeded by splitmix64. */
#include "sim/rng.h"

/* splitmix64 (Steele, Lea, Flood 2014): a bijective mixer, so distinct
 * (seed, stream) pairs give well-spread, distinct generator seeds. */
static uint64_t
splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

unsigned long
rng_seed_for(uint64_t seed, uint64_t stream)
{
    uint64_t s = splitmix64(splitmix64(seed) ^ (stream * 0xD1B54A32D192ED03ull));
    /* mt19937 reads 32 bits of its seed; 0 selects its default seed */
    s = (s ^ (s >> 32)) & 0xFFFFFFFFull;
    return (unsigned long)(s ? s : 1);
}

gsl_rng *
rng_stream(uint64_t seed, uint64_t stream)
{
    gsl_rng *r = gsl_rng_alloc(RNG_TYPE);
    if (r)
        gsl_rng_set(r, rng_seed_for(seed, stream));
    return r;
}
