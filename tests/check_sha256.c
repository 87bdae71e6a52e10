/* check_sha256.c — SHA-256 against the FIPS 180-4 example vectors (NIST
 * CSRC "Examples with intermediate values": SHA256.pdf, SHA2_Additional). */
#include <stdlib.h>
#include <string.h>

#include "tests/suites.h"
#include "tests/util.h"
#include "traces/sha256.h"

static const struct {
    const char *msg;
    const char *hex;
} vectors[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};

/* The one-shot digest of each example message. */
START_TEST(test_vectors)
{
    char hex[SHA256_HEX];
    size_t i;
    for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        sha256_hex(vectors[i].msg, strlen(vectors[i].msg), hex);
        ck_assert_str_eq(hex, vectors[i].hex);
    }
}
END_TEST

/* One million 'a' (FIPS 180-4 example), fed in uneven pieces: the
 * streaming interface carries partial blocks correctly. */
START_TEST(test_million_a_streamed)
{
    static char a[1000];
    struct sha256 s;
    unsigned char d[SHA256_BYTES];
    char hex[SHA256_HEX];
    size_t done = 0, step = 1;
    int i;
    memset(a, 'a', sizeof a);
    sha256_init(&s);
    while (done < 1000000) {
        size_t n = step < 1000000 - done ? step : 1000000 - done;
        if (n > sizeof a)
            n = sizeof a;
        sha256_update(&s, a, n);
        done += n;
        step = step * 7 % 997 + 1;    /* 1, 8, 57, ...: every block offset */
    }
    sha256_final(&s, d);
    for (i = 0; i < SHA256_BYTES; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* Messages of 55, 56 and 64 bytes hit the padding's edge cases; the file
 * digest equals the in-memory one. */
START_TEST(test_padding_edges_and_file)
{
    static const struct { size_t n; const char *hex; } edge[] = {
        /* 'a' repeated n times, digests from coreutils sha256sum */
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
    };
    char buf[64], hex[SHA256_HEX], fhex[SHA256_HEX];
    size_t i;
    memset(buf, 'a', sizeof buf);
    for (i = 0; i < 3; i++) {
        sha256_hex(buf, edge[i].n, hex);
        ck_assert_str_eq(hex, edge[i].hex);
    }
    util_write(util_tmp("abc.txt"), "abc");
    ck_assert_int_eq(sha256_file_hex(util_tmp("abc.txt"), fhex), 0);
    ck_assert_str_eq(fhex, vectors[1].hex);
    ck_assert_int_eq(sha256_file_hex(util_tmp("missing"), fhex), -1);
}
END_TEST

Suite *
suite_sha256(void)
{
    Suite *s = suite_create("sha256");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_vectors);
    tcase_add_test(tc, test_million_a_streamed);
    tcase_add_test(tc, test_padding_edges_and_file);
    suite_add_tcase(s, tc);
    return s;
}
