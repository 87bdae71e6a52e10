/* check_catalog.c — the device catalog: every file loads, lookups give the
 * papers' numbers, bad files are pointed at, and profile_apply fills the
 * configuration without overriding explicit values. */
#include <dirent.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/channel.h"
#include "sim/config.h"
#include "sim/engine.h"
#include "sim/profile.h"
#include "sim/scenario.h"
#include "tests/suites.h"
#include "tests/util.h"
#include "traces/catalog.h"

#define DEVICES "traces/devices"

/* The lines of traces/devices/INDEX (in *text, malloc'd and split in place). */
static size_t
index_lines(char **text, char **lines, size_t max)
{
    char *p, *save = NULL;
    size_t n = 0;
    *text = util_read(util_src(DEVICES "/INDEX"), NULL);
    ck_assert_msg(*text != NULL, "cannot read %s", util_src(DEVICES "/INDEX"));
    for (p = strtok_r(*text, "\n", &save); p && n < max; p = strtok_r(NULL, "\n", &save))
        lines[n++] = p;
    return n;
}

/* Lookups by name read the source tree's catalog, not an installed copy
 * or the user's $HISIM_DEVICES. */
static void
source_catalog(void)
{
    setenv("HISIM_DEVICES", util_src(DEVICES), 1);
}

/* Loads catalog file `name` from the source tree, failing the test if it
 * does not load. */
static struct catalog_entry *
src_entry(const char *name)
{
    struct hi_error err = {0};
    char path[4096];
    struct catalog_entry *e;
    snprintf(path, sizeof path, "%s/%s.yaml", util_src(DEVICES), name);
    e = catalog_load(path, &err);
    ck_assert_msg(e != NULL, "%s", err.msg);
    return e;
}

/* Every file listed in INDEX loads and checks against the schema; INDEX is
 * sorted as LC_ALL=C sort sorts; and Makefile.am installs every file. */
START_TEST(test_index_loads)
{
    char *text, *lines[256], *mk;
    size_t n = index_lines(&text, lines, 256), i;
    ck_assert_uint_gt(n, 10);
    mk = util_read(util_src("Makefile.am"), NULL);
    ck_assert(mk != NULL);
    for (i = 0; i < n; i++) {
        struct hi_error err = {0};
        struct catalog_entry *e;
        char path[4096], rel[512];
        size_t len = strlen(lines[i]);
        ck_assert_msg(len > 5 && strcmp(lines[i] + len - 5, ".yaml") == 0, "INDEX: %s is not a .yaml", lines[i]);
        if (i)
            ck_assert_msg(strcmp(lines[i - 1], lines[i]) < 0, "INDEX: %s before %s is not sorted", lines[i - 1],
                          lines[i]);
        snprintf(path, sizeof path, "%s/%s", util_src(DEVICES), lines[i]);
        e = catalog_load(path, &err);
        ck_assert_msg(e != NULL, "%s", err.msg);
        ck_assert_uint_eq(strlen(e->name), len - 5);
        catalog_free(e);
        snprintf(rel, sizeof rel, DEVICES "/%s", lines[i]);
        ck_assert_msg(strstr(mk, rel) != NULL, "Makefile.am: dist_devices_DATA does not list %s", rel);
    }
    free(mk);
    free(text);
}
END_TEST

/* INDEX lists every *.yaml of the folder (and, by test_index_loads, only
 * files that exist). */
START_TEST(test_index_complete)
{
    char *text, *lines[256];
    size_t n = index_lines(&text, lines, 256), i, found = 0;
    DIR *d = opendir(util_src(DEVICES));
    struct dirent *de;
    ck_assert(d != NULL);
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len <= 5 || strcmp(de->d_name + len - 5, ".yaml") != 0)
            continue;
        for (i = 0; i < n && strcmp(lines[i], de->d_name) != 0; i++)
            ;
        ck_assert_msg(i < n, "INDEX does not list %s", de->d_name);
        found++;
    }
    closedir(d);
    ck_assert_uint_eq(found, n);
    free(text);
}
END_TEST

/* Lookups return the papers' numbers (001 Table 4, 001 Table 8, 001 §4.1,
 * 002 §IV), and the no-precision entry wins unless a precision is given. */
