/*
 * csv.h — the line and cell machinery shared by the CSV loaders
 * (traces/trace.c for traces, traces/layers.c for layer profiles).
 *
 * Both formats are the same at this level (docs/trace-format.md):
 *
 *   file    := meta* blank* header (row | blank | comment)*
 *   meta    := '#' ' '* key ':' ' '* value      (before the header only)
 *   header  := name (',' name)*
 *   row     := cell (',' cell)*                  (as many cells as names)
 *   comment := '#' anything                      (after the header: skipped)
 *
 * Lines end in LF or CRLF; a UTF-8 byte order mark is skipped.  Cells are
 * plain numbers or names; quoting is not part of the format.  The whole
 * file is read into one buffer and cut into lines in place, O(bytes).
 */
#ifndef HISIM_CSV_H
#define HISIM_CSV_H

#include <stddef.h>
#include "traces/error.h"

struct csv_file {
    char *buf;                /* the whole file, NUL-terminated, cut into lines */
    char **lines;             /* lines[i] is line i + 1, without its end */
    size_t n_lines;
};

/* Reads `path` and cuts it into lines.  `what` names the file in the
 * message when it cannot be opened ("cannot open trace: ..."). */
int csv_read(struct csv_file *f, const char *path, const char *what, struct hi_error *err);
void csv_close(struct csv_file *f);

/* True for a line of blanks only. */
int csv_is_blank(const char *s);

/* True for a data row: neither a comment nor blank. */
int csv_is_row(const char *s);

/* A metadata line "# key: value", cut in place.  1 with *key and *value
 * set (both trimmed); 0 for a plain comment (no colon, or a key with
 * blanks in it: "# some prose: ..."). */
int csv_meta(char *line, char **key, char **value);

/* Cuts a header line into trimmed names, in place; a malloc'd array of
 * *n pointers into the line, or NULL when out of memory. */
char **csv_header(char *line, size_t *n);

/* A cursor over the cells of one row, cut in place. */
struct csv_cells {
    char *line;               /* the row */
    char *p;                  /* where the next cell starts */
    int more;                 /* the last cell returned was followed by a comma */
};

void csv_cells_init(struct csv_cells *c, char *line);

/* The next cell, leading blanks skipped, and its 1-based column (where the
 * cell starts, blanks included).  Call it only while the previous call set
 * c->more (or once after csv_cells_init). */
char *csv_cells_next(struct csv_cells *c, size_t *col);

/* The two messages for a row whose cell count differs from the header's:
 * csv_too_few at the end of the last cell (found = cells seen), csv_too_many
 * after the comma that follows the last expected cell. */
int csv_too_few(struct hi_error *err, const char *path, size_t line, const char *cell, size_t col,
                size_t nc, size_t found);
int csv_too_many(struct hi_error *err, const char *path, size_t line, const struct csv_cells *c, size_t nc);

/* A finite number filling the whole cell (trailing blanks allowed); 0 on
 * success, -1 otherwise. */
int csv_double(const char *s, double *v);

/* A base-10 integer filling the whole cell; 0 on success, -1 otherwise. */
int csv_long(const char *s, long *v);

#endif
