/*
 * cli.h — the `hisim` command: verbs and what they share.
 *
 * Each verb is `int cmd_<verb>(int argc, char **argv)` in its own file
 * and returns the exit status: 0 success, 2 bad input or usage, 1 an
 * internal failure.  argv[0] is the verb.
 */
#ifndef HISIM_CLI_H
#define HISIM_CLI_H

#include <signal.h>
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
int cmd_rerun(int argc, char **argv);

struct hi_config;
struct hi_trace;

/* What `run` and `rerun` share: simulate cfg on trace, store the run in
 * db (opened and locked before the simulation; a run that still cannot
 * be stored is written as JSON beside it), write the samples log, print
 * the summary.  Returns the exit status: 128 + the signal when SIGINT or
 * SIGTERM stopped the run (stored as `interrupted`). */
struct cli_run {
    const char *db;
    const char *scenario;        /* the file as given, or "" */
    const char *scenario_text;   /* its text, or "" */
    const char *log_path;        /* --samples-log, or NULL */
    int json;
};
int cli_simulate(struct hi_config *cfg, struct hi_trace *trace, const struct cli_run *rq);

/* SIGINT and SIGTERM while a verb simulates: cli_catch_interrupts sets
 * cli_interrupted to 0 and has the first signal set it to the signal's
 * number (the engine polls it and stops; the verb stores what it has and
 * exits 128 + the signal); a second signal ends hisim at once, its
 * temporaries removed.  A signal ignored when hisim started stays
 * ignored (a background job of a script ignores SIGINT). */
extern volatile sig_atomic_t cli_interrupted;
struct cli_signals {
    struct sigaction intr, term;
};
void cli_catch_interrupts(struct cli_signals *old);
void cli_restore_signals(const struct cli_signals *old);

/* Refuses database paths that keep nothing ('' and ':memory:'); 0 or
 * the usage exit status. */
int cli_db_check(const char *verb, const char *db);

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

/* Reads a whole file into a NUL-terminated malloc'd string, or NULL
 * with err filled. */
char *cli_read_file(const char *path, size_t *len, struct hi_error *err);

/* Copies s into buf with tabs, newlines and other control bytes as
 * \t, \n, \r, \xNN, so one value stays on one line of a table; bytes
 * beyond len are cut.  cli_escaped_len is the length it needs. */
void cli_escape(const char *s, char *buf, size_t len);
size_t cli_escaped_len(const char *s);
/* Characters (UTF-8 code points) in s: its width in a table. */
size_t cli_width(const char *s);

/* "1 transmission", "2 transmissions". */
const char *cli_plural(double n, const char *one, const char *many);

/* The build's version: git describe in a clone ("2d7e16c-dirty"), else
 * the release; cli_release is the release (configure.ac). */
extern const char *const cli_version;
extern const char *const cli_release;

#endif