START_TEST(test_paper_numbers)
{
    struct hi_error err = {0};
    struct catalog_entry *rpi = src_entry("raspberry-pi-4b");
    struct catalog_entry *a100 = src_entry("nvidia-a100");
    struct catalog_entry *up = src_entry("batch-hi-uplink");
    struct catalog_entry *jet = src_entry("jetson-orin-nano-15w");
    const struct catalog_item *it;

    ck_assert_int_eq(rpi->kind, CATALOG_DEVICE);
    it = catalog_find_model(rpi, "resnet8", "cifar10", NULL, &err);
    ck_assert_msg(it != NULL, "%s", err.msg);
    ck_assert_double_eq(it->latency_ms, 1.63);
    ck_assert_double_eq(it->energy_mj, 6.22);
    ck_assert_double_eq(it->accuracy, 0.8697);
    ck_assert_str_eq(it->source, "001 Table 4");

    ck_assert_int_eq(a100->kind, CATALOG_SERVER);
    it = catalog_find_model(a100, "convnext", "imagenette", NULL, &err);
    ck_assert_msg(it != NULL, "%s", err.msg);
    ck_assert_double_eq(it->latency_ms, 4.41);
    /* the only entry is fp16: found without a precision */
    it = catalog_find_model(a100, "vit-h-14", "cifar10", NULL, &err);
    ck_assert_msg(it != NULL, "%s", err.msg);
    ck_assert_double_eq(it->latency_ms, 4.29);
    ck_assert_double_eq(it->preprocess_ms, 2.66);

    ck_assert_int_eq(up->kind, CATALOG_NETWORK);
    it = catalog_find_link(up, "imagenette", NULL, &err);
    ck_assert_msg(it != NULL, "%s", err.msg);
    ck_assert_double_eq(it->rate_mbps, 50);
    ck_assert_double_eq(it->delay_ms, 20);
    ck_assert_double_eq(it->bytes, 30801.92);
    it = catalog_find_link(up, "cifar10", NULL, &err);
    ck_assert_msg(it != NULL, "%s", err.msg);
    ck_assert_double_eq(it->bytes, 3072);
    /* no dataset: the first entry */
    it = catalog_find_link(up, NULL, NULL, &err);
    ck_assert_str_eq(it->dataset, "imagenette");

    /* Table 4 (no precision) vs Table 8 (per precision) */
    it = catalog_find_model(jet, "resnet8", "cifar10", NULL, &err);
    ck_assert_msg(it != NULL, "%s", err.msg);
    ck_assert_ptr_null(it->precision);
    ck_assert_double_eq(it->latency_ms, 0.17);
    it = catalog_find_model(jet, "resnet8", "cifar10", "int8", &err);
    ck_assert_msg(it != NULL, "%s", err.msg);
    ck_assert_double_eq(it->latency_ms, 0.171250);
    ck_assert_double_eq(it->accuracy, 0.8686);
    it = catalog_find_model(jet, "resnet50", "imagenet-1k", "fp16", &err);
    ck_assert_double_eq(it->latency_ms, 2.8421);
    /* without a dataset, a model listed for one dataset is found */
    it = catalog_find_model(jet, "resnet8", NULL, NULL, &err);
    ck_assert_msg(it != NULL, "%s", err.msg);
    ck_assert_double_eq(it->latency_ms, 0.17);
    it = catalog_find_model(jet, "alexnet", "imagenette", NULL, &err);
    ck_assert_double_eq(it->latency_ms, 1.48);

    catalog_free(rpi);
    catalog_free(a100);
    catalog_free(up);
    catalog_free(jet);
}
END_TEST

/* A failed lookup says what the file has. */
START_TEST(test_lookup_errors)
{
    struct hi_error err = {0};
    struct catalog_entry *rpi = src_entry("raspberry-pi-4b");
    struct catalog_entry *jet = src_entry("jetson-orin-nano-15w");
    struct catalog_entry *hidp = src_entry("hidp-wireless");
    const struct catalog_item *it;

    ck_assert_ptr_null(catalog_find_model(rpi, "resnet9", "cifar10", NULL, &err));
    ck_assert_int_eq(err.status, HI_EINPUT);
    ck_assert_msg(strstr(err.msg, "no entry for model resnet9 on dataset cifar10 in ") != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "raspberry-pi-4b.yaml") != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "(did you mean 'resnet8'?; available: five-layer-cnn on cifar10, resnet8 on "
                                  "cifar10,") != NULL, "%s", err.msg);

    ck_assert_ptr_null(catalog_find_model(rpi, "resnet8", "imagenette", NULL, &err));
    ck_assert_msg(strstr(err.msg, "no entry for model resnet8 on dataset imagenette") != NULL, "%s", err.msg);

    ck_assert_ptr_null(catalog_find_model(rpi, "resnet8", "cifar10", "int8", &err));
    ck_assert_msg(strstr(err.msg, "at precision int8") != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "(available precisions: none)") != NULL, "%s", err.msg);

    /* alexnet is on cifar10, imagenet-1k and imagenette */
    ck_assert_ptr_null(catalog_find_model(jet, "alexnet", NULL, NULL, &err));
    ck_assert_msg(strstr(err.msg, "several datasets") != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "(cifar10, imagenet-1k, imagenette)") != NULL, "%s", err.msg);

    /* the device's own network[]: 001 Table 3 gives the energy, 000 §5 (first) the rate */
    it = catalog_find_link(rpi, "cifar10", "energy_mj", &err);
    ck_assert_msg(it != NULL, "%s", err.msg);
    ck_assert_double_eq(it->energy_mj, 27.67);
    it = catalog_find_link(rpi, "cifar10", NULL, &err);
    ck_assert_double_eq(it->rate_mbps, 83.6);
    it = catalog_find_link(rpi, "imagenet-1k", "energy_mj", &err);
    ck_assert_double_eq(it->energy_mj, 112.01);
    ck_assert_ptr_null(catalog_find_link(rpi, "imagenette", NULL, &err));
    ck_assert_msg(strstr(err.msg, "no network entry for dataset imagenette in ") != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "(available: wifi on cifar10, wifi on imagenet-1k)") != NULL, "%s", err.msg);
    /* an entry without a dataset applies to every dataset */
    it = catalog_find_link(hidp, "cifar10", NULL, &err);
    ck_assert_msg(it != NULL, "%s", err.msg);
    ck_assert_double_eq(it->rate_mbps, 80);
    ck_assert_ptr_null(catalog_find_link(hidp, "cifar10", "delay_ms", &err));

    catalog_free(rpi);
    catalog_free(jet);
    catalog_free(hidp);
}
END_TEST

