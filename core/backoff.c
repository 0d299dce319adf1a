/*
 * Backoff and jitter (see backoff.h).
 */
#include "tether/backoff.h"

int64_t tt_backoff_ms(int64_t base, int64_t max, unsigned failures)
{
    int64_t d = base;
    unsigned i;
    for (i = 0; i < failures && d < max; i++)
        d = d > max / 2 ? max : d * 2;   /* never past max, never overflowing */
    return d < max ? d : max;
}

int64_t tt_jitter_ms(int64_t delay, unsigned pct, uint16_t rnd)
{
    int64_t span, wide;
    if (pct > 100)
        pct = 100;                       /* a delay is never negative */
    /* split so that no product overflows (delays below INT64_MAX / 2) */
    span = delay / 100 * (int64_t)pct + delay % 100 * (int64_t)pct / 100;
    wide = span / 65535 * 2 * rnd + span % 65535 * 2 * rnd / 65535;
    return delay - span + wide;
}

int64_t tt_backoff_jittered(const tt_port *port, int64_t base, int64_t max, unsigned pct,
                            unsigned failures)
{
    uint16_t rnd = 32768;
    if (port->ops->random != NULL && port->ops->random(port->ctx, &rnd, sizeof rnd) != TT_PORT_OK)
        rnd = 32768;
    return tt_jitter_ms(tt_backoff_ms(base, max, failures), pct, rnd);
}
