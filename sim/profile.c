/*
 * profile.c — catalog figures into the configuration (profile.h).
 *
 * The dataset of every lookup is the scenario's `dataset`; when that is
 * not set, the dataset of the device's model (else of the server's model)
 * once that model is found, so that `device.model: resnet8` alone picks
 * the CIFAR-10 network figures of a device that lists ResNet-8 on
 * CIFAR-10 only.
 */
#include "sim/profile.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/exec.h"
#include "traces/catalog.h"
#include "traces/layers.h"

/* Sets a number key unless the scenario or -s set it, or v is absent. */
static void
fill(struct hi_config *cfg, const char *path, double *field, double v)
{
    if (!isnan(v) && !config_is_set(cfg, path))
        *field = v;
}

/* Opens catalog entry `name` for key `key` and checks its kind. */
static struct catalog_entry *
open_entry(const char *key, const char *name, enum catalog_kind kind, struct hi_error *err)
{
    struct hi_error sub = {0};
    char path[4200];
    struct catalog_entry *e;
    if (catalog_resolve(name, path, sizeof path, &sub)) {
        error_set(err, sub.status, "%s: %s", key, sub.msg);
        return NULL;
    }
    /* a bad file keeps its file:line:col in front, libyaml-style */
    if (!(e = catalog_load(path, &sub))) {
        error_set(err, sub.status, "%s (while loading %s: %s)", sub.msg, key, name);
        return NULL;
    }
    if (e->kind != kind) {
        error_set(err, HI_EINPUT, "%s: %s is a %s, not a %s (%s)", key, name, catalog_kind_name(e->kind),
                  catalog_kind_name(kind), e->file);
        catalog_free(e);
        return NULL;
    }
    return e;
}

/* The models[] item of `key_model` (device.model or server.model). */
static const struct catalog_item *
find_model(const struct catalog_entry *e, const char *key_model, const char *model, const char *dataset,
           const char *precision, struct hi_error *err)
{
    struct hi_error sub = {0};
    const struct catalog_item *it;
    if (!*model) {
        char list[600] = "";
        size_t i, k = 0;
        for (i = 0; i < e->n_models && k < sizeof list; i++) {
            size_t j;
            for (j = 0; j < i && strcmp(e->models[j].model, e->models[i].model) != 0; j++)
                ;
            if (j == i)
                k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", k ? ", " : "", e->models[i].model);
        }
        error_set(err, HI_EINPUT, "%s: not set: the model on %s (%s has: %s)", key_model, e->name, e->file,
                  k ? list : "no models");
        return NULL;
    }
    it = catalog_find_model(e, model, dataset, precision, &sub);
    if (!it)
        error_set(err, sub.status, "%s: %s", key_model, sub.msg);
    return it;
}

static int
apply_device(struct hi_config *cfg, const char *dataset, char *model_dataset, size_t len, double *offload_mj,
             struct hi_error *err)
{
    struct catalog_entry *e = open_entry("device.name", cfg->device.name, CATALOG_DEVICE, err);
    const struct catalog_item *it, *link;
    int rc = HI_EINPUT;

    if (!e)
        return HI_EINPUT;
    it = find_model(e, "device.model", cfg->device.model, dataset, cfg->device.precision, err);
    if (!it)
        goto out;
    if (isnan(it->latency_ms) && !config_is_set(cfg, "device.tau_ed_ms")) {
        error_set(err, HI_EINPUT, "device.model: %s gives no latency_ms for %s on %s (line %zu): set device.tau_ed_ms",
                  e->file, it->model, it->dataset, it->line);
        goto out;
    }
    fill(cfg, "device.tau_ed_ms", &cfg->device.tau_ed_ms, it->latency_ms);
    fill(cfg, "device.energy_sml_mj", &cfg->device.energy_sml_mj, it->energy_mj);
    snprintf(model_dataset, len, "%s", it->dataset);
    /* the device's own offload energy (001 Table 3), if it lists one */
    link = catalog_find_link(e, *dataset ? dataset : it->dataset, "energy_mj", NULL);
    if (link)
        *offload_mj = link->energy_mj;
    rc = HI_OK;
out:
    catalog_free(e);
    return rc;
}

static int
apply_server(struct hi_config *cfg, const char *dataset, char *model_dataset, size_t len, struct hi_error *err)
{
    struct catalog_entry *e = open_entry("server.name", cfg->server.name, CATALOG_SERVER, err);
    const struct catalog_item *it;
    int rc = HI_EINPUT;

    if (!e)
        return HI_EINPUT;
    it = find_model(e, "server.model", cfg->server.model, dataset, NULL, err);
    if (!it)
        goto out;
    if (isnan(it->latency_ms) && !config_is_set(cfg, "server.tau_es_ms")) {
        error_set(err, HI_EINPUT, "server.model: %s gives no latency_ms for %s on %s (line %zu): set server.tau_es_ms",
                  e->file, it->model, it->dataset, it->line);
        goto out;
    }
    /* inference time only: 002 §IV uses τes = 4.41 ms for ConvNeXt, without the 0.7 ms preprocessing */
    fill(cfg, "server.tau_es_ms", &cfg->server.tau_es_ms, it->latency_ms);
    /* the request's input preparation (001 §4.1: 4.29 + 2.66 = 6.95 ms for ViT-H/14) belongs to
     * the catalog's inference time: it comes with it, not with a time set here or by a profile */
    if (!config_is_set(cfg, "server.tau_es_ms") && !cfg->server.profile[0])
        fill(cfg, "server.preprocess_ms", &cfg->server.preprocess_ms, it->preprocess_ms);
    snprintf(model_dataset, len, "%s", it->dataset);
    rc = HI_OK;
out:
    catalog_free(e);
    return rc;
}