/* A catalog file with per-precision entries only: a precision must be
 * chosen, and a single match needs none. */
START_TEST(test_precision_ambiguity)
{
    struct hi_error err = {0};
    const char *path;
    struct catalog_entry *e;
    const struct catalog_item *it;
    char p[4096];

    snprintf(p, sizeof p, "%s", util_tmp("my-board.yaml"));
    path = p;
    util_write(path, "name: my-board\nkind: device\ndescription: \"test\"\nmodels:\n"
                     "  - {model: m, dataset: d, precision: fp32, latency_ms: 2, source: \"t\"}\n"
                     "  - {model: m, dataset: d, precision: int8, latency_ms: 1, source: \"t\"}\n"
                     "  - {model: n, dataset: d, precision: int8, latency_ms: 3, source: \"t\"}\n"
                     "network: []\n");
    e = catalog_load(path, &err);
    ck_assert_msg(e != NULL, "%s", err.msg);
    ck_assert_ptr_null(catalog_find_model(e, "m", "d", NULL, &err));
    ck_assert_msg(strstr(err.msg, "has several precisions (fp32, int8) and no entry without one") != NULL, "%s",
                  err.msg);
    it = catalog_find_model(e, "m", "d", "int8", &err);
    ck_assert_double_eq(it->latency_ms, 1);
    it = catalog_find_model(e, "n", "d", NULL, &err);
    ck_assert_double_eq(it->latency_ms, 3);
    ck_assert_ptr_null(catalog_find_link(e, "d", NULL, &err));
    ck_assert_msg(strstr(err.msg, "(available: none)") != NULL, "%s", err.msg);
    catalog_free(e);
}
END_TEST

