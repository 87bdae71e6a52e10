/* qos.c — 001 Table 5's strategy selector on the device catalog (qos.h). */
#include "analysis/qos.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/catalog.h"

/* 001 §3.3: "at 90%" for MNIST and CIFAR-10, "at least 80%" for
 * ImageNet-1K; "less than half the time (energy) required to offload an
 * image and receive the inference back". */
#define QOS_ACC_CIFAR10 0.90
#define QOS_ACC_IMAGENET 0.80
#define QOS_FACTOR 0.5

static const struct {
    const char *name, *label;
} labels[] = {
    {"cifar10", "CIFAR-10"}, {"imagenet-1k", "ImageNet-1K"},
    {"coral-dev-board-micro", "Coral Micro"}, {"raspberry-pi-4b", "Raspberry Pi"},
    {"jetson-orin-nano-15w", "Jetson Orin"},
    {"resnet8", "ResNet-8"}, {"resnet56", "ResNet-56"}, {"resnet18", "ResNet-18"},
    {"resnet50", "ResNet-50"}, {"alexnet", "AlexNet"}, {"regnety32gf", "RegNetY32GF"},
    {"vit-h-14", "ViT-H/14"}, {"convnext", "ConvNeXt"},
};

const char *
qos_label(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].name, name) == 0)
            return labels[i].label;
    return name;
}

/* The rows of Table 5; the Jetson at 15 W (the mode the HI rows of 001
 * §4.4 are consistent with, docs/baselines.md). */
void
qos_row(size_t i, const char **dataset, const char **device)
{
    static const char *const devices[3] = {"coral-dev-board-micro", "raspberry-pi-4b", "jetson-orin-nano-15w"};
    *dataset = i < 3 ? "cifar10" : "imagenet-1k";
    *device = devices[i % 3];
}

/* a better than b on the column's objective, then its tie-break. */
static int
better(const struct qos_candidate *a, const struct qos_candidate *b, enum qos_column col, int feasible)
{
    if (!feasible) {
        /* the fallbacks: most accurate, fastest, least energy */
        if (col == QOS_ACCURACY)
            return a->accuracy > b->accuracy || (a->accuracy == b->accuracy && a->latency_ms < b->latency_ms);
        if (col == QOS_LATENCY)
            return a->latency_ms < b->latency_ms || (a->latency_ms == b->latency_ms && a->energy_mj < b->energy_mj);
        return a->energy_mj < b->energy_mj || (a->energy_mj == b->energy_mj && a->latency_ms < b->latency_ms);
    }
    if (col == QOS_ACCURACY)
        return a->latency_ms < b->latency_ms || (a->latency_ms == b->latency_ms && a->energy_mj < b->energy_mj);
    if (col == QOS_LATENCY)
        return a->accuracy > b->accuracy || (a->accuracy == b->accuracy && a->energy_mj < b->energy_mj);
    return a->accuracy > b->accuracy || (a->accuracy == b->accuracy && a->latency_ms < b->latency_ms);
}

struct qos_choice
qos_select(const struct qos_candidate *c, size_t n, enum qos_column col, double accuracy_min, double latency_max,
           double energy_max)
{
    struct qos_choice ch = {0, 0};
    size_t i;
    int found = 0, pass;
    for (pass = 1; pass >= 0 && !found; pass--) {
        for (i = 0; i < n; i++) {
            int ok = col == QOS_ACCURACY ? c[i].accuracy >= accuracy_min
                   : col == QOS_LATENCY ? c[i].latency_ms <= latency_max : c[i].energy_mj <= energy_max;
            if (pass && !ok)
                continue;
            if (!found || better(&c[i], &c[ch.index], col, pass)) {
                ch.index = i;
                found = 1;
            }
        }
        ch.feasible = pass && found;
    }
    return ch;
}

static int
complete(const struct catalog_item *it)
{
    return !isnan(it->accuracy) && !isnan(it->latency_ms) && !isnan(it->energy_mj);
}

