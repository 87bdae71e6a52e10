/*
 * outfile.h — writing an output file without losing or corrupting it.
 *
 * Every file hisim writes (samples logs, figures, synthetic traces,
 * exports, run dumps) goes through here:
 *
 *   - a regular file, or a path that does not exist yet, is written to a
 *     temporary TARGET.tmpPID beside it (beside the file a symbolic link
 *     points to, so the link stays) and renamed over it only when
 *     complete: a failure leaves the old file, or nothing;
 *   - anything else — a FIFO, a device (/dev/stdout, /dev/null, a
 *     terminal), a dangling link — is never replaced: it is opened and
 *     written straight through, so pipes and `--samples-log /dev/stdout`
 *     work;
 *   - a directory is refused.
 *
 * Temporaries are registered while they exist and removed on every exit
 * path: outfile_abort, and a handler for SIGINT, SIGTERM, SIGHUP and
 * SIGPIPE (installed only where the signal's action is the default) that
 * unlinks them before the signal takes its course.  Not thread-safe: the
 * command writes its files from one thread.
 */
#ifndef HISIM_OUTFILE_H
#define HISIM_OUTFILE_H

#include <stdio.h>
#include "traces/error.h"

struct outfile {
    char *path;     /* the target, as given */
    char *tmp;      /* the temporary, or NULL when writing straight to the target */
    char *dest;     /* what tmp is renamed to (a link's target), or NULL */
    FILE *f;        /* write here */
};

/* Opens path for writing (see above).  HI_EINPUT for a directory or a
 * folder that does not exist or cannot be written, HI_EINTERNAL for
 * other failures; o is then empty. */
int outfile_open(struct outfile *o, const char *path, struct hi_error *err);

/* Flushes and checks every write, then moves the temporary into place.
 * 0, or HI_EINTERNAL naming the path and the cause (the temporary is
 * removed, the target untouched).  Releases o either way. */
int outfile_commit(struct outfile *o, struct hi_error *err);

/* Closes and removes the temporary; the target is untouched.  Safe on
 * an empty or released o. */
void outfile_abort(struct outfile *o);

/* For files another program writes (gnuplot): an empty temporary that
 * will become path, beside it when path may be replaced, else in
 * $TMPDIR (or /tmp); malloc'd into *tmp and registered for removal.  0,
 * or as outfile_open. */
int outfile_temp(const char *path, char **tmp, struct hi_error *err);

/* Moves a finished temporary from outfile_temp into place: renamed over
 * a regular or new path, else copied into the target with every write
 * checked.  Removes and frees tmp either way. */
int outfile_install(char *tmp, const char *path, struct hi_error *err);

/* Removes and frees a temporary from outfile_temp. */
void outfile_discard(char *tmp);

/* 1 when path is a regular file (through links) or does not exist, so a
 * temporary may be renamed over it. */
int outfile_replaceable(const char *path);

/* Removes every registered temporary now; async-signal-safe, for signal
 * handlers of the command's own. */
void outfile_cleanup_signal_safe(void);

#endif
