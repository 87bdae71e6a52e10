/*
 * grisu.h — a double as a short decimal that reads back to the same
 * double (Grisu2), for the curves of the store.
 */
#ifndef HISIM_GRISU_H
#define HISIM_GRISU_H

/* Room for any double: sign, 17 digits, point, zeros, exponent, NUL. */
#define GRISU_BUF 32

/* Writes finite v into buf (GRISU_BUF bytes) as a JSON number — an
 * integer, a decimal fraction, or d.ddde±x outside [10^-6, 10^21) — that
 * strtod reads back to v exactly, -0 included; its length. */
int grisu_format(char *buf, double v);

#endif
