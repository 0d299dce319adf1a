/*
 * tether port layer: the only interface between the core and the platform.
 *
 * The core reaches sockets, clocks, randomness, sleeping and files only
 * through a tt_port: a table of functions plus an opaque context. Platforms
 * provide one (port/posix, port/lwip); tests provide port/mock, which plays a
 * scripted server and a fake clock so that time-dependent code runs instantly.
 *
 * Times: `deadline` arguments are absolute values of the port's monotonic
 * clock (now_ms); a deadline of TT_PORT_NO_DEADLINE waits without limit.
 *
 * Cancellation: when `cancel` is non-NULL and becomes non-zero (from another
 * thread or a signal handler), blocking calls return TT_PORT_ECANCELLED
 * promptly (within TT_PORT_POLL_SLICE_MS on POSIX).
 *
 * Return convention of send/recv: a byte count >= 0, or a negative
 * TT_PORT_E* code. recv returns 0 only for an orderly end of stream, which is
 * thereby distinct from a timeout and from a reset.
 */
#ifndef TT_PORT_H
#define TT_PORT_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>

#define TT_PORT_NO_DEADLINE INT64_MAX

enum {
    TT_PORT_OK = 0,
    TT_PORT_ETIMEDOUT = -1,   /* the deadline passed */
    TT_PORT_ERESET = -2,      /* connection reset or aborted by the peer */
    TT_PORT_EREFUSED = -3,    /* connect refused on every address */
    TT_PORT_ERESOLVE = -4,    /* the name did not resolve */
    TT_PORT_EUNREACH = -5,    /* network or host unreachable */
    TT_PORT_EIO = -6,         /* any other system failure (see sys) */
    TT_PORT_ECANCELLED = -7,  /* *cancel became non-zero */
    TT_PORT_ENOTFOUND = -8    /* file does not exist */
};

/* A socket as the core holds it: an integer handle and a pointer, either of
 * which a port may use. `sys` receives the last system error (errno). */
typedef struct tt_sock {
    intptr_t fd;
    void *impl;
    int sys;
} tt_sock;

/* An open file for reading (trust anchors, certificates, keys). */
typedef struct tt_file {
    intptr_t fd;
    void *impl;
} tt_file;

/* Called once per directory entry name by list_dir; non-zero stops. */
typedef int (*tt_port_dir_fn)(void *user, const char *name);

typedef struct tt_port_ops {
    /*
     * Connect TCP to host:port. `host` is a name or an address literal
     * (IPv6 without brackets). When `addr` is non-NULL it is used instead of
     * resolving `host` (curl's --resolve). Every resolved address is tried in
     * order until one connects or the deadline passes. Returns TT_PORT_OK
     * with *s set, or a negative code with s->sys set.
     */
    int (*connect)(void *ctx, tt_sock *s, const char *host, uint16_t port,
                   const char *addr, int64_t deadline,
                   volatile sig_atomic_t *cancel);
    /* Send up to len bytes; returns bytes sent (> 0) or a negative code. */
    long (*send)(void *ctx, tt_sock *s, const void *buf, size_t len,
                 int64_t deadline, volatile sig_atomic_t *cancel);
    /* Receive up to len bytes; > 0 bytes, 0 end of stream, < 0 code. */
    long (*recv)(void *ctx, tt_sock *s, void *buf, size_t len,
                 int64_t deadline, volatile sig_atomic_t *cancel);
    /* Close; safe to call on a socket whose connect failed. */
    void (*close)(void *ctx, tt_sock *s);

    /* Monotonic milliseconds (arbitrary epoch, never goes back). */
    int64_t (*now_ms)(void *ctx);
    /* Wall clock, milliseconds since 1970-01-01 UTC; < 0 when the device
     * has no real-time clock set. (Milliseconds: a signed event's age is
     * judged to the millisecond, as its sender judges it.) */
    int64_t (*wall_ms)(void *ctx);
    /* Sleep; returns TT_PORT_OK or TT_PORT_ECANCELLED. */
    int (*sleep_ms)(void *ctx, int64_t ms, volatile sig_atomic_t *cancel);
    /* Fill buf with len unpredictable bytes; TT_PORT_OK or a code. */
    int (*random)(void *ctx, void *buf, size_t len);

    /* Files: may be NULL on platforms without a file system. */
    int (*file_open)(void *ctx, tt_file *f, const char *path);
    long (*file_read)(void *ctx, tt_file *f, void *buf, size_t len);
    void (*file_close)(void *ctx, tt_file *f);
    /* Calls fn for each regular entry of a directory, in name order where
     * the platform allows; returns TT_PORT_OK, TT_PORT_ENOTFOUND (not a
     * directory) or a code. */
    int (*list_dir)(void *ctx, const char *path, tt_port_dir_fn fn,
                    void *user);
} tt_port_ops;

/* What the core holds: the table and its context. Caller-owned. */
typedef struct tt_port {
    const tt_port_ops *ops;
    void *ctx;
} tt_port;

#endif /* TT_PORT_H */
