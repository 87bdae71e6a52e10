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

#endif
