/*
 * Mock port for tests: an in-memory scripted transport and a fake clock.
 *
 * Each connect() takes the next tt_mock_script. The script's bytes are what
 * "the server" sends; recv() hands them out in pieces chosen by the mock's
 * split settings (whole, `chunk` bytes at a time, a boundary at `split_at`,
 * or random sizes), and stalls, resets or ends the stream at the offsets the
 * script names. Everything the client sends is recorded in `written`.
 *
 * Time is fake: now_ms() returns `now`, sleep_ms() advances it, and a stall
 * advances it to the caller's deadline and reports a timeout, so tests of
 * timeouts and backoff run instantly and deterministically. The whole state
 * is one caller-owned struct; no allocation.
 */
#ifndef TT_PORT_MOCK_H
#define TT_PORT_MOCK_H

#include "tether/port.h"

#ifndef TT_MOCK_MAX_CONNS
#define TT_MOCK_MAX_CONNS 32
#endif
#ifndef TT_MOCK_WRITE_MAX
#define TT_MOCK_WRITE_MAX 65536
#endif

#ifndef TT_MOCK_MAX_PARTS
#define TT_MOCK_MAX_PARTS 16
#endif
#ifndef TT_MOCK_STORE_MAX
#define TT_MOCK_STORE_MAX 131072
#endif

#define TT_MOCK_NEVER ((size_t)-1)

typedef struct tt_mock_script {
    int connect_rc;              /* TT_PORT_OK, or the code connect returns */
    int64_t connect_ms;          /* fake time a connect takes */
    const unsigned char *data;   /* bytes the server sends */
    size_t len;
    size_t stall_at;             /* stall after this many bytes, or NEVER */
    int64_t stall_ms;            /* stall length; < 0 stalls forever */
    size_t reset_at;             /* reset after this many bytes, or NEVER */
    size_t send_reset_at;        /* reset once the client sent this many */
    int64_t recv_delay_ms;       /* fake time each recv takes (drip) */
    int hold_open;               /* after the data, stall instead of EOF */
    /* Request/response pacing: part k+1 of the data is released only once
     * the client sends after part k was read, as a server answers only
     * requests it has seen. No parts: all data is available at once. */
    size_t part_end[TT_MOCK_MAX_PARTS];
    int nparts;
} tt_mock_script;

typedef struct tt_mock_conn {
    size_t pos;       /* bytes delivered */
    size_t sent;      /* bytes the client sent on this connection */
    int stall_done;   /* the stall at stall_at has been served */
    int64_t stall_left;
    int closed;
    int part;         /* index of the released part */
    size_t sent_mark; /* sent when the released part was read to its end */
} tt_mock_conn;

typedef struct tt_mock {
    tt_mock_script scripts[TT_MOCK_MAX_CONNS];
    int nscripts;
    tt_mock_conn conns[TT_MOCK_MAX_CONNS];
    int connects;          /* connect() calls that took a script */
    char last_host[64];    /* the latest connect's address (or host) and port */
    uint16_t last_port;

    size_t chunk;          /* max bytes per recv, 0 = as many as asked */
    size_t split_at;       /* one forced boundary, or TT_MOCK_NEVER */
    uint32_t rng;          /* non-zero: random recv sizes (1..rand_max) */
    size_t rand_max;

    int64_t now;           /* fake monotonic clock */
    int64_t wall;          /* fake wall clock */
    int hung;              /* a recv stalled forever with no deadline */
    uint32_t rand_state;   /* source of random(): deterministic */

    unsigned char written[TT_MOCK_WRITE_MAX];
    size_t written_len;
    int write_overflow;

    unsigned char store[TT_MOCK_STORE_MAX]; /* copies made by add_parts */
    size_t store_len;
} tt_mock;

/* Zero the mock: no scripts, whole reads, clock at 1,000,000 ms, wall at
 * 2026-01-01. */
void tt_mock_init(tt_mock *m);

/* Add a connection script that sends `len` bytes then ends the stream;
 * returns it for further settings (stalls, resets), or NULL when full. */
tt_mock_script *tt_mock_add(tt_mock *m, const void *data, size_t len);

/* Add a connection whose server answers one NUL-terminated part per
 * request (see part_end); the texts are copied into the mock. Returns the
 * script, or NULL when the mock is full. */
tt_mock_script *tt_mock_add_parts(tt_mock *m, const char *const *parts,
                                  int nparts);

/* Add a connection that fails at connect with `rc`. */
tt_mock_script *tt_mock_add_fail(tt_mock *m, int rc);

/* Forget scripts, connections and the written log; keep split settings
 * and clocks. */
void tt_mock_reset(tt_mock *m);

/* Fill *port with the mock; `m` must outlive its use. */
void tt_mock_port(tt_mock *m, tt_port *port);

#endif /* TT_PORT_MOCK_H */
