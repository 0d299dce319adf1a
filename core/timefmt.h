/*
 * Calendar time as the protocols write it: RFC 3339 ("2026-11-23T12:00:00Z")
 * and HTTP's IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), both ways.
 * Seconds since 1970-01-01 UTC, proleptic Gregorian, no time zones beyond
 * the numeric offsets RFC 3339 carries, no libc. One place for the
 * calendar arithmetic of the whole library.
 */
#ifndef TT_TIMEFMT_H
#define TT_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "port.h"

/* The port's wall clock in seconds, < 0 when it is not set. */
int64_t tt_port_wall_s(const tt_port *p);

/* Days from 1970-01-01 to y-m-d (month 1..12); negative before 1970. */
int64_t tt_days_from_civil(int64_t y, unsigned m, unsigned d);

/* RFC 3339 text (fractions and offsets allowed, 'T'/'t', 'Z'/'z') as
 * seconds; -1 when malformed or out of range (fields are checked). */
int tt_rfc3339_parse(const char *s, int64_t *out);

/* t as "YYYY-MM-DDTHH:MM:SSZ" into out[cap] (cap >= 21 for years 0..9999);
 * returns the length it needs, as tt_fmt does. */
size_t tt_rfc3339_format(int64_t t, char *out, size_t cap);

/* An X.509 validity time of exactly n bytes as seconds: UTCTime
 * "YYMMDDHHMMSSZ" (years 1950..2049, RFC 5280) or GeneralizedTime
 * "YYYYMMDDHHMMSSZ"; 0, or -1 when it is neither. */
int tt_asn1_time_parse(const char *s, size_t n, int64_t *out);

/* An IMF-fixdate of exactly n bytes as seconds: 0, or -1 when it is not
 * one (HTTP's obsolete date forms are not accepted). */
int tt_http_date_parse(const char *v, size_t n, int64_t *out);

#endif /* TT_TIMEFMT_H */
