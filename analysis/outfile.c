/* outfile.c — temporaries renamed over regular files, special files written through. */
#include "analysis/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the registry of temporaries, read by the signal handler ---- */

#define MAX_TEMPS 32

static char *volatile temps[MAX_TEMPS];

void
outfile_cleanup_signal_safe(void)
{
    int i;
    for (i = 0; i < MAX_TEMPS; i++) {
        char *t = temps[i];
        if (t)
            unlink(t);
    }
}

static void
on_signal(int sig)
{
    int saved = errno;
    outfile_cleanup_signal_safe();
    errno = saved;
    raise(sig);   /* SA_RESETHAND restored the default action: it ends us */
}

static void
install_handlers(void)
{
    static int done;
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    size_t i;
    if (done)
        return;
    done = 1;
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old, sa;
        if (sigaction(sigs[i], NULL, &old) != 0 || (old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
            continue;   /* ignored, or the command's own handler: leave it */
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sa.sa_flags = SA_RESETHAND;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

static int
reg_add(char *tmp)
{
    int i;
    install_handlers();
    for (i = 0; i < MAX_TEMPS; i++)
        if (!temps[i]) {
            temps[i] = tmp;
            return 0;
        }
    return -1;
}

static void
reg_remove(const char *tmp)
{
    int i;
    for (i = 0; i < MAX_TEMPS; i++)
        if (temps[i] == tmp)
            temps[i] = NULL;
}

/* ---- what the target is ---- */

enum kind { K_REPLACE, K_DIRECT };

/* Classifies path; for K_REPLACE *real is the file to rename over
 * (malloc'd) and *mode its mode (0 when new). */
static int
classify(const char *path, enum kind *kind, char **real, mode_t *mode, struct hi_error *err)
{
    struct stat st;
    *real = NULL;
    *mode = 0;
    if (!*path)
        return error_set(err, HI_EINPUT, "an empty file name");
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT)
            return error_set(err, HI_EINPUT, "%s: cannot write: %s", path, strerror(errno));
        *kind = K_REPLACE;
    } else if (S_ISDIR(st.st_mode)) {
        return error_set(err, HI_EINPUT, "%s: is a directory (expected a file name)", path);
    } else if (S_ISREG(st.st_mode)) {
        *kind = K_REPLACE;
        *mode = st.st_mode & 07777;
    } else if (S_ISLNK(st.st_mode)) {
        if (stat(path, &st) != 0) {
            *kind = K_DIRECT;          /* dangling: writing creates the file it names */
        } else if (S_ISDIR(st.st_mode)) {
            return error_set(err, HI_EINPUT, "%s: is a directory (expected a file name)", path);
        } else if (S_ISREG(st.st_mode)) {
            char *r = realpath(path, NULL);
            if (!r)
                return error_set(err, HI_EINPUT, "%s: cannot resolve the link: %s", path, strerror(errno));
            *kind = K_REPLACE;
            *mode = st.st_mode & 07777;
            *real = r;
            return HI_OK;
        } else {
            *kind = K_DIRECT;
        }
    } else {
        *kind = K_DIRECT;              /* FIFO, device, socket */
    }
    if (*kind == K_REPLACE && !(*real = strdup(path)))
        return error_set(err, HI_EINTERNAL, "out of memory");
    return HI_OK;
}

int
outfile_replaceable(const char *path)
{
    enum kind k;
    char *real;
    mode_t mode;
    if (classify(path, &k, &real, &mode, NULL))
        return 0;
    free(real);
    return k == K_REPLACE;
}

/* "cannot write: no such folder", "permission denied", ... */
static int
open_error(struct hi_error *err, const char *path, int e)
{
    if (e == ENOENT || e == ENOTDIR) {
        const char *slash = strrchr(path, '/');
        if (slash)
            return error_set(err, HI_EINPUT, "%s: cannot write: no such folder '%.*s'", path,
                             (int)(slash - path), path);
    }
    return error_set(err, e == ENOSPC || e == EIO ? HI_EINTERNAL : HI_EINPUT, "%s: cannot write: %s", path,
                     strerror(e));
}

/* Creates real.tmpPID (or real.tmpPID.k if taken), registered; fd or -1. */
static int
make_temp(const char *real, mode_t mode, char **tmp, int *e)
{
    size_t len = strlen(real) + 48;
    int k, fd = -1;
    *tmp = malloc(len);
    if (!*tmp) {
        *e = ENOMEM;
        return -1;
    }
    for (k = 0; k < 100; k++) {
        if (k == 0)
            snprintf(*tmp, len, "%s.tmp%ld", real, (long)getpid());
        else
            snprintf(*tmp, len, "%s.tmp%ld.%d", real, (long)getpid(), k);
        if (reg_add(*tmp)) {
            *e = EMFILE;
            break;
        }
        fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0)
            break;
        *e = errno;
        reg_remove(*tmp);
        if (*e != EEXIST)
            break;
    }
    if (fd < 0) {
        free(*tmp);
        *tmp = NULL;
        return -1;
    }
    if (mode)
        fchmod(fd, mode);   /* an existing file keeps its mode */
    return fd;
}

