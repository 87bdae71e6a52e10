/* check_config.c — scenario loading, -s overrides, and bad scenarios. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/config.h"
#include "sim/scenario.h"
#include "tests/suites.h"
#include "tests/util.h"

/* A scenario sets keys in sections; the rest keep their defaults; a
 * relative trace path is resolved against the scenario's folder; the
 * run name defaults to the file name. */
START_TEST(test_load)
{
    struct hi_config c;
    struct hi_error err = {0};
    const char *path = util_tmp("ok.yaml");
    char expect[4200];
    util_write(path,
               "# a comment\n"
               "seed: 99\n"
               "trace:\n  file: data/t.csv\n  order: shuffle\n  samples: 500\n"
               "policy:\n  name: no-offload\n  theta: 0.25\n"
               "cost: {beta: 0.3, lml_error: 1}\n");
    config_defaults(&c);
    ck_assert_msg(scenario_load(path, &c, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(c.seed, 99);
    snprintf(expect, sizeof expect, "%s", util_tmp("data/t.csv"));
    ck_assert_str_eq(c.trace.file, expect);
    ck_assert_int_eq(c.trace.order, ORDER_SHUFFLE);
    ck_assert_uint_eq(c.trace.samples, 500);
    ck_assert_str_eq(c.policy.name, "no-offload");
    ck_assert_double_eq(c.policy.theta, 0.25);
    ck_assert_double_eq(c.cost.beta, 0.3);
    ck_assert_double_eq(c.cost.lml_error, 1.0);
    ck_assert_double_eq(c.network.delay_ms, 20.0);   /* default */
    ck_assert(isnan(c.policy.eta));                  /* auto */
    ck_assert_str_eq(c.name, "ok");
}
END_TEST

/* -s overrides any key after the file; keywords map to NaN/0; a scalar
 * for a section sets its name. */
START_TEST(test_overrides)
{
    struct hi_config c;
    struct hi_error err = {0};
    const char *path = util_tmp("sugar.yaml");
    char buf[64];
    util_write(path, "policy: full-offload\ntrace:\n  file: /abs/t.csv\n");
    config_defaults(&c);
    ck_assert_int_eq(scenario_load(path, &c, &err), 0);
    ck_assert_str_eq(c.policy.name, "full-offload");
    ck_assert_str_eq(c.trace.file, "/abs/t.csv");
    ck_assert_int_eq(config_set_arg(&c, "policy.theta=0.6", &err), 0);
    ck_assert_int_eq(config_set_arg(&c, "cost.beta=0.3", &err), 0);
    ck_assert_int_eq(config_set_arg(&c, "policy.batch=auto", &err), 0);
    ck_assert_int_eq(config_set_arg(&c, "trace.file=rel.csv", &err), 0);
    ck_assert_double_eq(c.policy.theta, 0.6);
    ck_assert_double_eq(c.cost.beta, 0.3);
    ck_assert_uint_eq(c.policy.batch, 0);
    ck_assert_str_eq(c.trace.file, "rel.csv");    /* relative to the cwd */
    ck_assert_int_eq(config_set_arg(&c, "policy.theta=optimal", &err), 0);
    ck_assert(isnan(c.policy.theta));
    config_format(&c, config_find("policy.theta"), buf, sizeof buf);
    ck_assert_str_eq(buf, "optimal");
    config_format(&c, config_find("cost.beta"), buf, sizeof buf);
    ck_assert_str_eq(buf, "0.3");
}
END_TEST

/* The keys that scripts rely on (design.md, "Command line") exist. */
START_TEST(test_contract_keys)
{
    const char *keys[] = {"seed", "trace.file", "trace.order", "trace.samples", "policy.name", "policy.theta",
                          "policy.eta", "policy.batch", "cost.beta", "cost.lml_error"};
    size_t i;
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
        ck_assert_msg(config_find(keys[i]) != NULL, "%s", keys[i]);
}
END_TEST

static void
expect_bad_yaml(const char *name, const char *text, const char *want)
{
    struct hi_config c;
    struct hi_error err = {0};
    const char *path = util_tmp(name);
    char prefix[4200];
    util_write(path, text);
    config_defaults(&c);
    ck_assert_msg(scenario_load(path, &c, &err) == HI_EINPUT, "%s: accepted", name);
    snprintf(prefix, sizeof prefix, "%s:", path);
    ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0, "%s: '%s'", name, err.msg);
    ck_assert_msg(strstr(err.msg, want) != NULL, "%s: '%s' lacks '%s'", name, err.msg, want);
}

/* Each bad scenario fails with file:line:col and what was expected. */
START_TEST(test_bad_scenarios)
{
    expect_bad_yaml("malformed.yaml", "policy:\n  name: \"unclosed\n", "malformed YAML");
    expect_bad_yaml("indent.yaml", "policy:\n  name: no-offload\n theta: 1\n", "malformed YAML");
    expect_bad_yaml("tab.yaml", "cost:\n\tbeta: 0.5\n", "malformed YAML");
    expect_bad_yaml("unknown.yaml", "seed: 1\npolicy:\n  thetaa: 0.5\n",
                    ":3:3: unknown key 'policy.thetaa' (did you mean 'policy.theta'?)");
    expect_bad_yaml("unknown2.yaml", "costs:\n  beta: 0.5\n", ":1:1: unknown key 'costs'");
    expect_bad_yaml("type.yaml", "cost:\n  beta: high\n",
                    ":2:9: cost.beta: expected a number in [0, 1], found 'high'");
    expect_bad_yaml("type2.yaml", "cost:\n  beta: [0.1, 0.2]\n", ":2:9: cost.beta: expected a scalar or a mapping, found a sequence");
    expect_bad_yaml("type3.yaml", "cost: 0.5\n", "'cost' is a section");
    expect_bad_yaml("type4.yaml", "seed: -3\n", "seed: expected an integer");
    expect_bad_yaml("beta.yaml", "cost:\n  beta: 1.5\n", ":2:9: cost.beta: 1.5 is out of range: expected a number in [0, 1]");
    expect_bad_yaml("theta.yaml", "policy:\n  theta: -0.1\n", "policy.theta: -0.1 is out of range: expected a number in [0, 1] or 'optimal'");
    expect_bad_yaml("time.yaml", "device:\n  tau_ed_ms: -1\n", "device.tau_ed_ms: -1 is out of range: expected a number >= 0");
    expect_bad_yaml("rate.yaml", "network:\n  rate_mbps: 0\n", "expected a number > 0");
    expect_bad_yaml("policy.yaml", "policy:\n  name: fixed-treshold\n", "unknown policy 'fixed-treshold' (did you mean 'fixed-threshold'?)");
    expect_bad_yaml("order.yaml", "trace:\n  order: random\n", "expected one of sequential, shuffle, bootstrap");
    expect_bad_yaml("dup.yaml", "seed: 1\nseed: 2\n", ":2:7: duplicate key 'seed' (first set on line 1)");
    expect_bad_yaml("list.yaml", "- a\n- b\n", ":1:1: expected a mapping of scenario keys, found a sequence");
    expect_bad_yaml("empty.yaml", "", "empty scenario");
    expect_bad_yaml("two.yaml", "seed: 1\n---\nseed: 2\n", "found a second one");
    expect_bad_yaml("alias.yaml", "a: &x 1\n", "unknown key 'a'");
    /* a top-level typo gets the section it meant */
    expect_bad_yaml("polcy.yaml", "polcy:\n  name: hil-f\n", ":1:1: unknown key 'polcy' (did you mean 'policy'?)");
}
END_TEST

/* Suggestions only where they make sense: a typo of a key of the same
 * section, a section, or the same last part elsewhere; otherwise the
 * sections are listed, not a random key ("zzzz" used to suggest 'name',
 * ".beta" 'seed'). */
START_TEST(test_suggestions)
{
    struct hi_config c;
    struct hi_error err = {0};
    config_defaults(&c);
    ck_assert_int_eq(config_set_arg(&c, "zzzz=1", &err), HI_EINPUT);
    ck_assert_msg(strstr(err.msg, "unknown key 'zzzz' (sections: trace, policy, ") != NULL
                  && strstr(err.msg, "; top-level keys: name, seed, ") != NULL && strstr(err.msg, "did you mean") == NULL,
                  "%s", err.msg);
    ck_assert_int_eq(config_set_arg(&c, ".beta=0.3", &err), HI_EINPUT);
    ck_assert_str_eq(err.msg, "-s: unknown key '.beta' (did you mean 'cost.beta'?)");
    ck_assert_int_eq(config_set_arg(&c, "policy.zzzz=1", &err), HI_EINPUT);
    ck_assert_msg(strstr(err.msg, "did you mean") == NULL && strstr(err.msg, "sections:") != NULL, "%s", err.msg);
    ck_assert_int_eq(config_set_arg(&c, "polcy.theta=0.5", &err), HI_EINPUT);
    ck_assert_str_eq(err.msg, "-s: unknown key 'polcy.theta' (did you mean 'policy.theta'?)");
    ck_assert_int_eq(config_set_arg(&c, "trace.sample=5", &err), HI_EINPUT);
    ck_assert_str_eq(err.msg, "-s: unknown key 'trace.sample' (did you mean 'trace.samples'?)");
}
END_TEST

/* -s accepts the shorthand YAML accepts: a section's name. */
START_TEST(test_section_shorthand)
{
    struct hi_config c;
    struct hi_error err = {0};
    config_defaults(&c);
    ck_assert_int_eq(config_set_arg(&c, "policy=hil-f", &err), 0);
    ck_assert_str_eq(c.policy.name, "hil-f");
    ck_assert(config_is_set(&c, "policy.name"));
    ck_assert_int_eq(config_set_arg(&c, "policy=hil-x", &err), HI_EINPUT);
    ck_assert_msg(strstr(err.msg, "policy.name: unknown policy 'hil-x'") != NULL, "%s", err.msg);
    ck_assert_int_eq(config_set_arg(&c, "cost=0.5", &err), HI_EINPUT);   /* cost has no name */
}
END_TEST

/* -s errors name the flag and what was expected; a missing scenario too. */
START_TEST(test_bad_overrides)
{
    struct hi_config c;
    struct hi_error err = {0};
    config_defaults(&c);
    ck_assert_int_eq(config_set_arg(&c, "cost.bta=0.3", &err), HI_EINPUT);
    ck_assert_str_eq(err.msg, "-s: unknown key 'cost.bta' (did you mean 'cost.beta'?)");
    ck_assert_int_eq(config_set_arg(&c, "policy.theta", &err), HI_EINPUT);
    ck_assert_str_eq(err.msg, "-s policy.theta: expected key.path=value");
    ck_assert_int_eq(config_set_arg(&c, "trace.samples=2.5", &err), HI_EINPUT);
    ck_assert_str_eq(err.msg, "-s: trace.samples: expected an integer >= 1 or 'all', found '2.5'");
    ck_assert_int_eq(scenario_load("/nonexistent.yaml", &c, &err), HI_EINPUT);
    ck_assert_str_eq(err.msg, "/nonexistent.yaml: cannot open scenario: No such file or directory");
    ck_assert_double_eq(c.cost.beta, 0.5);    /* failed sets change nothing */
}
END_TEST

/* The effective configuration as JSON carries every key. */
START_TEST(test_json)
{
    struct hi_config c;
    char *j;
    size_t i;
    config_defaults(&c);
    j = config_to_json(&c);
    ck_assert_ptr_nonnull(j);
    for (i = 0; i < config_n_keys; i++) {
        char key[160];
        snprintf(key, sizeof key, "\"%s\":", config_keys[i].path);
        ck_assert_msg(strstr(j, key) != NULL, "%s missing", key);
    }
    ck_assert_ptr_nonnull(strstr(j, "\"policy.theta\":\"optimal\""));
    ck_assert_ptr_nonnull(strstr(j, "\"cost.beta\":0.5"));
    free(j);
}
END_TEST

Suite *
suite_config(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_load);
    tcase_add_test(tc, test_overrides);
    tcase_add_test(tc, test_contract_keys);
    tcase_add_test(tc, test_bad_scenarios);
    tcase_add_test(tc, test_suggestions);
    tcase_add_test(tc, test_section_shorthand);
    tcase_add_test(tc, test_bad_overrides);
    tcase_add_test(tc, test_json);
    suite_add_tcase(s, tc);
    return s;
}