static int
ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int
qos_cell(struct qos_cell *cell, const char *dataset, const char *device, const struct qos_requirements *req,
         struct hi_error *err)
{
    struct catalog_entry **own = calloc(2, sizeof *own);
    const struct catalog_item *link, *srv = NULL;
    const char *remote_model = strcmp(dataset, "cifar10") == 0 ? "vit-h-14" : "convnext";
    double acc = strcmp(dataset, "cifar10") == 0 ? QOS_ACC_CIFAR10 : QOS_ACC_IMAGENET;
    double lf = QOS_FACTOR, ef = QOS_FACTOR;
    size_t i;

    memset(cell, 0, sizeof *cell);
    cell->owned = own;
    if (!own)
        return error_set(err, HI_EINTERNAL, "out of memory");
    if (req) {
        double a = strcmp(dataset, "cifar10") == 0 ? req->accuracy_cifar10 : req->accuracy_imagenet;
        if (!isnan(a))
            acc = a;
        if (!isnan(req->latency_factor))
            lf = req->latency_factor;
        if (!isnan(req->energy_factor))
            ef = req->energy_factor;
    }
    cell->dataset = dataset;
    cell->device = device;
    cell->dataset_label = qos_label(dataset);
    cell->device_label = qos_label(device);
    if (!(own[0] = catalog_open(device, err)) || !(own[1] = catalog_open("nvidia-a100", err)))
        return err->status;
    for (i = 0; i < own[0]->n_models && cell->n_cand < QOS_MAX_CANDIDATES; i++) {
        const struct catalog_item *it = &own[0]->models[i];
        struct qos_candidate *c = &cell->cand[cell->n_cand];
        char base[64];
        if (!it->model || !it->dataset || strcmp(it->dataset, dataset) != 0 || it->precision || !complete(it)
            || ends_with(it->model, "-ee-hi"))
            continue;
        snprintf(c->model, sizeof c->model, "%s", it->model);
        c->hi = ends_with(it->model, "-hi");
        if (c->hi) {
            snprintf(base, sizeof base, "%.*s", (int)(strlen(it->model) - 3), it->model);
            snprintf(c->label, sizeof c->label, "%s + HI", qos_label(base));
        } else {
            snprintf(c->label, sizeof c->label, "On Device (%s)", qos_label(it->model));
        }
        c->accuracy = it->accuracy;
        c->latency_ms = it->latency_ms;
        c->energy_mj = it->energy_mj;
        c->source = it->source;
        cell->n_cand++;
    }
    /* remote: the device's end-to-end WiFi offload with energy (001 Table 3) */
    link = catalog_find_link(own[0], dataset, "energy_mj", err);
    for (i = 0; i < own[1]->n_models; i++)
        if (own[1]->models[i].model && strcmp(own[1]->models[i].model, remote_model) == 0
            && own[1]->models[i].dataset && strcmp(own[1]->models[i].dataset, dataset) == 0)
            srv = &own[1]->models[i];
    if (!link || isnan(link->latency_ms) || isnan(link->energy_mj) || !srv || isnan(srv->accuracy))
        return error_set(err, HI_EINPUT, "hisim qos: the catalog lacks the offload of %s on %s (001 Table 3) or "
                         "%s's accuracy on nvidia-a100", device, dataset, remote_model);
    if (cell->n_cand < QOS_MAX_CANDIDATES) {
        struct qos_candidate *c = &cell->cand[cell->n_cand++];
        snprintf(c->label, sizeof c->label, "Remote Inference");
        snprintf(c->model, sizeof c->model, "remote (%s)", remote_model);
        c->remote = 1;
        c->accuracy = srv->accuracy;
        c->latency_ms = link->latency_ms;
        c->energy_mj = link->energy_mj;
        c->source = link->source;
    }
    cell->accuracy_min = acc;
    cell->latency_max = lf * link->latency_ms;
    cell->energy_max = ef * link->energy_mj;
    for (i = 0; i < QOS_COLUMNS; i++)
        cell->choice[i] = qos_select(cell->cand, cell->n_cand, (enum qos_column)i, cell->accuracy_min,
                                     cell->latency_max, cell->energy_max);
    return HI_OK;
}

void
qos_cell_free(struct qos_cell *cell)
{
    struct catalog_entry **own = cell->owned;
    if (own) {
        catalog_free(own[0]);
        catalog_free(own[1]);
        free(own);
    }
    cell->owned = NULL;
}