/* A bad catalog file is rejected with "file:line:col: what was expected". */
START_TEST(test_bad_files)
{
#define HEAD "name: bad\nkind: device\ndescription: \"x\"\nmodels:\n  - model: m\n    dataset: d\n"
#define TAIL "    source: \"s\"\nnetwork: []\n"
    static const struct {
        const char *text;
        int line, col;   /* col 0: any */
        const char *what;
    } cases[] = {
        {HEAD "    latancy_ms: 1\n" TAIL, 7, 5, "unknown key 'latancy_ms' in models[0] (did you mean 'latency_ms'?)"},
        {HEAD "    latency_ms: fast\n" TAIL, 7, 17, "models[0].latency_ms: expected a number, found 'fast'"},
        {HEAD "    latency_ms: \"1.5\"\n" TAIL, 7, 17, "models[0].latency_ms: expected a plain number, found the quoted string '1.5'"},
        {HEAD "    latency_ms: [1]\n" TAIL, 7, 17, "models[0].latency_ms: expected a number, found a sequence"},
        {HEAD "    latency_ms: -1\n" TAIL, 7, 17, "models[0].latency_ms: expected a number >= 0, found -1"},
        {HEAD "    accuracy: 86.9\n" TAIL, 7, 15, "models[0].accuracy: expected a fraction in (0, 1], found 86.9"},
        {HEAD "    precision: fp64\n" TAIL, 7, 16, "models[0].precision: expected fp32, fp16 or int8, found 'fp64'"},
        {HEAD "    model: n\n" TAIL, 7, 5, "models[0]: duplicate key 'model' (first on line 5)"},
        {HEAD "network: []\n", 5, 5, "models[0]: missing key 'source'"},
        {HEAD TAIL "manufacturer: x\n", 9, 1, "unknown key 'manufacturer' in a catalog file (expected one of: name, kind,"},
        {HEAD TAIL "---\nname: bad\n", 9, 1, "expected one YAML document, found a second one"},
        {HEAD "    source: \"s\"\n", 1, 1, "missing key 'network'"},
        {"name: bad\nkind: gadget\n", 2, 7, "kind: expected device, server or network, found 'gadget'"},
        {"name: Bad Name\n", 1, 7, "name: expected a name (lowercase letters, digits and '-'), found 'Bad Name'"},
        {"name: other\nkind: device\ndescription: \"\"\nmodels: []\nnetwork: []\n", 1, 7,
         "name: expected 'bad' (the file name without .yaml), found 'other'"},
        {"name: bad\nkind: device\ndescription: \"\"\nmodels: 3\n", 4, 9,
         "models: expected a sequence of entries (or []), found a scalar"},
        {"name: bad\nkind: device\ndescription: \"\"\nmodels: [3]\n", 4, 10,
         "models[0]: expected a mapping of entry keys, found a scalar"},
        {"name: bad\nkind: device\ndescription: \"\"\nmodels: []\nnetwork:\n  - {rate_mbps: 0, link: l, source: \"s\"}\n",
         6, 17, "network[0].rate_mbps: expected a number > 0, found 0"},
        {"name: bad\nkind: device\ndescription: \"\"\nmodels: []\nnetwork:\n  - {rate_mbps: 1, source: \"s\"}\n",
         6, 5, "network[0]: missing key 'link'"},
        {HEAD TAIL "models: []\n", 9, 1, "duplicate key 'models' (first on line 4)"},
        {"- a\n- b\n", 1, 1, "expected a mapping of name, kind, description, models, network; found a sequence"},
        {"", 1, 1, "empty file"},
        {HEAD "    latency_ms: 1: 2\n" TAIL, 7, 18, "malformed YAML: mapping values are not allowed in this context"},
        {"name: bad\nkind: device\ndescription: \"x\nmodels: []\n", 0, 0, "malformed YAML: "},
        {"name: bad\nkind: device\ndescription: \"\"\nmodels: [{model: m, dataset: d\n", 0, 0, "malformed YAML: "},
        {"name: bad\n\tkind: device\n", 0, 0, "malformed YAML: "},
    };
    size_t i;
    char path[4096];
    snprintf(path, sizeof path, "%s", util_tmp("bad.yaml"));
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hi_error err = {0};
        char expect[4300];
        size_t line = 0, col = 0;
        util_write(path, cases[i].text);
        ck_assert_msg(catalog_load(path, &err) == NULL, "case %zu loaded", i);
        ck_assert_int_eq(err.status, HI_EINPUT);
        if (cases[i].line) {
            snprintf(expect, sizeof expect, "%s:%d:%d: %s", path, cases[i].line, cases[i].col, cases[i].what);
            ck_assert_msg(strncmp(err.msg, expect, strlen(expect)) == 0, "case %zu: got '%s', want '%s...'", i,
                          err.msg, expect);
        } else {
            /* malformed YAML: libyaml's position, still file:line:col */
            int k = 0;
            ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0, "case %zu: %s", i, err.msg);
            ck_assert_msg(sscanf(err.msg + strlen(path), ":%zu:%zu: %n", &line, &col, &k) == 2 && k > 0 &&
                              strncmp(err.msg + strlen(path) + k, cases[i].what, strlen(cases[i].what)) == 0,
                          "case %zu: %s", i, err.msg);
            ck_assert_uint_gt(line, 0);
            ck_assert_uint_gt(col, 0);
        }
        ck_assert_msg(strchr(err.msg, '\n') == NULL, "case %zu: more than one line", i);
    }
    /* two entries with the same (model, dataset, precision) */
    {
        struct hi_error err = {0};
        char expect[4300];
        util_write(path, "name: bad\nkind: device\ndescription: \"\"\nmodels:\n"
                         "  - {model: m, dataset: d, source: \"s\"}\n"
                         "  - {model: m, dataset: d, source: \"t\"}\n"
                         "network: []\n");
        ck_assert(catalog_load(path, &err) == NULL);
        snprintf(expect, sizeof expect, "%s:6:5: models[1]: duplicate entry for model m on dataset d (first on line 5)",
                 path);
        ck_assert_str_eq(err.msg, expect);
    }
#undef HEAD
#undef TAIL
}
END_TEST

/* $HISIM_DEVICES comes first on the search path and may shadow a shipped
 * file; an unknown name suggests the closest known one. */
