/* check_outfile.c — output files (analysis/outfile.h): regular files
 * replaced whole, special files written through, nothing left behind. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/outfile.h"
#include "tests/suites.h"
#include "tests/util.h"

/* Files in dir whose name contains ".tmp". */
static int
temporaries_in(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".tmp") != NULL;
    closedir(d);
    return n;
}

static char *
mkdir_fresh(const char *name)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s", util_tmp(name));
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    return dir;
}

/* A new file appears only at commit; an existing one keeps its content
 * until commit, keeps it on abort, and keeps its mode when replaced. */
START_TEST(test_regular_files)
{
    struct hi_error err = {0};
    struct outfile o;
    char *dir = mkdir_fresh("reg"), path[4200], *text;
    struct stat st;

    snprintf(path, sizeof path, "%s/out.csv", dir);
    ck_assert_int_eq(outfile_open(&o, path, &err), 0);
    ck_assert_ptr_nonnull(o.tmp);
    fputs("one\n", o.f);
    ck_assert_int_ne(access(path, F_OK), 0);       /* not there before commit */
    ck_assert_int_eq(outfile_commit(&o, &err), 0);
    text = util_read(path, NULL);
    ck_assert_str_eq(text, "one\n");
    free(text);

    chmod(path, 0640);
    ck_assert_int_eq(outfile_open(&o, path, &err), 0);
    fputs("two\n", o.f);
    text = util_read(path, NULL);
    ck_assert_str_eq(text, "one\n");               /* old content until commit */
    free(text);
    outfile_abort(&o);
    text = util_read(path, NULL);
    ck_assert_str_eq(text, "one\n");               /* abort keeps it */
    free(text);

    ck_assert_int_eq(outfile_open(&o, path, &err), 0);
    fputs("three\n", o.f);
    ck_assert_int_eq(outfile_commit(&o, &err), 0);
    text = util_read(path, NULL);
    ck_assert_str_eq(text, "three\n");
    free(text);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0640);     /* mode kept */
    ck_assert_int_eq(temporaries_in(dir), 0);
}
END_TEST

/* A symbolic link to a regular file stays a link; its target gets the
 * new content (the temporary lies beside the target). */
START_TEST(test_symlink_kept)
{
    struct hi_error err = {0};
    struct outfile o;
    char *dir = mkdir_fresh("link"), target[4200], link[4200], *text;
    struct stat st;

    snprintf(target, sizeof target, "%s/real.csv", dir);
    snprintf(link, sizeof link, "%s/link.csv", dir);
    util_write(target, "old\n");
    ck_assert_int_eq(symlink(target, link), 0);
    ck_assert_int_eq(outfile_open(&o, link, &err), 0);
    fputs("new\n", o.f);
    ck_assert_int_eq(outfile_commit(&o, &err), 0);
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    text = util_read(target, NULL);
    ck_assert_str_eq(text, "new\n");
    free(text);
    ck_assert_int_eq(temporaries_in(dir), 0);
}
END_TEST

/* A FIFO gets the bytes and stays a FIFO (it used to become a regular
 * file, and its reader got nothing); /dev/null stays a device. */
