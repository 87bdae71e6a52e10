/* rng.c — per-entity GSL streams seeded by splitmix64, all 64 bits. */
#include "sim/rng.h"

#include "traces/mt19937.h"

#include <assert.h>

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

void
rng_block_init(struct rng_block *b, gsl_rng *r)
{
    assert(r->type == RNG_TYPE && r->type->min == 0 && r->type->max == 0xffffffffUL);
    b->r = r;
    b->pos = RNG_BLOCK;
}

void
rng_block_fill(struct rng_block *b)
{
    unsigned i;
    for (i = 0; i < RNG_BLOCK; i++)
        b->w[i] = (uint32_t)gsl_rng_get(b->r);
    b->pos = 0;
}

void
rng_uint_init(struct rng_uint *u, unsigned long n)
{
    assert(n >= 1 && n <= 0xffffffffUL);
    u->n = n;
    u->scale = 0xffffffffUL / n;   /* range = max − min of mt19937 */
    u->c = u->scale >= 2 ? UINT64_MAX / u->scale + 1 : 0;
}