START_TEST(test_search_path)
{
    struct hi_error err = {0};
    struct catalog_entry *e;
    const struct catalog_item *it;
    char d1[4096], d2[4096], env[8300], path[4200];

    snprintf(d1, sizeof d1, "%s", util_tmp("search-1"));
    snprintf(d2, sizeof d2, "%s", util_tmp("search-2"));
    mkdir(d1, 0700);
    mkdir(d2, 0700);
    snprintf(path, sizeof path, "%s/raspberry-pi-4b.yaml", d2);
    util_write(path, "name: raspberry-pi-4b\nkind: device\ndescription: \"a faster Pi\"\n"
                     "models:\n  - {model: resnet8, dataset: cifar10, latency_ms: 0.5, source: \"test\"}\n"
                     "network: []\n");
    snprintf(env, sizeof env, "%s::%s", d1, d2);   /* an empty folder name is skipped */
    setenv("HISIM_DEVICES", env, 1);

    e = catalog_open("raspberry-pi-4b", &err);
    ck_assert_msg(e != NULL, "%s", err.msg);
    ck_assert_str_eq(e->file, path);
    it = catalog_find_model(e, "resnet8", "cifar10", NULL, &err);
    ck_assert_double_eq(it->latency_ms, 0.5);
    catalog_free(e);

    /* a file only in the source tree is still found */
    e = catalog_open("nvidia-a100", &err);
    ck_assert_msg(e != NULL, "%s", err.msg);
    ck_assert_str_eq(e->file, util_src(DEVICES "/nvidia-a100.yaml"));
    catalog_free(e);

    ck_assert_ptr_null(catalog_open("nvidia-a10", &err));
    ck_assert_msg(strstr(err.msg, "no catalog file nvidia-a10.yaml (did you mean 'nvidia-a100'?; searched ") != NULL,
                  "%s", err.msg);
    ck_assert_msg(strstr(err.msg, d1) != NULL, "%s", err.msg);
    /* a bad file found by name keeps file:line:col in front */
    snprintf(path, sizeof path, "%s/my-board.yaml", d1);
    util_write(path, "name: my-board\nkind: device\ndescription: \"\"\nmodels:\n"
                     "  - {model: resnet8, dataset: cifar10, latency: 2.1, source: \"own\"}\nnetwork: []\n");
    {
        struct hi_config c;
        char expect[4400];
        config_defaults(&c);
        config_set_arg(&c, "device.name=my-board", &err);
        config_set_arg(&c, "device.model=resnet8", &err);
        ck_assert_int_eq(profile_apply(&c, &err), HI_EINPUT);
        snprintf(expect, sizeof expect, "%s:5:40: unknown key 'latency' in models[0] (did you mean 'latency_ms'?) "
                 "(while loading device.name: my-board)", path);
        ck_assert_str_eq(err.msg, expect);
    }
    ck_assert_ptr_null(catalog_open("../etc/passwd", &err));
    ck_assert_msg(strstr(err.msg, "expected a catalog name") != NULL, "%s", err.msg);
    unsetenv("HISIM_DEVICES");
}
END_TEST

/* profile_apply fills what the scenario leaves open: S-ML time and energy
 * (001 Table 4), offload energy of the device (001 Table 3), L-ML time
 * (001 §4.1), and the network of 002 §IV for the dataset; filled keys are
 * not marked as set, and applying twice changes nothing. */
