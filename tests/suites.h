/* suites.h — the Check suites of hisim, one per module. */
#ifndef HISIM_TESTS_SUITES_H
#define HISIM_TESTS_SUITES_H

#include <check.h>

Suite *suite_kernel(void);
Suite *suite_trace(void);
Suite *suite_layers(void);
Suite *suite_layerfit(void);
Suite *suite_split(void);
Suite *suite_cloud(void);
Suite *suite_cost(void);
Suite *suite_policy(void);
Suite *suite_config(void);
Suite *suite_catalog(void);
Suite *suite_engine(void);
Suite *suite_exec(void);
Suite *suite_store(void);
Suite *suite_synth(void);
Suite *suite_hil(void);
Suite *suite_regret(void);
Suite *suite_batchsize(void);
Suite *suite_ksum(void);
Suite *suite_sha256(void);
Suite *suite_quantile(void);
Suite *suite_outfile(void);
Suite *suite_rng(void);
Suite *suite_interrupt(void);
Suite *suite_robust(void);
Suite *suite_omd(void);
Suite *suite_oma(void);
Suite *suite_lr(void);
Suite *suite_neurosurgeon(void);
Suite *suite_ee(void);
Suite *suite_hedge(void);
Suite *suite_qos(void);
Suite *suite_system(void);
Suite *suite_channel(void);
Suite *suite_cluster(void);
Suite *suite_edgelesspart(void);
Suite *suite_sweep(void);

#endif
