/*
 * catalog.h — the device catalog: measured figures of edge devices, edge
 * servers and networks, one YAML file each (traces/devices/README.md has
 * the schema and the sources).
 *
 * A catalog entry is one file: a name, a kind (device, server, network), a
 * description, and two lists of items: models[] (one model on one dataset,
 * maybe at one precision) and network[] (one link, maybe for one dataset);
 * a device may add a third, processors[] (its compute units with rates and
 * powers, for cluster scenarios).
 * Figures the paper does not give are absent: NaN for numbers, NULL for
 * strings.  Loading checks the whole file against the schema; a bad file is
 * rejected with one line "file:line:col: what was expected" (HI_EINPUT).
 *
 * Files are found by name (`raspberry-pi-4b` is raspberry-pi-4b.yaml) in
 * the first folder that has one, in this order:
 *   1. every folder of $HISIM_DEVICES (colon-separated, like $PATH),
 *   2. the installed data folder, $(pkgdatadir)/devices,
 *   3. the source tree's traces/devices.
 *
 * Lookups are linear in the number of items (a file holds a few dozen).
 */
#ifndef HISIM_CATALOG_H
#define HISIM_CATALOG_H

#include <stddef.h>

#include "traces/error.h"

enum catalog_kind { CATALOG_DEVICE, CATALOG_SERVER, CATALOG_NETWORK };

/* One entry of models[] or network[]; both lists share the key set. */
struct catalog_item {
    char *model, *dataset, *precision, *link;  /* NULL when absent */
    double accuracy;         /* fraction in (0, 1] */
    double latency_ms;       /* per inference, or per sample (network[]) */
    double preprocess_ms;    /* servers: input preparation, besides latency_ms */
    double energy_mj;        /* on-device energy per inference or per sample */
    double power_w;
    double rate_mbps;        /* > 0 */
    double bytes;            /* payload per sample; may be fractional */
    double delay_ms;         /* network delay per transmission */
    char *processor, *unit;  /* processors[]: a name, and cpu | gpu | npu */
    double gflops;           /* processors[]: peak rate, GFLOP/s (> 0) */
    double comm_mbps;        /* processors[]: rate to the node's other processors, Mbit/s */
    double active_w, idle_w; /* processors[]: power when busy and when idle */
    char *source, *note;     /* source is always present */
    size_t line, col;        /* position of the entry in its file */
};

struct catalog_entry {
    char *file;              /* the path it was read from */
    char *name;              /* the file name without .yaml */
    enum catalog_kind kind;
    char *description;
    struct catalog_item *models;
    size_t n_models;
    struct catalog_item *network;
    size_t n_network;
    struct catalog_item *processors;   /* optional: compute units of a device (004 Table II) */
    size_t n_processors;
};

/* Reads and checks one catalog file; NULL with err set on failure. */
struct catalog_entry *catalog_load(const char *path, struct hi_error *err);

/* Finds `name` on the search path and loads it.  An unknown name is
 * HI_EINPUT naming the closest known one and the folders searched. */
struct catalog_entry *catalog_open(const char *name, struct hi_error *err);

/* The path of catalog file `name` on the search path, into buf. */
int catalog_resolve(const char *name, char *buf, size_t len, struct hi_error *err);

void catalog_free(struct catalog_entry *e);

/* "device", "server" or "network". */
const char *catalog_kind_name(enum catalog_kind k);

/*
 * The models[] item of `model` on `dataset` at `precision`.  NULL or ""
 * leaves a field open.  Among several matches:
 *   - with `precision` given, only the items of that precision match;
 *   - without it, the item that has no precision (a paper's main result,
 *     001 Table 4) wins over the per-precision items (001 Table 8); when
 *     every match has a precision, exactly one must match;
 *   - without `dataset`, the model must be listed for one dataset only.
 * Anything left ambiguous or unmatched is HI_EINPUT listing what the file
 * has ("no entry for model X on dataset Y in FILE (available: ...)").
 */
const struct catalog_item *catalog_find_model(const struct catalog_entry *e, const char *model,
                                              const char *dataset, const char *precision,
                                              struct hi_error *err);

/*
 * The first network[] item, in file order, for `dataset` that gives
 * figure `key` ("energy_mj", "rate_mbps", ...; NULL: any item).  Items for
 * `dataset` come first; items with no dataset apply to every dataset and
 * are the fallback.  Without `dataset`, every item is a candidate.
 */
const struct catalog_item *catalog_find_link(const struct catalog_entry *e, const char *dataset,
                                             const char *key, struct hi_error *err);

/* The value of numeric key `key` of an item (NaN when absent or unknown). */
double catalog_number(const struct catalog_item *it, const char *key);

#endif
