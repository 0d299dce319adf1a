/* Mock port: scripted connections and a fake clock, for tests. */
#include "port_mock.h"
#include "tether/errors.h"

#include <string.h>

static uint32_t next_rand(tt_mock *m)
{
    /* xorshift32: deterministic for a given seed */
    uint32_t x = m->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    m->rng = x;
    return x;
}

void tt_mock_reset(tt_mock *m)
{
    memset(m->scripts, 0, sizeof m->scripts);
    memset(m->conns, 0, sizeof m->conns);
    m->nscripts = 0;
    m->connects = 0;
    m->hung = 0;
    m->written_len = 0;
    m->write_overflow = 0;
    m->store_len = 0;
}

void tt_mock_init(tt_mock *m)
{
    memset(m, 0, sizeof *m);
    m->split_at = TT_MOCK_NEVER;
    m->now = 1000000;
    m->wall = 1767225600; /* 2026-01-01T00:00:00Z */
    m->rand_state = 0x9e3779b9u;
}

tt_mock_script *tt_mock_add(tt_mock *m, const void *data, size_t len)
{
    tt_mock_script *s;
    if (m->nscripts >= TT_MOCK_MAX_CONNS)
        return NULL;
    s = &m->scripts[m->nscripts++];
    memset(s, 0, sizeof *s);
    s->data = data;
    s->len = len;
    s->stall_at = TT_MOCK_NEVER;
    s->reset_at = TT_MOCK_NEVER;
    s->send_reset_at = TT_MOCK_NEVER;
    return s;
}

tt_mock_script *tt_mock_add_parts(tt_mock *m, const char *const *parts,
                                  int nparts)
{
    size_t start = m->store_len, total = 0;
    tt_mock_script *s;
    int i;

    if (nparts > TT_MOCK_MAX_PARTS)
        return NULL;
    for (i = 0; i < nparts; i++)
        total += strlen(parts[i]);
    if (total > sizeof m->store - m->store_len)
        return NULL;
    s = tt_mock_add(m, m->store + start, total);
    if (s == NULL)
        return NULL;
    for (i = 0; i < nparts; i++) {
        size_t n = strlen(parts[i]);
        memcpy(m->store + m->store_len, parts[i], n);
        m->store_len += n;
        s->part_end[i] = m->store_len - start;
    }
    s->nparts = nparts;
    return s;
}

tt_mock_script *tt_mock_add_fail(tt_mock *m, int rc)
{
    tt_mock_script *s = tt_mock_add(m, NULL, 0);
    if (s != NULL)
        s->connect_rc = rc;
    return s;
}

static int is_cancelled(volatile sig_atomic_t *cancel)
{
    return cancel != NULL && *cancel != 0;
}

/* Advance the clock by ms, but not past the deadline. Returns 1 when the
 * deadline was reached. */
static int advance(tt_mock *m, int64_t ms, int64_t deadline)
{
    if (deadline != TT_PORT_NO_DEADLINE && m->now + ms >= deadline) {
        if (m->now < deadline)
            m->now = deadline;
        return 1;
    }
    m->now += ms;
    return 0;
}

static int mock_connect(void *ctx, tt_sock *s, const char *host, uint16_t port,
                        const char *addr, int64_t deadline,
                        volatile sig_atomic_t *cancel)
{
    tt_mock *m = ctx;
    const tt_mock_script *sc;
    int idx;

    /* what the client asked for, for tests of --resolve and the pool */
    tt_fmt(m->last_host, sizeof m->last_host, "%s", addr != NULL ? addr : host);
    m->last_port = port;
    s->fd = -1;
    s->impl = NULL;
    s->sys = 0;
    if (is_cancelled(cancel))
        return TT_PORT_ECANCELLED;
    if (m->connects >= m->nscripts)
        return TT_PORT_EREFUSED;
    idx = m->connects++;
    sc = &m->scripts[idx];
    if (advance(m, sc->connect_ms, deadline))
        return TT_PORT_ETIMEDOUT;
    if (sc->connect_rc != TT_PORT_OK)
        return sc->connect_rc;
    memset(&m->conns[idx], 0, sizeof m->conns[idx]);
    m->conns[idx].stall_left = sc->stall_ms;
    s->fd = idx;
    return TT_PORT_OK;
}

static long mock_send(void *ctx, tt_sock *s, const void *buf, size_t len,
                      int64_t deadline, volatile sig_atomic_t *cancel)
{
    tt_mock *m = ctx;
    const tt_mock_script *sc = &m->scripts[s->fd];
    tt_mock_conn *c = &m->conns[s->fd];
    size_t room;

    (void)deadline;
    if (is_cancelled(cancel))
        return TT_PORT_ECANCELLED;
    if (c->closed)
        return TT_PORT_ERESET;
    if (sc->send_reset_at != TT_MOCK_NEVER) {
        if (c->sent >= sc->send_reset_at)
            return TT_PORT_ERESET;
        if (len > sc->send_reset_at - c->sent)
            len = sc->send_reset_at - c->sent;
    }
    room = sizeof m->written - m->written_len;
    if (len > room) {
        m->write_overflow = 1;
        memcpy(m->written + m->written_len, buf, room);
        m->written_len += room;
    } else {
        memcpy(m->written + m->written_len, buf, len);
        m->written_len += len;
    }
    c->sent += len;
    return (long)len;
}

