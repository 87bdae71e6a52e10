/*
 * harness.h — the main() of every fuzz harness (included once, by the
 * harness's own file, after it defines `static void fuzz_one(const
 * unsigned char *data, size_t len)`).
 *
 * Built with afl-clang-fast (make fuzz) it runs AFL++'s persistent mode:
 * test cases from shared memory, 10000 per fork.  Built with the plain
 * compiler (make check) it replays every file named on the command line,
 * so the corpora and the regression inputs of tests/data/fuzz/ run under
 * the test suite, sanitized when configured with --enable-sanitizers.
 * fuzz_one must free everything it allocates: a leak grows the persistent
 * process and fails the sanitized replay.
 */
#ifndef HISIM_FUZZ_HARNESS_H
#define HISIM_FUZZ_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#ifdef __AFL_FUZZ_TESTCASE_LEN
#include <unistd.h>   /* read(), in AFL++'s macros */
__AFL_FUZZ_INIT();

int
main(void)
{
    unsigned char *data;
    gsl_set_error_handler_off();
    fuzz_setup();
    __AFL_INIT();
    data = __AFL_FUZZ_TESTCASE_BUF;
    while (__AFL_LOOP(10000))
        fuzz_one(data, (size_t)__AFL_FUZZ_TESTCASE_LEN);
    return 0;
}
#else
int
main(int argc, char **argv)
{
    int i;
    gsl_set_error_handler_off();
    fuzz_setup();
    for (i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        unsigned char *buf = NULL;
        size_t len = 0, cap = 0, got;
        if (!f) {
            perror(argv[i]);
            return 2;
        }
        do {
            if (cap - len < 4096) {
                unsigned char *b = realloc(buf, cap = cap ? 2 * cap : 65536);
                if (!b) {
                    fclose(f);
                    free(buf);
                    return 2;
                }
                buf = b;
            }
            got = fread(buf + len, 1, cap - len, f);
            len += got;
        } while (got > 0);
        fclose(f);
        fuzz_one(buf, len);
        free(buf);
    }
    return 0;
}
#endif

#endif