START_TEST(test_special_files_written_through)
{
    struct hi_error err = {0};
    struct outfile o;
    char *dir = mkdir_fresh("fifo"), fifo[4200], buf[64];
    struct stat st;
    int rfd;
    ssize_t got;

    snprintf(fifo, sizeof fifo, "%s/pipe", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    rfd = open(fifo, O_RDONLY | O_NONBLOCK);   /* a reader, so the writer's open does not block */
    ck_assert_int_ge(rfd, 0);
    ck_assert_int_eq(outfile_open(&o, fifo, &err), 0);
    ck_assert_ptr_null(o.tmp);
    fputs("through the pipe\n", o.f);
    ck_assert_int_eq(outfile_commit(&o, &err), 0);
    got = read(rfd, buf, sizeof buf - 1);
    ck_assert_int_eq(got, 17);
    buf[got] = '\0';
    ck_assert_str_eq(buf, "through the pipe\n");
    close(rfd);
    ck_assert_int_eq(stat(fifo, &st), 0);
    ck_assert(S_ISFIFO(st.st_mode));
    ck_assert_int_eq(temporaries_in(dir), 0);

    ck_assert_int_eq(outfile_open(&o, "/dev/null", &err), 0);
    fputs("x\n", o.f);
    ck_assert_int_eq(outfile_commit(&o, &err), 0);
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
    ck_assert_int_eq(temporaries_in("/dev"), 0);
}
END_TEST

/* A write that fails (/dev/full) is an error at commit, with the cause;
 * a directory and a missing folder are refused at open, by name. */
START_TEST(test_errors)
{
    struct hi_error err = {0};
    struct outfile o;
    char *dir = mkdir_fresh("errs"), path[4200];

    ck_assert_int_eq(outfile_open(&o, "/dev/full", &err), 0);
    fputs("no room\n", o.f);
    ck_assert_int_eq(outfile_commit(&o, &err), HI_EINTERNAL);
    ck_assert_msg(strstr(err.msg, "/dev/full: write error: No space left on device") != NULL, "%s", err.msg);

    ck_assert_int_eq(outfile_open(&o, dir, &err), HI_EINPUT);
    ck_assert_msg(strstr(err.msg, "is a directory") != NULL, "%s", err.msg);
    snprintf(path, sizeof path, "%s/nodir/x.csv", dir);
    ck_assert_int_eq(outfile_open(&o, path, &err), HI_EINPUT);
    ck_assert_msg(strstr(err.msg, "no such folder") != NULL, "%s", err.msg);
    ck_assert_int_eq(temporaries_in(dir), 0);
}
END_TEST

/* Files another program writes: the temporary lies beside a regular
 * target and is renamed; for a special target it lies in $TMPDIR and is
 * copied through. */
START_TEST(test_temp_and_install)
{
    struct hi_error err = {0};
    char *dir = mkdir_fresh("inst"), path[4200], fifo[4200], *tmp, *text, buf[32];
    FILE *f;
    int rfd;

    snprintf(path, sizeof path, "%s/fig.svg", dir);
    ck_assert_int_eq(outfile_temp(path, &tmp, &err), 0);
    ck_assert(strncmp(tmp, path, strlen(path)) == 0);
    f = fopen(tmp, "w");
    fputs("<svg/>\n", f);
    fclose(f);
    ck_assert_int_eq(outfile_install(tmp, path, &err), 0);
    text = util_read(path, NULL);
    ck_assert_str_eq(text, "<svg/>\n");
    free(text);

    snprintf(fifo, sizeof fifo, "%s/fig.pipe", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    rfd = open(fifo, O_RDONLY | O_NONBLOCK);
    ck_assert_int_eq(outfile_temp(fifo, &tmp, &err), 0);
    ck_assert(strncmp(tmp, dir, strlen(dir)) != 0);   /* not beside the FIFO */
    f = fopen(tmp, "w");
    fputs("figure\n", f);
    fclose(f);
    ck_assert_int_eq(outfile_install(tmp, fifo, &err), 0);
    ck_assert_int_eq(read(rfd, buf, sizeof buf), 7);
    close(rfd);
    ck_assert_int_eq(temporaries_in(dir), 0);
}
END_TEST

/* SIGTERM while a temporary exists: the process ends by the signal, as
 * it would have, and the temporary is gone. */
START_TEST(test_signal_removes_temporaries)
{
    char *dir = mkdir_fresh("sig"), path[4200];
    int status;
    pid_t pid;

    snprintf(path, sizeof path, "%s/big.csv", dir);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct hi_error err = {0};
        struct outfile o;
        signal(SIGTERM, SIG_DFL);
        if (outfile_open(&o, path, &err))
            _exit(3);
        fputs("partial\n", o.f);
        fflush(o.f);
        raise(SIGTERM);
        _exit(4);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    ck_assert_int_eq(temporaries_in(dir), 0);
    ck_assert_int_ne(access(path, F_OK), 0);
}
END_TEST

Suite *
suite_outfile(void)
{
    Suite *s = suite_create("outfile");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_regular_files);
    tcase_add_test(tc, test_symlink_kept);
    tcase_add_test(tc, test_special_files_written_through);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_temp_and_install);
    tcase_add_test(tc, test_signal_removes_temporaries);
    suite_add_tcase(s, tc);
    return s;
}
