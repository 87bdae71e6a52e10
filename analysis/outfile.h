/*
 * outfile.h — an output file written whole or not at all.
 *
 * A regular file (or a new one) is written to a temporary file beside it
 * and renamed into place only when every write succeeded, so readers never
 * see half a file and a failure leaves the old one.  A symbolic link is
 * followed and its target replaced the same way.  A FIFO, a device or a
 * socket is never replaced: it is written directly.  "-" (or no path) is
 * standard output.
 */
#ifndef HISIM_OUTFILE_H
#define HISIM_OUTFILE_H

#include <stdio.h>
#include "traces/error.h"

struct outfile {
    FILE *f;
    char *path;      /* what is written in the end */
    char *tmp;       /* the temporary file, or NULL when writing directly */
    int is_stdout;
};

int outfile_open(struct outfile *o, const char *path, struct hi_error *err);

/* Flushes, checks every write, and moves the file into place. */
int outfile_close(struct outfile *o, struct hi_error *err);

/* Gives up: removes the temporary file. */
void outfile_abort(struct outfile *o);

#endif
