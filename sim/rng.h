/*
 * rng.h — independent GSL random streams, one per entity.
 *
 * Stream s of a run with seed S is a gsl_rng of type RNG_TYPE seeded with
 * splitmix64(S, s): streams do not share state, so adding an entity or a
 * draw in one entity never shifts the numbers another entity sees.
 */
#ifndef HISIM_RNG_H
#define HISIM_RNG_H

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

/* The seed stream `stream` of a run seeded with `seed` gets. */
unsigned long rng_seed_for(uint64_t seed, uint64_t stream);

/* A new generator for the stream; NULL when memory runs out. */
gsl_rng *rng_stream(uint64_t seed, uint64_t stream);

#endif
