/*
 * fuzz_sweep.c — the sweep-file loader (analysis/sweep.c) on arbitrary
 * bytes, then the grid expansion of what loaded (every point's
 * configuration checked, keys hashed, traces loaded) when it has at most
 * 256 points.  sweep_load reads a file and the base scenario it names, so
 * each input is written to fuzz.yaml in a folder of its own under $TMPDIR
 * (else /tmp), beside base.yaml (a small scenario) and t.csv (its trace),
 * which the corpus names as `scenario: base.yaml`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/sweep.h"

static char dir[4000], path[4096], base[4096], trace[4096];

static void
put(const char *file, const char *text)
{
    FILE *f = fopen(file, "wb");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        abort();
}

static void
fuzz_setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/hisim-fuzz-sweep-%ld", t && *t ? t : "/tmp", (long)getpid());
    snprintf(path, sizeof path, "%s/fuzz.yaml", dir);
    snprintf(base, sizeof base, "%s/base.yaml", dir);
    snprintf(trace, sizeof trace, "%s/t.csv", dir);
}

static void
fuzz_one(const unsigned char *data, size_t len)
{
    struct hi_error err = {0};
    struct sweep sw;
    FILE *f;

    /* made and removed each time: AFL's forked children share the names */
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        abort();
    put(base, "seed: 3\ntrace:\n  file: t.csv\npolicy:\n  name: fixed-threshold\n");
    put(trace, "label,sml_pred,sml_conf,lml_pred\n1,1,0.9,1\n2,0,0.4,2\n3,3,0.7,1\n0,4,0.55,0\n");
    if (!(f = fopen(path, "wb")))
        abort();
    if (fwrite(data, 1, len, f) != len || fclose(f) != 0)
        abort();
    if (sweep_load(path, &sw, &err) == HI_OK) {
        if (sw.n_points <= 256)
            (void)sweep_expand(&sw, &err);
        sweep_free(&sw);
    }
    unlink(path);
    unlink(base);
    unlink(trace);
    rmdir(dir);
}

#include "tests/fuzz/harness.h"
