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

/* The port's wall clock in seconds, -1 when it is not set. Callers that
 * format it unchecked write 1969-12-31T23:59:59Z. */
int64_t tt_port_wall_s(const tt_port *p);

/* Days from 1970-01-01 to y-m-d (month 1..12); negative before 1970. */
int64_t tt_days_from_civil(int64_t y, unsigned m, unsigned d);

/* An RFC 3339 time as it was written: the instant, and the offset. */
typedef struct tt_rfc3339_time {
    int64_t sec;                 /* seconds since 1970-01-01 UTC */
    uint32_t nsec;               /* 0..999999999 */
    int32_t offset_s;            /* the offset written, seconds east of UTC */
} tt_rfc3339_time;

/* 0000-01-01T00:00:00 and 9999-12-31T23:59:59 in seconds: what can be written. */
#define TT_RFC3339_MIN (-62167219200LL)
#define TT_RFC3339_MAX 253402300799LL

/*
 * RFC 3339 text of exactly n bytes, read by the rules of Go's
 * time.Parse(time.RFC3339, s), which the Go servers tether talks to use:
 * upper-case 'T' and 'Z' only; a one- or two-digit hour; seconds up to
 * 59; a fraction after '.' or ',' of any length (nine digits kept, the
 * rest cut off); an offset "+hh:mm" up to +24:60; the day checked against
 * its month. 0, or -1 when Go would refuse it.
 */
int tt_rfc3339_parse_time(const char *s, size_t n, tt_rfc3339_time *t);

/* The same for a NUL-terminated text, as seconds (the fraction dropped):
 * 0, or -1 with *out untouched. */
int tt_rfc3339_parse(const char *s, int64_t *out);

/*
 * t as Go's time.Time.MarshalJSON writes it (RFC3339Nano): the local time
 * of its offset, the fraction without trailing zeros (none when zero),
 * "Z" for a zero offset. Returns the length it needs, as tt_fmt does (cap
 * >= 36 is always enough; a return >= cap means out holds it cut), or 0,
 * out untouched, when Go refuses to write it: a year outside 0000..9999,
 * an offset of 24 hours or more, or nsec over 999999999.
 */
size_t tt_rfc3339_format_time(const tt_rfc3339_time *t, char *out, size_t cap);

/* t (seconds, UTC) as "YYYY-MM-DDTHH:MM:SSZ"; as above. */
size_t tt_rfc3339_format(int64_t t, char *out, size_t cap);

/* An X.509 validity time of exactly n bytes as seconds: UTCTime
 * "YYMMDDHHMMSSZ" (years 1950..2049, RFC 5280) or GeneralizedTime
 * "YYYYMMDDHHMMSSZ"; 0, or -1 when it is neither. */
int tt_asn1_time_parse(const char *s, size_t n, int64_t *out);

/* An IMF-fixdate of exactly n bytes as seconds: 0, or -1 when it is not
 * one (HTTP's obsolete date forms are not accepted). */
int tt_http_date_parse(const char *v, size_t n, int64_t *out);

/* The longest duration tt_duration_ms reads: 10^12 ms, 31 years. */
#define TT_DURATION_MAX_MS 1000000000000LL

/*
 * A duration as people write it for timeouts: a decimal number ("90",
 * "1.5", ".5") and an optional unit, "s" (the default), "m" or "h". In
 * milliseconds, rounded to the nearest; -1 for anything else (a sign, an
 * exponent, spaces, another unit) or more than TT_DURATION_MAX_MS. Read
 * without libc's strtod: the same in every locale.
 */
int64_t tt_duration_ms(const char *s);

#endif /* TT_TIMEFMT_H */
