/*
 * fuzz_catalog.c — the catalog loader (traces/catalog.c) on arbitrary
 * bytes, and its lookups on what loaded.  catalog_load reads a file, so
 * each input is written to one first: fuzz.yaml in a folder of its own
 * under $TMPDIR (else /tmp).  An entry's name must be its file's name, so
 * the corpus says `name: fuzz`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traces/catalog.h"

static char dir[4000], path[4096];

static void
fuzz_setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/hisim-fuzz-catalog-%ld", t && *t ? t : "/tmp", (long)getpid());
    snprintf(path, sizeof path, "%s/fuzz.yaml", dir);
}

static void
fuzz_one(const unsigned char *data, size_t len)
{
    struct hi_error err = {0};
    struct catalog_entry *e;
    FILE *f;
    size_t i;

    /* made and removed each time: AFL's forked children share the name */
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        abort();
    if (!(f = fopen(path, "wb")))
        abort();
    if (fwrite(data, 1, len, f) != len || fclose(f) != 0)
        abort();
    e = catalog_load(path, &err);
    unlink(path);
    rmdir(dir);
    if (!e)
        return;
    for (i = 0; i < e->n_models; i++)
        (void)catalog_find_model(e, e->models[i].model, e->models[i].dataset, e->models[i].precision, &err);
    (void)catalog_find_model(e, "resnet8", NULL, NULL, &err);
    (void)catalog_find_link(e, NULL, "rate_mbps", &err);
    (void)catalog_find_link(e, "cifar10", "energy_mj", &err);
    catalog_free(e);
}

#include "tests/fuzz/harness.h"
