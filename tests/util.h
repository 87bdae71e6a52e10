/* util.h — helpers shared by the test suites. */
#ifndef HISIM_TESTS_UTIL_H
#define HISIM_TESTS_UTIL_H

#include <stddef.h>
#include "traces/trace.h"

/* Path of a file under the source tree (tests/data/...), static buffer. */
const char *util_src(const char *rel);

/* A fresh temporary directory's path joined with name (static buffer);
 * the directory is made once per process. */
const char *util_tmp(const char *name);

/* Removes the temporary directory and everything in it. */
void util_cleanup(void);

/* Writes text to path; 0 on success. */
int util_write(const char *path, const char *text);

/* Reads a whole file (malloc'd, NUL-terminated) or NULL. */
char *util_read(const char *path, size_t *len);

/* A random trace: n rows, confidences drawn from `levels` distinct values
 * (0 means continuous), including exact 0 and 1 when `edges`. */
struct hi_trace *util_random_trace(size_t n, unsigned levels, int edges, unsigned long seed);

#endif
