/*
 * plot.h — figures drawn by gnuplot, and the statistics they show.
 *
 * gnuplot is found at run time: $HISIM_GNUPLOT (a command name looked up
 * on PATH, or a path), else `gnuplot` on PATH.  A plot is a gnuplot script
 * with its data inline (datablocks, gnuplot >= 5.0) written through a pipe
 * to gnuplot's standard input.  gnuplot draws into a temporary file beside
 * the target, which is renamed into place only when gnuplot succeeds, so a
 * failed plot leaves no file.  The format follows the extension: .png
 * (pngcairo, else png), .svg, .pdf (pdfcairo).
 *
 * Reliability (calibration) of the S-ML: the confidences are cut into
 * equal-width bins [b/N, (b+1)/N) (the last one closed); per bin the count,
 * the mean confidence and the accuracy; the expected calibration error is
 * ECE = Σ_b (n_b/n)·|acc_b − conf_b| (Guo et al., 2017).  O(n + N).
 */
#ifndef HISIM_PLOT_H
#define HISIM_PLOT_H

#include <stdio.h>
#include "traces/error.h"
#include "traces/trace.h"

#define PLOT_MAX_BINS 1000

struct plot_bin {
    double lo, hi;     /* edges */
    size_t count;      /* samples with lo <= p < hi (p <= hi in the last bin) */
    double conf;       /* mean confidence; NAN when count == 0 */
    double acc;        /* S-ML accuracy; NAN when count == 0 */
};

/* Fills bins[0..nbins) and *ece (0 for an empty trace).  nbins in
 * [1, PLOT_MAX_BINS].  Rows with p outside [0, 1] are a programming error. */
void plot_reliability(const struct hi_trace *t, size_t nbins, struct plot_bin *bins, double *ece);

/* The bin of confidence p among nbins equal-width bins. */
size_t plot_bin_of(double p, size_t nbins);

enum plot_format { PLOT_PNG, PLOT_SVG, PLOT_PDF };

/* The format named by path's extension (case-insensitive); HI_EINPUT
 * when it is none of .png, .svg, .pdf. */
int plot_format_of(const char *path, enum plot_format *fmt, struct hi_error *err);

/* The gnuplot executable into buf; HI_EINPUT ("gnuplot not found ...")
 * when there is none. */
int plot_find_gnuplot(char *buf, size_t len, struct hi_error *err);

/* A running gnuplot drawing one figure into a file. */
struct plot;

/* Starts gnuplot and writes the terminal and output lines for path; the
 * caller writes the rest of the script to plot_script() and ends with
 * plot_close.  NULL with err filled. */
struct plot *plot_open(const char *path, struct hi_error *err);
FILE *plot_script(struct plot *pl);

/* Writes s as a gnuplot single-quoted string. */
void plot_quote(FILE *f, const char *s);

/* Ends the script, waits for gnuplot and moves the figure into place;
 * 0, or HI_EINTERNAL (gnuplot failed: its messages went to stderr) with
 * err filled.  Frees pl either way. */
int plot_close(struct plot *pl, struct hi_error *err);

/* Draws the reliability diagram of bins into path: accuracy per bin as
 * bars, mean confidence as points, the diagonal, and the share of samples
 * per bin on the right axis. */
int plot_reliability_draw(const struct plot_bin *bins, size_t nbins, double ece, size_t n,
                          const char *title, const char *path, struct hi_error *err);

#endif
