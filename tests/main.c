/* main.c — runs every Check suite; exit status 0 when all pass. */
#include <stdlib.h>

#include <gsl/gsl_errno.h>

#include "tests/suites.h"
#include "tests/util.h"

int
main(void)
{
    Suite *(*const suites[])(void) = {
        suite_kernel, suite_trace, suite_layers, suite_layerfit, suite_split, suite_cloud, suite_cost,
        suite_policy, suite_config, suite_catalog, suite_engine, suite_exec, suite_store, suite_regret,
        suite_batchsize, suite_synth, suite_hil, suite_system,
        suite_channel, suite_cluster,
        suite_omd, suite_oma, suite_lr, suite_neurosurgeon,
        suite_ee, suite_hedge, suite_qos,
        suite_ksum, suite_sha256, suite_quantile, suite_outfile, suite_rng, suite_interrupt, suite_robust,
        suite_edgelesspart, suite_sweep,
    };
    SRunner *sr = srunner_create(NULL);
    size_t i;
    int failed;

    gsl_set_error_handler_off();
    util_tmp("");   /* one temporary directory, made before the tests fork */
    for (i = 0; i < sizeof suites / sizeof suites[0]; i++)
        srunner_add_suite(sr, suites[i]());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    util_cleanup();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
