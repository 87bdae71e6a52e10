/*
 * error.h — one error message, filled by the function that fails.
 *
 * Library functions return 0 on success and a negative status on failure;
 * on failure they fill a struct hi_error with one line that names the place
 * (file:line:column when the input has positions) and what was expected.
 * The command prints that line and exits with status 2 for bad input.
 */
#ifndef HISIM_ERROR_H
#define HISIM_ERROR_H

#include <stddef.h>

enum hi_status {
    HI_OK = 0,
    HI_EINPUT = -1,   /* bad input: a file, a value, a flag (exit status 2) */
    HI_EINTERNAL = -2, /* out of memory, I/O failure, a library error (exit status 1) */
    HI_EINTR = -3      /* stopped on request (a signal): partial results */
};

struct hi_error {
    int status;
    char msg[1024];
};

/* Sets err (if not NULL) to a printf-style message; returns status. */
int error_set(struct hi_error *err, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Like error_set, prefixed with "file:line:col: " (col 0 is left out). */
int error_at(struct hi_error *err, const char *file, size_t line, size_t col,
             const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Levenshtein distance, used to suggest the closest known name. */
size_t error_edit_distance(const char *a, const char *b);

/* The entry of names[0..n) closest to s, or NULL when none is close. */
const char *error_closest(const char *s, const char *const *names, size_t n);

#endif
