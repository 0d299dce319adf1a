/*
 * Exponential backoff with jitter, shared by the event-stream engine and
 * the API clients' retries: base doubled per failure up to max, then
 * spread by +-pct percent from a 16-bit random value. Pure functions, plus
 * one that draws the random value from the port.
 */
#ifndef TT_BACKOFF_H
#define TT_BACKOFF_H

#include <stdint.h>

#include "port.h"

/* base * 2^failures, capped at max (max when base >= max); any max up to
 * INT64_MAX. */
int64_t tt_backoff_ms(int64_t base, int64_t max, unsigned failures);

/* delay scaled into [delay * (1 - pct%), delay * (1 + pct%)] by rnd
 * (0: the low end, 65535: the high end). pct above 100 counts as 100, so
 * a delay >= 0 gives a result >= 0. */
int64_t tt_jitter_ms(int64_t delay, unsigned pct, uint16_t rnd);

/* The backoff for `failures` with jitter drawn from the port's random
 * source (the middle of the range when it has none or fails). */
int64_t tt_backoff_jittered(const tt_port *port, int64_t base, int64_t max, unsigned pct,
                            unsigned failures);

#endif /* TT_BACKOFF_H */
