/*
 * sha256.h — SHA-256 (FIPS 180-4), to fingerprint the traces a run used.
 *
 * None of hisim's dependencies (GSL, SQLite, libyaml) offers a hash, and
 * a run must record exactly which trace bytes it replayed, so hisim
 * carries this small implementation: streaming (init, update, final) and
 * one-shot, checked against the FIPS 180-4 example vectors
 * (tests/check_sha256.c).  About 200 MB/s; a 1 MB trace costs 5 ms.
 */
#ifndef HISIM_SHA256_H
#define HISIM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_BYTES 32
#define SHA256_HEX (2 * SHA256_BYTES + 1)

struct sha256 {
    uint32_t h[8];
    uint64_t bytes;          /* message length so far */
    unsigned char block[64];
    size_t fill;             /* bytes in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char out[SHA256_BYTES]);

/* The digest of data[0..len) as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX]);

/* The digest of a file as hex; 0, or -1 with errno set when it cannot be
 * read. */
int sha256_file_hex(const char *path, char out[SHA256_HEX]);

#endif