static int
apply_network(struct hi_config *cfg, const char *dataset, double *offload_mj, int *bytes_filled,
              struct hi_error *err)
{
    struct catalog_entry *e = open_entry("network.name", cfg->network.name, CATALOG_NETWORK, err);
    struct hi_error sub = {0};
    const struct catalog_item *it;
    double rate;

    if (!e)
        return HI_EINPUT;
    it = catalog_find_link(e, dataset, NULL, &sub);
    if (!it) {
        error_set(err, sub.status, "network.name: %s", sub.msg);
        catalog_free(e);
        return HI_EINPUT;
    }
    /* a network entry's latency_ms is the time of `bytes` on the link (τtx =
     * B/R in 002 §IV, the transmission time of 001 §4.2.1), so an entry that
     * gives no rate has rate bytes·8/latency_ms */
    rate = it->rate_mbps;
    if (isnan(rate) && it->bytes > 0 && it->latency_ms > 0)
        rate = it->bytes * 8.0 / (it->latency_ms * 1e3);
    fill(cfg, "network.rate_mbps", &cfg->network.rate_mbps, rate);
    fill(cfg, "network.delay_ms", &cfg->network.delay_ms, it->delay_ms);
    fill(cfg, "network.bytes", &cfg->network.bytes, it->bytes);
    *bytes_filled = !isnan(it->bytes);
    if (!isnan(it->power_w)) {
        /* the device's power while it transmits (001 §4.2.1): the engine charges
         * power × transmission time, which is what energy_mj measured (BLE:
         * 2.23 W × 177.13 ms = 395 mJ); a per-offload energy besides it, this
         * entry's or the device's own (another link, 001 Table 3), would count
         * the transmission twice */
        fill(cfg, "device.tx_power_w", &cfg->device.tx_power_w, it->power_w);
        *offload_mj = 0;
    } else if (!isnan(it->energy_mj)) {
        *offload_mj = it->energy_mj;
    }
    catalog_free(e);
    return HI_OK;
}

/* The layer profiles' times replace the constants they describe (an
 * explicit constant next to a profile is an error, exec_check_config).  A
 * catalog S-ML energy is rescaled with the time so that the device's power
 * (energy / latency) stays the catalog's; device.power_w gives the S-ML's
 * energy; a profile's raw sample size stands in for network.bytes when
 * neither the scenario nor a catalog network gives one. */
static int
apply_layer_profiles(struct hi_config *cfg, int bytes_filled, struct hi_error *err)
{
    struct hi_layers L;
    double raw = NAN;

    if (cfg->device.profile[0]) {
        double ms;
        if (exec_load_profile(&L, "device.profile", cfg->device.profile, err))
            return HI_EINPUT;
        ms = layers_ms(&L, 0, L.n, cfg->device.speed);
        if (cfg->device.name[0] && !config_is_set(cfg, "device.energy_sml_mj") && cfg->device.tau_ed_ms > 0.0)
            cfg->device.energy_sml_mj *= ms / cfg->device.tau_ed_ms;   /* the catalog's power */
        cfg->device.tau_ed_ms = ms;
        raw = L.raw_bytes;
        layers_free(&L);
    }
    if (cfg->server.profile[0]) {
        if (exec_load_profile(&L, "server.profile", cfg->server.profile, err))
            return HI_EINPUT;
        cfg->server.tau_es_ms = layers_ms(&L, 0, L.n, cfg->server.speed);
        if (isnan(raw))
            raw = L.raw_bytes;
        layers_free(&L);
    }
    if (!isnan(cfg->device.power_w) && !config_is_set(cfg, "device.energy_sml_mj"))
        cfg->device.energy_sml_mj = cfg->device.power_w * cfg->device.tau_ed_ms;   /* W x ms = mJ */
    if (!isnan(raw) && !bytes_filled && !config_is_set(cfg, "network.bytes"))
        cfg->network.bytes = raw;
    return HI_OK;
}

int
profile_apply(struct hi_config *cfg, struct hi_error *err)
{
    int bytes_filled = 0;
    char server_dataset[CONFIG_NAME_MAX] = "", device_dataset[CONFIG_NAME_MAX] = "";
    const char *dataset = cfg->dataset;
    double offload_mj = NAN;

    if (!cfg->device.name[0] && (cfg->device.model[0] || cfg->device.precision[0]))
        return error_set(err, HI_EINPUT, "%s is set but device.name is not (the catalog device it runs on)",
                         cfg->device.model[0] ? "device.model" : "device.precision");
    if (!cfg->server.name[0] && cfg->server.model[0])
        return error_set(err, HI_EINPUT, "server.model is set but server.name is not (the catalog server it runs on)");
    if (exec_check_config(cfg, err))
        return HI_EINPUT;

    if (cfg->device.name[0] && apply_device(cfg, dataset, device_dataset, sizeof device_dataset, &offload_mj, err))
        return HI_EINPUT;
    if (cfg->server.name[0]) {
        if (apply_server(cfg, dataset[0] ? dataset : device_dataset, server_dataset, sizeof server_dataset, err))
            return HI_EINPUT;
    }
    if (!dataset[0])
        dataset = device_dataset[0] ? device_dataset : server_dataset;
    if (cfg->network.name[0] && apply_network(cfg, dataset, &offload_mj, &bytes_filled, err))
        return HI_EINPUT;
    fill(cfg, "device.energy_offload_mj", &cfg->device.energy_offload_mj, offload_mj);
    return apply_layer_profiles(cfg, bytes_filled, err);
}