START_TEST(test_profile_fills)
{
    struct hi_config c;
    struct hi_error err = {0};
    const char *sets[] = {"dataset=cifar10", "device.name=raspberry-pi-4b", "device.model=resnet8",
                          "server.name=nvidia-a100", "server.model=vit-h-14", "network.name=batch-hi-uplink"};
    size_t i;
    source_catalog();
    config_defaults(&c);
    for (i = 0; i < sizeof sets / sizeof sets[0]; i++)
        ck_assert_msg(config_set_arg(&c, sets[i], &err) == 0, "%s", err.msg);
    ck_assert_msg(profile_apply(&c, &err) == 0, "%s", err.msg);
    ck_assert_double_eq(c.device.tau_ed_ms, 1.63);
    ck_assert_double_eq(c.device.energy_sml_mj, 6.22);
    ck_assert_double_eq(c.device.energy_offload_mj, 27.67);   /* the Pi's own, as batch-hi-uplink has none */
    ck_assert_double_eq(c.device.tx_power_w, 0);
    ck_assert_double_eq(c.server.tau_es_ms, 4.29);            /* without the 2.66 ms preprocessing */
    ck_assert_double_eq(c.network.rate_mbps, 50);
    ck_assert_double_eq(c.network.delay_ms, 20);
    ck_assert_double_eq(c.network.bytes, 3072);               /* the CIFAR10 entry, not the first */
    ck_assert(!config_is_set(&c, "device.tau_ed_ms"));
    ck_assert(!config_is_set(&c, "network.bytes"));
    ck_assert_msg(profile_apply(&c, &err) == 0, "%s", err.msg);
    ck_assert_double_eq(c.device.tau_ed_ms, 1.63);
    ck_assert_double_eq(c.device.energy_offload_mj, 27.67);

    /* the 002 §IV Imagenette setup reproduces the schema defaults */
    {
        struct hi_config d, ref;
        const char *s2[] = {"dataset=imagenette", "device.name=jetson-orin-nano-15w", "device.model=alexnet",
                            "server.name=nvidia-a100", "server.model=convnext", "network.name=batch-hi-uplink"};
        config_defaults(&d);
        config_defaults(&ref);
        for (i = 0; i < sizeof s2 / sizeof s2[0]; i++)
            ck_assert_msg(config_set_arg(&d, s2[i], &err) == 0, "%s", err.msg);
        ck_assert_msg(profile_apply(&d, &err) == 0, "%s", err.msg);
        ck_assert_double_eq(d.device.tau_ed_ms, ref.device.tau_ed_ms);
        ck_assert_double_eq(d.server.tau_es_ms, ref.server.tau_es_ms);
        ck_assert_double_eq(d.network.rate_mbps, ref.network.rate_mbps);
        ck_assert_double_eq(d.network.delay_ms, ref.network.delay_ms);
        ck_assert_double_eq(d.network.bytes, ref.network.bytes);
        ck_assert_double_eq(d.device.energy_offload_mj, 0);    /* no Imagenette offload energy in 001 */
    }

    /* without dataset, the device model's dataset picks the network entry */
    config_defaults(&c);
    ck_assert_int_eq(config_set_arg(&c, "device.name=jetson-orin-nano-15w", &err), 0);
    ck_assert_int_eq(config_set_arg(&c, "device.model=resnet8", &err), 0);
    ck_assert_int_eq(config_set_arg(&c, "device.precision=fp16", &err), 0);
    ck_assert_int_eq(config_set_arg(&c, "network.name=batch-hi-uplink", &err), 0);
    ck_assert_msg(profile_apply(&c, &err) == 0, "%s", err.msg);
    ck_assert_double_eq(c.device.tau_ed_ms, 0.183042);
    ck_assert_double_eq(c.device.energy_sml_mj, 0);            /* Table 8 gives no energy */
    ck_assert_double_eq(c.network.bytes, 3072);
    ck_assert_double_eq(c.device.energy_offload_mj, 55.91);
}
END_TEST

/* Values in the scenario or from -s win over the catalog; a named
 * network's energy model (power × transmission time, wifi.yaml) replaces
 * the device's own offload energy. */
