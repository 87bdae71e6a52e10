/*
 * mt19937.h — seeding GSL's mt19937 from more than 32 bits.
 *
 * gsl_rng_set takes an unsigned long and mt19937 keeps its low 32 bits,
 * so seeds that differ only above bit 32 give the same stream.  The
 * reference generator (mt19937ar.c, Matsumoto and Nishimura 2002) has a
 * second seeding, init_by_array, from a key of any number of 32-bit
 * words; this is it, on a gsl_rng of type gsl_rng_mt19937, checked
 * against the published output of mt19937ar.c (tests/check_rng.c).  Used
 * by the simulation's streams (sim/rng.c) and the synthetic traces
 * (traces/synth.c).  About 5 µs per seeding.
 */
#ifndef HISIM_MT19937_H
#define HISIM_MT19937_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

/* Seeds r (gsl_rng_mt19937) from key[0..n), n >= 1, as init_by_array of
 * mt19937ar.c does; the next draw regenerates the state block. */
void mt19937_seed_array(gsl_rng *r, const uint32_t *key, size_t n);

#endif
