/* outfile.c — atomic output files (outfile.h). */
#define _GNU_SOURCE
#include "analysis/outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
outfile_open(struct outfile *o, const char *path, struct hi_error *err)
{
    struct stat st;
    int fd;
    memset(o, 0, sizeof *o);
    if (!path || strcmp(path, "-") == 0) {
        o->f = stdout;
        o->is_stdout = 1;
        return HI_OK;
    }
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        /* replace what the link points to, not the link */
        if (!(o->path = realpath(path, NULL)) && errno != ENOENT)
            return error_set(err, HI_EINPUT, "%s: %s", path, strerror(errno));
    }
    if (!o->path && !(o->path = strdup(path)))
        return error_set(err, HI_EINTERNAL, "out of memory");
    if (stat(o->path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            error_set(err, HI_EINPUT, "%s: is a directory", path);
            goto fail;
        }
        if (!S_ISREG(st.st_mode)) {
            /* a FIFO or a device: written as it is, never replaced */
            if (!(o->f = fopen(o->path, "w"))) {
                error_set(err, HI_EINPUT, "%s: cannot write: %s", path, strerror(errno));
                goto fail;
            }
            return HI_OK;
        }
    }
    if (!(o->tmp = malloc(strlen(o->path) + 16))) {
        error_set(err, HI_EINTERNAL, "out of memory");
        goto fail;
    }
    sprintf(o->tmp, "%s.tmpXXXXXX", o->path);
    if ((fd = mkstemp(o->tmp)) < 0 || !(o->f = fdopen(fd, "w"))) {
        error_set(err, HI_EINPUT, "%s: cannot write: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        goto fail;
    }
    return HI_OK;
fail:
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
    return err->status;
}

int
outfile_close(struct outfile *o, struct hi_error *err)
{
    int bad = ferror(o->f) != 0, rc = HI_OK;
    if (o->is_stdout) {
        bad |= fflush(stdout) != 0;
        if (bad)
            rc = error_set(err, HI_EINTERNAL, "standard output: write error");
        memset(o, 0, sizeof *o);
        return rc;
    }
    if (o->tmp)
        bad |= fflush(o->f) != 0 || fsync(fileno(o->f)) != 0;
    bad |= fclose(o->f) != 0;
    o->f = NULL;
    if (bad) {
        rc = error_set(err, HI_EINTERNAL, "%s: write error: %s", o->path, strerror(errno));
    } else if (o->tmp) {
        /* mkstemp makes 0600: give the file the mode the umask gives */
        mode_t mask = umask(0);
        umask(mask);
        chmod(o->tmp, 0666 & ~mask);
        if (rename(o->tmp, o->path) != 0)
            rc = error_set(err, HI_EINTERNAL, "%s: cannot move into place: %s", o->path, strerror(errno));
    }
    if (rc && o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
    return rc;
}

void
outfile_abort(struct outfile *o)
{
    if (o->f && !o->is_stdout)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
}