/* Bytes the next recv may hand out, after the split settings. */
static size_t piece_size(tt_mock *m, const tt_mock_conn *c, size_t avail)
{
    size_t n = avail;
    if (m->chunk > 0 && n > m->chunk)
        n = m->chunk;
    if (m->split_at != TT_MOCK_NEVER && c->pos < m->split_at &&
        n > m->split_at - c->pos)
        n = m->split_at - c->pos;
    if (m->rng != 0) {
        size_t r = 1 + next_rand(m) % (m->rand_max > 0 ? m->rand_max : 16);
        if (n > r)
            n = r;
    }
    return n;
}

static long stall(tt_mock *m, tt_mock_conn *c, int64_t deadline)
{
    if (c->stall_left < 0) {
        if (deadline == TT_PORT_NO_DEADLINE)
            m->hung = 1; /* would hang forever: a test bug to report */
        else
            m->now = deadline > m->now ? deadline : m->now;
        return TT_PORT_ETIMEDOUT;
    }
    if (deadline != TT_PORT_NO_DEADLINE && m->now + c->stall_left >= deadline) {
        c->stall_left -= deadline - m->now;
        if (m->now < deadline)
            m->now = deadline;
        return TT_PORT_ETIMEDOUT;
    }
    m->now += c->stall_left;
    c->stall_left = 0;
    c->stall_done = 1;
    return 0;
}

static long mock_recv(void *ctx, tt_sock *s, void *buf, size_t len,
                      int64_t deadline, volatile sig_atomic_t *cancel)
{
    tt_mock *m = ctx;
    const tt_mock_script *sc = &m->scripts[s->fd];
    tt_mock_conn *c = &m->conns[s->fd];
    size_t end = sc->len, n;

    if (is_cancelled(cancel))
        return TT_PORT_ECANCELLED;
    if (c->closed)
        return TT_PORT_ERESET;
    if (sc->stall_at != TT_MOCK_NEVER && !c->stall_done && c->pos >= sc->stall_at) {
        long rc = stall(m, c, deadline);
        if (rc != 0)
            return rc;
    }
    if (sc->reset_at != TT_MOCK_NEVER && c->pos >= sc->reset_at) {
        c->closed = 1;
        return TT_PORT_ERESET;
    }
    if (sc->nparts > 0 && c->part < sc->nparts - 1 &&
        c->pos >= sc->part_end[c->part]) {
        /* the server has answered everything it was asked */
        if (c->sent == c->sent_mark) {
            long rc;
            c->stall_left = -1;
            rc = stall(m, c, deadline);
            c->stall_left = 0;
            return rc;
        }
        c->part++;
    }
    if (c->pos >= sc->len) {
        if (sc->hold_open) {
            c->stall_left = -1;
            return stall(m, c, deadline);
        }
        return 0;
    }
    if (sc->recv_delay_ms > 0 && advance(m, sc->recv_delay_ms, deadline))
        return TT_PORT_ETIMEDOUT;
    if (sc->stall_at != TT_MOCK_NEVER && !c->stall_done && sc->stall_at < end)
        end = sc->stall_at;
    if (sc->reset_at != TT_MOCK_NEVER && sc->reset_at < end)
        end = sc->reset_at;
    if (sc->nparts > 0 && c->part < sc->nparts - 1 && sc->part_end[c->part] < end)
        end = sc->part_end[c->part];
    n = piece_size(m, c, end - c->pos);
    if (n > len)
        n = len;
    memcpy(buf, sc->data + c->pos, n);
    c->pos += n;
    if (sc->nparts > 0 && c->part < sc->nparts - 1 && c->pos == sc->part_end[c->part])
        c->sent_mark = c->sent;
    return (long)n;
}

static void mock_close(void *ctx, tt_sock *s)
{
    tt_mock *m = ctx;
    if (s->fd >= 0 && s->fd < TT_MOCK_MAX_CONNS)
        m->conns[s->fd].closed = 1;
    s->fd = -1;
}

static int64_t mock_now_ms(void *ctx)
{
    return ((tt_mock *)ctx)->now;
}

static int64_t mock_wall_ms(void *ctx)
{
    tt_mock *m = ctx;
    return m->wall * 1000 + m->now;
}

static int mock_sleep_ms(void *ctx, int64_t ms, volatile sig_atomic_t *cancel)
{
    tt_mock *m = ctx;
    if (is_cancelled(cancel))
        return TT_PORT_ECANCELLED;
    if (ms > 0)
        m->now += ms;
    return TT_PORT_OK;
}

static int mock_random(void *ctx, void *buf, size_t len)
{
    tt_mock *m = ctx;
    unsigned char *p = buf;
    size_t i;
    for (i = 0; i < len; i++) {
        uint32_t x = m->rand_state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        m->rand_state = x;
        p[i] = (unsigned char)(x >> 24);
    }
    return TT_PORT_OK;
}

static const tt_port_ops mock_ops = {
    mock_connect, mock_send, mock_recv, mock_close,
    mock_now_ms, mock_wall_ms, mock_sleep_ms, mock_random,
    NULL, NULL, NULL, NULL
};

void tt_mock_port(tt_mock *m, tt_port *port)
{
    port->ops = &mock_ops;
    port->ctx = m;
}
