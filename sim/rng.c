/* rng.c — per-entity GSL streams seeded by splitmix64, all 64 bits. */
#include "sim/rng.h"

#include "traces/mt19937.h"

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

uint64_t
rng_seed_for(uint64_t seed, uint64_t stream)
{
    return splitmix64(splitmix64(seed) ^ (stream * 0xD1B54A32D192ED03ull));
}

void
rng_reseed(gsl_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t s = rng_seed_for(seed, stream);
    uint32_t key[2] = {(uint32_t)s, (uint32_t)(s >> 32)};
    mt19937_seed_array(r, key, 2);
}

gsl_rng *
rng_stream(uint64_t seed, uint64_t stream)
{
    gsl_rng *r = gsl_rng_alloc(RNG_TYPE);
    if (r)
        rng_reseed(r, seed, stream);
    return r;
}