START_TEST(test_profile_explicit)
{
    struct hi_config c;
    struct hi_error err = {0};
    char path[4096];
    source_catalog();
    snprintf(path, sizeof path, "%s", util_tmp("explicit.yaml"));
    util_write(path, "dataset: cifar10\n"
                     "device:\n  name: raspberry-pi-4b\n  model: resnet8\n  tau_ed_ms: 2.5\n"
                     "network:\n  name: wifi\n  delay_ms: 5\n"
                     "server: nvidia-a100\n"
                     "trace: {file: t.csv}\n");
    config_defaults(&c);
    ck_assert_msg(scenario_load(path, &c, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(config_set_arg(&c, "device.energy_sml_mj=1", &err), 0);
    ck_assert_int_eq(config_set_arg(&c, "server.model=vit-h-14", &err), 0);
    ck_assert_int_eq(config_set_arg(&c, "server.tau_es_ms=6.95", &err), 0);
    ck_assert_msg(profile_apply(&c, &err) == 0, "%s", err.msg);
    ck_assert_double_eq(c.device.tau_ed_ms, 2.5);
    ck_assert_double_eq(c.device.energy_sml_mj, 1);
    ck_assert_double_eq(c.device.energy_offload_mj, 0);       /* not the Pi's 27.67 mJ over its own WiFi */
    ck_assert_double_eq(c.device.tx_power_w, 2.71);           /* wifi.yaml, 001 §4.2.1 */
    ck_assert_double_eq(c.network.delay_ms, 5);
    ck_assert_double_eq(c.network.rate_mbps, 3072 * 8.0 / (2.65 * 1e3));   /* bytes·8/latency_ms */
    ck_assert_double_eq(c.network.bytes, 3072);
    ck_assert_double_eq(c.server.tau_es_ms, 6.95);

    ck_assert_int_eq(config_set_arg(&c, "device.energy_offload_mj=3", &err), 0);
    ck_assert_int_eq(config_set_arg(&c, "device.tx_power_w=1.5", &err), 0);
    ck_assert_int_eq(config_set_arg(&c, "network.rate_mbps=20", &err), 0);
    ck_assert_msg(profile_apply(&c, &err) == 0, "%s", err.msg);
    ck_assert_double_eq(c.device.energy_offload_mj, 3);
    ck_assert_double_eq(c.device.tx_power_w, 1.5);
    ck_assert_double_eq(c.network.rate_mbps, 20);
}
END_TEST

/*
 * 001 §4.2.1 as catalog networks.  network.name: ble gives 3072 bytes (a
 * raw 32·32·3 CIFAR-10 image) at 3072·8 bit / 177.13 ms, no separate
 * delay, and the device's 2.23 W while it transmits.  One CIFAR-10
 * offload then takes 177.13 ms and costs 2.23 W × 177.13 ms = 395.0 mJ of
 * device energy, the printed 395 mJ, through the channel module and
 * through a whole run (n offloads, τed = τes = 0: sample k is answered at
 * (k+1)·177.13 ms).  wifi: 2.65 ms and 2.71 W × 2.65 ms = 7.18 mJ, 2.8%
 * under the printed 7.39 mJ, which includes receiving two bytes back (001
 * gives no separate figure for that).  The energy is not counted twice:
 * the per-offload energy is 0, also on a device that lists its own.
 */
START_TEST(test_profile_wifi_ble)
{
    static const struct {
        const char *name;
        double power_w, ms, printed_mj, rel;
    } nets[] = {
        {"ble", 2.23, 177.13, 395, 1e-6},
        {"wifi", 2.71, 2.65, 7.39, 0.03},
    };
    size_t i;
    source_catalog();
    for (i = 0; i < 2; i++) {
        struct hi_config c;
        struct hi_error err = {0};
        struct channel_spec *sp = NULL;
        struct engine_result r;
        struct hi_trace *t = util_random_trace(4, 0, 0, 1);
        char arg[64];
        double tx, mj;
        size_t k;

        config_defaults(&c);
        snprintf(arg, sizeof arg, "network.name=%s", nets[i].name);
        ck_assert_int_eq(config_set_arg(&c, arg, &err), 0);
        ck_assert_int_eq(config_set_arg(&c, "device.name=raspberry-pi-4b", &err), 0);
        ck_assert_int_eq(config_set_arg(&c, "device.model=resnet8", &err), 0);
        ck_assert_msg(profile_apply(&c, &err) == 0, "%s", err.msg);
        ck_assert_double_eq(c.network.bytes, 3072);
        ck_assert_double_eq(c.network.delay_ms, 0);
        ck_assert_double_eq(c.device.tx_power_w, nets[i].power_w);
        ck_assert_double_eq(c.device.energy_offload_mj, 0);   /* the Pi lists 27.67 mJ (001 Table 3) */
        ck_assert_double_eq_tol(c.network.rate_mbps, 3072 * 8 / (nets[i].ms * 1e3), 1e-15);

        ck_assert_msg(channel_spec_load(&sp, &c, &err) == 0, "%s", err.msg);
        tx = channel_tx_seconds(sp, 0, c.network.bytes);
        ck_assert_double_eq_tol(tx, nets[i].ms * 1e-3, 1e-15);
        ck_assert_double_eq(channel_delay_seconds(sp, NULL), 0);   /* const: draws nothing */
        mj = c.device.tx_power_w * tx * 1e3;
        ck_assert_double_eq_tol(mj, nets[i].power_w * nets[i].ms, 1e-9);
        ck_assert_msg(fabs(mj - nets[i].printed_mj) <= nets[i].rel * nets[i].printed_mj, "%s: %.17g mJ", nets[i].name,
                      mj);
        channel_spec_free(sp);

        ck_assert_int_eq(config_set_arg(&c, "policy.name=full-offload", &err), 0);
        ck_assert_int_eq(config_set_arg(&c, "device.tau_ed_ms=0", &err), 0);
        ck_assert_int_eq(config_set_arg(&c, "device.energy_sml_mj=0", &err), 0);
        ck_assert_int_eq(config_set_arg(&c, "server.tau_es_ms=0", &err), 0);
        ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
        ck_assert_uint_eq(r.offloaded, 4);
        ck_assert_double_eq_tol(r.energy_mj, 4 * nets[i].power_w * nets[i].ms, 1e-9);
        ck_assert_double_eq_tol(r.makespan_s, 4 * nets[i].ms * 1e-3, 1e-12);
        for (k = 0, mj = 0; k < 4; k++)
            mj += (double)(k + 1) * nets[i].ms * 1e-3 / 4;
        ck_assert_double_eq_tol(r.mean_response_s, mj, 1e-12);
        engine_result_free(&r);
        trace_free(t);
    }
}
END_TEST

/* Errors name the scenario key and the catalog file. */
START_TEST(test_profile_errors)
{
    static const struct {
        const char *sets[3];
        const char *what[2];
    } cases[] = {
        {{"device.name=raspbery-pi-4b", "device.model=resnet8", NULL},
         {"device.name: no catalog file raspbery-pi-4b.yaml (did you mean 'raspberry-pi-4b'?", NULL}},
        {{"device.name=nvidia-a100", "device.model=convnext", NULL},
         {"device.name: nvidia-a100 is a server, not a device (", "nvidia-a100.yaml)"}},
        {{"device.name=raspberry-pi-4b", NULL, NULL},
         {"device.model: not set: the model on raspberry-pi-4b (", "has: five-layer-cnn, resnet8, resnet56, alexnet,"}},
        {{"device.name=raspberry-pi-4b", "device.model=resnet-8", NULL},
         {"device.model: no entry for model resnet-8 in ", "raspberry-pi-4b.yaml (did you mean 'resnet8'?; available: "}},
        {{"device.name=jetson-orin-nano-15w", "device.model=alexnet", NULL},
         {"device.model: model alexnet is listed for several datasets in ", "set dataset"}},
        {{"device.model=resnet8", NULL, NULL}, {"device.model is set but device.name is not", NULL}},
        {{"server.model=convnext", NULL, NULL}, {"server.model is set but server.name is not", NULL}},
        {{"server.name=nvidia-tesla-t4", "server.model=efficientnet", NULL},
         {"server.model: ", "nvidia-tesla-t4.yaml gives no latency_ms for efficientnet on cifar10 (line "}},
        {{"network.name=batch-hi-uplink", "dataset=fmnist", NULL},
         {"network.name: no network entry for dataset fmnist in ", "(available: uplink on imagenette, uplink on cifar10)"}},
        {{"network.name=raspberry-pi-4b", NULL, NULL}, {"network.name: raspberry-pi-4b is a device, not a network", NULL}},
    };
    size_t i, j;
    source_catalog();
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hi_config c;
        struct hi_error err = {0};
        config_defaults(&c);
        for (j = 0; j < 3 && cases[i].sets[j]; j++)
            ck_assert_msg(config_set_arg(&c, cases[i].sets[j], &err) == 0, "%s", err.msg);
        ck_assert_msg(profile_apply(&c, &err) == HI_EINPUT, "case %zu passed", i);
        ck_assert_msg(strncmp(err.msg, cases[i].what[0], strlen(cases[i].what[0])) == 0, "case %zu: %s", i, err.msg);
        if (cases[i].what[1])
            ck_assert_msg(strstr(err.msg, cases[i].what[1]) != NULL, "case %zu: %s", i, err.msg);
    }
    /* an explicit τes makes a server entry without latency usable */
    {
        struct hi_config c;
        struct hi_error err = {0};
        config_defaults(&c);
        config_set_arg(&c, "server.name=nvidia-tesla-t4", &err);
        config_set_arg(&c, "server.model=efficientnet", &err);
        config_set_arg(&c, "server.tau_es_ms=74.34", &err);
        ck_assert_msg(profile_apply(&c, &err) == 0, "%s", err.msg);
        ck_assert_double_eq(c.server.tau_es_ms, 74.34);
    }
}
END_TEST

/* Every shipped scenario loads and its catalog names resolve. */
START_TEST(test_scenarios)
{
    glob_t g;
    char pattern[4096];
    size_t i;
    source_catalog();
    snprintf(pattern, sizeof pattern, "%s", util_src("scenarios/*.yaml"));
    if (glob(pattern, 0, NULL, &g) != 0)
        return;   /* no scenarios yet: nothing to check */
    for (i = 0; i < g.gl_pathc; i++) {
        struct hi_config c;
        struct hi_error err = {0};
        config_defaults(&c);
        ck_assert_msg(scenario_load(g.gl_pathv[i], &c, &err) == 0, "%s", err.msg);
        ck_assert_msg(profile_apply(&c, &err) == 0, "%s: %s", g.gl_pathv[i], err.msg);
    }
    globfree(&g);
}
END_TEST

Suite *
suite_catalog(void)
{
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("catalog");
    tcase_add_test(tc, test_index_loads);
    tcase_add_test(tc, test_index_complete);
    tcase_add_test(tc, test_paper_numbers);
    tcase_add_test(tc, test_lookup_errors);
    tcase_add_test(tc, test_precision_ambiguity);
    tcase_add_test(tc, test_bad_files);
    tcase_add_test(tc, test_search_path);
    tcase_add_test(tc, test_profile_fills);
    tcase_add_test(tc, test_profile_explicit);
    tcase_add_test(tc, test_profile_wifi_ble);
    tcase_add_test(tc, test_profile_errors);
    tcase_add_test(tc, test_scenarios);
    suite_add_tcase(s, tc);
    return s;
}
