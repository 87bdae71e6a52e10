/* util.c — test helpers. */
#define _XOPEN_SOURCE 700
#include "tests/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ftw.h>

#include <gsl/gsl_rng.h>

const char *
util_src(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", HISIM_SRCDIR, rel);
    return buf;
}

const char *
util_tmp(const char *name)
{
    static char dir[256];
    static char buf[4096];
    if (!dir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/hisim-test-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(dir))
            abort();
    }
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static int
remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void
util_cleanup(void)
{
    const char *probe = util_tmp("x");
    char dir[4096];
    char *slash;
    snprintf(dir, sizeof dir, "%s", probe);
    slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
util_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

char *
util_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = (size_t)n;
    }
    return buf;
}

struct hi_trace *
util_random_trace(size_t n, unsigned levels, int edges, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    struct hi_trace *t = trace_new(n);
    size_t i;
    gsl_rng_set(r, seed);
    for (i = 0; i < n; i++) {
        double p = levels ? (double)gsl_rng_uniform_int(r, levels + 1) / levels : gsl_rng_uniform(r);
        if (edges && i % 17 == 0)
            p = (i / 17) % 2 ? 1.0 : 0.0;
        t->sml_conf[i] = p;
        t->label[i] = (int)gsl_rng_uniform_int(r, 10);
        /* the S-ML is right more often at high confidence */
        t->sml_pred[i] = gsl_rng_uniform(r) < p ? t->label[i] : (t->label[i] + 1) % 10;
        t->lml_pred[i] = gsl_rng_uniform(r) < 0.9 ? t->label[i] : (t->label[i] + 2) % 10;
    }
    trace_derive(t);
    gsl_rng_free(r);
    return t;
}
