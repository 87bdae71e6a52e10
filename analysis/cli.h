/*
 * cli.h — the `hisim` command: verbs and what they share.
 *
 * Each verb is `int cmd_<verb>(int argc, char **argv)` in its own file
 * and returns the exit status: 0 success, 2 bad input or usage, 1 an
 * internal failure.  argv[0] is the verb.
 */
#ifndef HISIM_CLI_H
#define HISIM_CLI_H

#include <stdio.h>
#include "traces/error.h"

#define EXIT_INPUT 2
#define EXIT_INTERNAL 1

int cmd_run(int argc, char **argv);
int cmd_runs(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_batchsize(int argc, char **argv);
int cmd_qos(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_split(int argc, char **argv);
int cmd_cluster(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_sweeps(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* Prints "hisim: <msg>" to stderr; returns the exit status for err. */
int cli_fail(const struct hi_error *err);
/* Prints "hisim VERB: <msg>" and a pointer to help; returns 2. */
int cli_usage(const char *verb, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Prints the help of a verb to f; 0, or -1 for an unknown verb. */
int cli_help(const char *verb, FILE *f);

/* The database path: --db, else $HISIM_DB, else ./hisim.db. */
const char *cli_db_path(const char *flag);

/* Current UTC time as ISO 8601 into buf (>= 21 bytes). */
void cli_now(char *buf, size_t len);

/* Parses a run id; 0, or -1 when s is not a positive integer. */
int cli_parse_id(const char *s, long long *id);

extern const char *const cli_version;

#endif
