/*
 * qos.h — 001's QoS-driven strategy selector (001 §3.3, Table 5).
 *
 * For a dataset and a device, the candidates are every strategy the
 * catalog gives accuracy, latency and energy for: the on-device base
 * models (001 Table 4; entries without a precision), the HI systems
 * (`<base>-hi`: Table 6, and rows derived for Table 5, whose notes say
 * so), and remote inference (the device's offload over WiFi, Table 3,
 * with the server model's accuracy, §4.1).  EE-HI is not a Table 5
 * candidate.  One requirement is fixed per column and the strategy with
 * the most gain on the others is chosen:
 *
 *   accuracy ≥ A          the fastest feasible (ties: the least energy);
 *                         none feasible: the most accurate
 *   latency ≤ f·t_off     the most accurate feasible (ties: the least
 *                         energy); none: the fastest
 *   energy ≤ f·e_off      the most accurate feasible (ties: the fastest);
 *                         none: the least energy
 *
 * t_off, e_off are remote inference's own figures, so remote never meets
 * the latency or energy requirement for f < 1 and is chosen there only as
 * the fallback ("remote inference is also the fastest and most
 * energy-efficient solution in this scenario", 001 §4.4).  The constants
 * (A = 90% for CIFAR-10, 80% for ImageNet-1K, f = 0.5) are 001 §3.3's.
 * This rule reproduces all 18 cells of Table 5 (tests/check_qos.c).
 */
#ifndef HISIM_QOS_H
#define HISIM_QOS_H

#include <stddef.h>
#include "traces/error.h"

#define QOS_MAX_CANDIDATES 32

struct qos_candidate {
    char label[96];         /* "ResNet-8 + HI", "On Device (ResNet-56)", "Remote Inference" */
    char model[64];         /* catalog model, or "remote" */
    double accuracy, latency_ms, energy_mj;
    int remote, hi;
    const char *source;     /* points into the loaded catalog: valid until qos_free */
};

enum qos_column { QOS_ACCURACY, QOS_LATENCY, QOS_ENERGY, QOS_COLUMNS };

struct qos_choice {
    size_t index;           /* into the candidates */
    int feasible;           /* 0: the fallback */
};

struct qos_cell {
    const char *dataset, *device;         /* catalog names */
    const char *dataset_label, *device_label;
    double accuracy_min, latency_max, energy_max;
    struct qos_candidate cand[QOS_MAX_CANDIDATES];
    size_t n_cand;
    struct qos_choice choice[QOS_COLUMNS];
    void *owned;            /* the catalog entries the sources point into */
};

/* The requirements (001 §3.3): accuracy thresholds per dataset and the
 * latency and energy factors; NaN keeps the paper's value. */
struct qos_requirements {
    double accuracy_cifar10, accuracy_imagenet, latency_factor, energy_factor;
};

/* Picks column `col` among n candidates under the limits (the rule above). */
struct qos_choice qos_select(const struct qos_candidate *c, size_t n, enum qos_column col,
                             double accuracy_min, double latency_max, double energy_max);

/* Builds the candidates of dataset/device from the catalog and selects
 * every column.  HI_EINPUT for a catalog entry that is missing. */
int qos_cell(struct qos_cell *cell, const char *dataset, const char *device, const struct qos_requirements *req,
             struct hi_error *err);
void qos_cell_free(struct qos_cell *cell);

/* The six (dataset, device) rows of Table 5, in the paper's order. */
#define QOS_ROWS 6
void qos_row(size_t i, const char **dataset, const char **device);

/* "CIFAR-10", "Coral Micro", ...; the name itself when unknown. */
const char *qos_label(const char *name);

#endif