int
outfile_open(struct outfile *o, const char *path, struct hi_error *err)
{
    enum kind kind;
    char *real = NULL;
    mode_t mode;
    int fd, e = 0, rc;

    memset(o, 0, sizeof *o);
    if ((rc = classify(path, &kind, &real, &mode, err)))
        return rc;
    if (!(o->path = strdup(path))) {
        free(real);
        return error_set(err, HI_EINTERNAL, "out of memory");
    }
    if (kind == K_DIRECT) {
        o->f = fopen(path, "w");
        if (!o->f) {
            rc = open_error(err, path, errno);
            free(o->path);
            o->path = NULL;
            return rc;
        }
        return HI_OK;
    }
    o->dest = real;
    fd = make_temp(real, mode, &o->tmp, &e);
    if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
        if (fd >= 0) {
            e = errno;
            close(fd);
        }
        rc = open_error(err, path, e);
        outfile_abort(o);
        return rc;
    }
    return HI_OK;
}

int
outfile_commit(struct outfile *o, struct hi_error *err)
{
    int bad = 0, e = 0, rc = HI_OK;

    if (!o->f) {
        outfile_abort(o);
        return error_set(err, HI_EINTERNAL, "output file not open");
    }
    if (fflush(o->f) != 0 || ferror(o->f))
        bad = 1, e = errno;
    if (!bad && o->tmp && fsync(fileno(o->f)) != 0 && errno != EINVAL)
        bad = 1, e = errno;
    if (fclose(o->f) != 0 && !bad)
        bad = 1, e = errno;
    o->f = NULL;
    if (bad) {
        rc = error_set(err, HI_EINTERNAL, "%s: write error: %s", o->path, e ? strerror(e) : "unknown cause");
    } else if (o->tmp) {
        if (rename(o->tmp, o->dest) != 0) {
            rc = error_set(err, HI_EINTERNAL, "%s: cannot move the finished file into place: %s", o->path,
                           strerror(errno));
        } else {
            reg_remove(o->tmp);
            free(o->tmp);
            o->tmp = NULL;
        }
    }
    outfile_abort(o);
    return rc;
}

void
outfile_abort(struct outfile *o)
{
    if (o->f)
        fclose(o->f);
    if (o->tmp) {
        unlink(o->tmp);
        reg_remove(o->tmp);
        free(o->tmp);
    }
    free(o->path);
    free(o->dest);
    memset(o, 0, sizeof *o);
}

int
outfile_temp(const char *path, char **tmp, struct hi_error *err)
{
    enum kind kind;
    char *real = NULL;
    mode_t mode;
    int fd, e = 0, rc;

    *tmp = NULL;
    if ((rc = classify(path, &kind, &real, &mode, err)))
        return rc;
    if (kind == K_REPLACE) {
        fd = make_temp(real, mode, tmp, &e);
        free(real);
        if (fd < 0)
            return open_error(err, path, e);
        close(fd);
        return HI_OK;
    } else {
        const char *dir = getenv("TMPDIR");
        size_t len;
        if (!dir || !*dir)
            dir = "/tmp";
        len = strlen(dir) + 32;
        if (!(*tmp = malloc(len)))
            return error_set(err, HI_EINTERNAL, "out of memory");
        snprintf(*tmp, len, "%s/hisim-out-XXXXXX", dir);
        if (reg_add(*tmp)) {
            free(*tmp);
            *tmp = NULL;
            return error_set(err, HI_EINTERNAL, "too many temporary files");
        }
        fd = mkstemp(*tmp);
        if (fd < 0) {
            rc = error_set(err, HI_EINTERNAL, "%s: cannot make a temporary file: %s", dir, strerror(errno));
            reg_remove(*tmp);
            free(*tmp);
            *tmp = NULL;
            return rc;
        }
        close(fd);
        return HI_OK;
    }
}

void
outfile_discard(char *tmp)
{
    if (!tmp)
        return;
    unlink(tmp);
    reg_remove(tmp);
    free(tmp);
}

int
outfile_install(char *tmp, const char *path, struct hi_error *err)
{
    enum kind kind;
    char *real = NULL;
    mode_t mode;
    int rc;

    if ((rc = classify(path, &kind, &real, &mode, err))) {
        outfile_discard(tmp);
        return rc;
    }
    if (kind == K_REPLACE && rename(tmp, real) == 0) {
        free(real);
        reg_remove(tmp);
        free(tmp);
        return HI_OK;
    }
    free(real);
    {
        /* not beside the target (a special file, or another file system):
         * copy it through */
        struct outfile o;
        FILE *in = fopen(tmp, "rb");
        char buf[65536];
        size_t got;
        if (!in) {
            rc = error_set(err, HI_EINTERNAL, "%s: cannot read back: %s", tmp, strerror(errno));
            outfile_discard(tmp);
            return rc;
        }
        if ((rc = outfile_open(&o, path, err))) {
            fclose(in);
            outfile_discard(tmp);
            return rc;
        }
        while ((got = fread(buf, 1, sizeof buf, in)) > 0)
            if (fwrite(buf, 1, got, o.f) != got)
                break;
        if (ferror(in)) {
            rc = error_set(err, HI_EINTERNAL, "%s: read error", tmp);
            outfile_abort(&o);
        } else {
            rc = outfile_commit(&o, err);
        }
        fclose(in);
        outfile_discard(tmp);
        return rc;
    }
}
