/*
 * rng.h — independent GSL random streams, one per entity.
 *
 * Stream s of a run with seed S is a gsl_rng of type RNG_TYPE seeded with
 * the 64 bits of splitmix64(S, s): streams do not share state, so adding
 * an entity or a draw in one entity never shifts the numbers another
 * entity sees.  gsl_rng_set takes an unsigned long and mt19937 keeps 32
 * bits of it, which folded 2^64 seeds onto 2^32 streams (seeds of a long
 * sweep would collide); the stream is seeded instead with mt19937's own
 * init_by_array from both halves of the 64-bit value, which reaches 2^64
 * distinct states at no cost per draw (about 5 µs per stream, once;
 * traces/mt19937.h).
 * Same seed, same numbers, as before; what a given seed produces changed
 * once, when this seeding replaced gsl_rng_set (docs/scenarios.md).
 */
#ifndef HISIM_RNG_H
#define HISIM_RNG_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

#define RNG_TYPE gsl_rng_mt19937
#define RNG_TYPE_NAME "mt19937"

/* Stream numbers of the entities of the HI model. */
enum rng_stream_id {
    RNG_ORDER = 1,       /* trace order: shuffle, bootstrap */
    RNG_POLICY = 2,      /* randomised decisions */
    RNG_NETWORK = 3,     /* network delays */
    RNG_SERVER = 4,      /* server times */
    RNG_DEVICE = 16,     /* device d uses RNG_DEVICE + d */
    RNG_CLUSTER = 1 << 30  /* request stream s of a cluster scenario uses RNG_CLUSTER + s */
};

/* The 64-bit seed stream `stream` of a run seeded with `seed` gets. */
uint64_t rng_seed_for(uint64_t seed, uint64_t stream);

/* Restarts r (from rng_stream) at the beginning of the stream. */
void rng_reseed(gsl_rng *r, uint64_t seed, uint64_t stream);

/* A new generator for the stream; NULL when memory runs out. */
gsl_rng *rng_stream(uint64_t seed, uint64_t stream);

/* A stream read in blocks: its generator's next RNG_BLOCK words are drawn
 * at once and handed out one by one, so an entity among thousands (a
 * device's trace order or arrivals) touches its generator's 5 KB state
 * once per block instead of at every draw.  The words, and every value
 * made from them below, are those the generator gives unbuffered: what
 * a seed produces does not change.  A block's generator must not be
 * drawn from directly while the block is in use. */
#define RNG_BLOCK 64
struct rng_block {
    gsl_rng *r;            /* mt19937 (RNG_TYPE): words in [0, 2^32) */
    unsigned pos;          /* next unused word; RNG_BLOCK: none left */
    uint32_t w[RNG_BLOCK];
};

void rng_block_init(struct rng_block *b, gsl_rng *r);
void rng_block_fill(struct rng_block *b);

static inline uint32_t
rng_block_word(struct rng_block *b)
{
    if (b->pos == RNG_BLOCK)
        rng_block_fill(b);
    return b->w[b->pos++];
}

/* gsl_ran_exponential(r, mu) from the block: −mu·log1p(−u), with
 * u = word/2^32 as mt19937's gsl_rng_uniform makes it. */
static inline double
rng_block_exponential(struct rng_block *b, double mu)
{
    return -mu * log1p(-(double)rng_block_word(b) / 4294967296.0);
}

/* Uniform integers in [0, n) for one n, drawn many times (bootstrap rows):
 * exactly the values, and the words, of gsl_rng_uniform_int(r, n) —
 * GSL's k = (x − min)/⌊range/n⌋, rejected while k ≥ n — with the
 * division by the scale done as a multiply: for a 32-bit x and divisor d,
 * ⌊x/d⌋ = ⌊c·x / 2^64⌋ with c = ⌈2^64/d⌉ (Lemire, Kaser, Kurz, "Faster
 * remainder by direct computation", Software: Practice and Experience
 * 49(6), 2019). */
struct rng_uint {
    unsigned long n;
    unsigned long scale;   /* GSL's ⌊range/n⌋ */
    uint64_t c;            /* ⌈2^64/scale⌉ when scale ≥ 2 */
};

/* 1 <= n <= 2^32 − 1 (mt19937's range). */
void rng_uint_init(struct rng_uint *u, unsigned long n);

static inline unsigned long
rng_block_uint(struct rng_block *b, const struct rng_uint *u)
{
    unsigned long k;
    do {
        uint32_t x = rng_block_word(b);
#ifdef __SIZEOF_INT128__
        k = u->scale >= 2 ? (unsigned long)(((unsigned __int128)u->c * x) >> 64) : x;
#else
        k = x / u->scale;
#endif
    } while (k >= u->n);
    return k;
}

#endif
