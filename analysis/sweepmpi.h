/*
 * sweepmpi.h — a sweep over MPI ranks (./configure --with-mpi).
 *
 * `mpirun -np K hisim sweep FILE` starts K copies; each reads and expands
 * the sweep file and loads its traces.  Rank 0 is the coordinator and the
 * only database writer (analysis/sweeprun.h): it hands one job (point,
 * replication, seed) at a time to an idle rank 1..K-1 and commits each
 * result as it arrives, so faster ranks take more jobs.  The results are
 * the same as with threads: a job's outcome depends only on its point
 * and seed.  Ranks are expected on machines of one architecture (results
 * travel as raw bytes).
 *
 * Without MPI support every function below reports that it is missing.
 */
#ifndef HISIM_SWEEPMPI_H
#define HISIM_SWEEPMPI_H

#include "analysis/sweep.h"
#include "analysis/sweeprun.h"
#include "traces/error.h"

/* 1 when hisim was built with MPI. */
int sweepmpi_built(void);

/* 1 when this process was started by an MPI launcher (mpirun, srun). */
int sweepmpi_launched(void);

int sweepmpi_init(int *argc, char ***argv, int *rank, int *size, struct hi_error *err);
void sweepmpi_finalize(void);

/* Rank 0: an executor over ranks 1..size-1. */
struct sweepmpi;
struct sweepmpi *sweepmpi_exec_new(int size, struct sweeprun_exec *exec, struct hi_error *err);
/* Collects the jobs still running, then stops every worker. */
void sweepmpi_exec_free(struct sweepmpi *m);

/* Rank 0 when it has no sweep to run: stops every worker. */
void sweepmpi_stop_all(int size);

/* Ranks > 0: computes jobs until rank 0 says stop.  sw is NULL when this
 * rank could not load the sweep: every job then fails with load_error. */
void sweepmpi_serve(const struct sweep *sw, const char *load_error);

#endif
