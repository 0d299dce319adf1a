/*
 * POSIX port. Sockets stay non-blocking; every wait is a poll() bounded by
 * the caller's deadline and cut into slices of TT_PORT_POLL_SLICE_MS so that
 * a cancel flag set from another thread or a signal handler is seen soon.
 *
 * Allocation: none here, except what the platform resolver (getaddrinfo)
 * does internally; directory listing uses getdents64 into a stack buffer
 * because opendir() allocates.
 */
#define _GNU_SOURCE 1

#include "tether/port_posix.h"
#include "tether/config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int64_t px_now_ms(void *ctx)
{
    struct timespec ts;
    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t px_wall_ms(void *ctx)
{
    struct timespec ts;
    (void)ctx;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return -1;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cancelled(volatile sig_atomic_t *cancel)
{
    return cancel != NULL && *cancel != 0;
}

/*
 * Wait until fd is ready for `events`, the deadline passes or cancel is set.
 * Returns TT_PORT_OK when ready (or when poll reports an error condition,
 * which the following send/recv then reports precisely).
 */
static int wait_fd(int fd, short events, int64_t deadline,
                   volatile sig_atomic_t *cancel)
{
    for (;;) {
        struct pollfd pfd;
        int64_t now, wait;
        int rc;

        if (cancelled(cancel))
            return TT_PORT_ECANCELLED;
        now = px_now_ms(NULL);
        if (deadline != TT_PORT_NO_DEADLINE && now >= deadline)
            return TT_PORT_ETIMEDOUT;
        wait = TT_PORT_POLL_SLICE_MS;
        if (deadline != TT_PORT_NO_DEADLINE && deadline - now < wait)
            wait = deadline - now;
        pfd.fd = fd;
        pfd.events = events;
        pfd.revents = 0;
        rc = poll(&pfd, 1, (int)wait);
        if (rc > 0)
            return TT_PORT_OK;
        if (rc < 0 && errno != EINTR)
            return TT_PORT_EIO;
    }
}

static int map_errno(int e)
{
    switch (e) {
    case ECONNREFUSED:
        return TT_PORT_EREFUSED;
    case ECONNRESET: case ECONNABORTED: case EPIPE:
        return TT_PORT_ERESET;
    case ENETUNREACH: case EHOSTUNREACH: case ENETDOWN: case EHOSTDOWN:
        return TT_PORT_EUNREACH;
    case ETIMEDOUT:
        return TT_PORT_ETIMEDOUT;
    default:
        return TT_PORT_EIO;
    }
}

/* One non-blocking connect attempt to one address, bounded by deadline. */
static int connect_one(tt_sock *s, const struct addrinfo *ai,
                       int64_t deadline, volatile sig_atomic_t *cancel)
{
    int fd, rc, soerr = 0, one = 1;
    socklen_t len = sizeof soerr;

    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                ai->ai_protocol);
    if (fd < 0) {
        s->sys = errno;
        return map_errno(errno);
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            s->sys = errno;
            close(fd);
            return map_errno(s->sys);
        }
        rc = wait_fd(fd, POLLOUT, deadline, cancel);
        if (rc == TT_PORT_OK &&
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 &&
            soerr != 0)
            rc = map_errno(soerr);
        if (rc != TT_PORT_OK) {
            s->sys = soerr != 0 ? soerr : (rc == TT_PORT_ETIMEDOUT ? ETIMEDOUT : 0);
            close(fd);
            return rc;
        }
    }
    /* Requests and TLS records are written whole; do not let Nagle hold
     * the last segment back waiting for an ACK. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    s->fd = fd;
    s->impl = NULL;
    s->sys = 0;
    return TT_PORT_OK;
}

/* Share the remaining time among the addresses still to try, so that one
 * black-holed address cannot use it all; never less than one second. */
static int64_t attempt_deadline(int64_t deadline, int left)
{
    int64_t now = px_now_ms(NULL), share;
    if (deadline == TT_PORT_NO_DEADLINE || left <= 1)
        return deadline;
    share = (deadline - now) / left;
    if (share < 1000)
        share = 1000;
    return now + share < deadline ? now + share : deadline;
}

static int px_connect(void *ctx, tt_sock *s, const char *host,
                         uint16_t port, const char *addr, int64_t deadline,
                         volatile sig_atomic_t *cancel)
{
    struct addrinfo hints, *res = NULL, *ai;
    char service[8];
    int rc, n = 0, tried = 0, last = TT_PORT_EIO;
    unsigned p = port;
    size_t i = sizeof service;

    (void)ctx;
    s->fd = -1;
    s->impl = NULL;
    s->sys = 0;
    service[--i] = '\0';
    do {
        service[--i] = (char)('0' + p % 10);
        p /= 10;
    } while (p != 0);

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
    if (addr != NULL)
        hints.ai_flags |= AI_NUMERICHOST;
    rc = getaddrinfo(addr != NULL ? addr : host, service + i, &hints, &res);
    if (rc == EAI_ADDRFAMILY || rc == EAI_FAMILY) {
        /* AI_ADDRCONFIG hides loopback-only families; ask again without */
        hints.ai_flags &= ~AI_ADDRCONFIG;
        rc = getaddrinfo(addr != NULL ? addr : host, service + i, &hints, &res);
    }
    if (rc != 0) {
        s->sys = rc == EAI_SYSTEM ? errno : rc;
        return TT_PORT_ERESOLVE;
    }
    for (ai = res; ai != NULL && n < TT_PORT_MAX_ADDRS; ai = ai->ai_next)
        n++;
    for (ai = res; ai != NULL && tried < n; ai = ai->ai_next, tried++) {
        last = connect_one(s, ai, attempt_deadline(deadline, n - tried), cancel);
        if (last == TT_PORT_OK || last == TT_PORT_ECANCELLED)
            break;
        if (deadline != TT_PORT_NO_DEADLINE && px_now_ms(NULL) >= deadline) {
            last = TT_PORT_ETIMEDOUT;
            break;
        }
    }
    freeaddrinfo(res);
    return last;
}

static long px_send(void *ctx, tt_sock *s, const void *buf, size_t len,
                       int64_t deadline, volatile sig_atomic_t *cancel)
{
    (void)ctx;
    for (;;) {
        ssize_t n = send((int)s->fd, buf, len, MSG_NOSIGNAL);
        int rc;
        if (n >= 0)
            return (long)n;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            s->sys = errno;
            return map_errno(errno);
        }
        rc = wait_fd((int)s->fd, POLLOUT, deadline, cancel);
        if (rc != TT_PORT_OK)
            return rc;
    }
}

static long px_recv(void *ctx, tt_sock *s, void *buf, size_t len,
                       int64_t deadline, volatile sig_atomic_t *cancel)
{
    (void)ctx;
    for (;;) {
        ssize_t n = recv((int)s->fd, buf, len, 0);
        int rc;
        if (n >= 0)
            return (long)n;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            s->sys = errno;
            return map_errno(errno);
        }
        rc = wait_fd((int)s->fd, POLLIN, deadline, cancel);
        if (rc != TT_PORT_OK)
            return rc;
    }
}

static void px_close(void *ctx, tt_sock *s)
{
    (void)ctx;
    if (s->fd >= 0)
        close((int)s->fd);
    s->fd = -1;
}

static int px_sleep_ms(void *ctx, int64_t ms, volatile sig_atomic_t *cancel)
{
    int64_t end = px_now_ms(ctx) + (ms > 0 ? ms : 0);
    for (;;) {
        int64_t now = px_now_ms(ctx), step;
        struct timespec ts;
        if (cancelled(cancel))
            return TT_PORT_ECANCELLED;
        if (now >= end)
            return TT_PORT_OK;
        step = end - now;
        if (step > TT_PORT_POLL_SLICE_MS)
            step = TT_PORT_POLL_SLICE_MS;
        ts.tv_sec = (time_t)(step / 1000);
        ts.tv_nsec = (long)(step % 1000) * 1000000L;
        nanosleep(&ts, NULL);
    }
}

static int px_random(void *ctx, void *buf, size_t len)
{
    unsigned char *p = buf;
    (void)ctx;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return TT_PORT_EIO;
        }
        p += n;
        len -= (size_t)n;
    }
    return TT_PORT_OK;
}

static int px_file_open(void *ctx, tt_file *f, const char *path)
{
    int fd;
    (void)ctx;
    do {
        fd = open(path, O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    f->impl = NULL;
    f->fd = fd;
    if (fd < 0)
        return errno == ENOENT ? TT_PORT_ENOTFOUND : TT_PORT_EIO;
    return TT_PORT_OK;
}

static long px_file_read(void *ctx, tt_file *f, void *buf, size_t len)
{
    (void)ctx;
    for (;;) {
        ssize_t n = read((int)f->fd, buf, len);
        if (n >= 0)
            return (long)n;
        if (errno != EINTR)
            return TT_PORT_EIO;
    }
}

static void px_file_close(void *ctx, tt_file *f)
{
    (void)ctx;
    if (f->fd >= 0)
        close((int)f->fd);
    f->fd = -1;
}

/* Layout of the records getdents64 returns (linux_dirent64). */
struct tt_dirent64 {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

static int px_list_dir(void *ctx, const char *path, tt_port_dir_fn fn,
                          void *user)
{
    /* 8-byte aligned: the kernel writes 8-byte fields into it */
    uint64_t buf[512];
    int fd, stop = 0;
    (void)ctx;

    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return (errno == ENOENT || errno == ENOTDIR) ? TT_PORT_ENOTFOUND
                                                     : TT_PORT_EIO;
    while (!stop) {
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        long off = 0;
        if (n <= 0) {
            close(fd);
            return n == 0 ? TT_PORT_OK : TT_PORT_EIO;
        }
        while (off < n && !stop) {
            const struct tt_dirent64 *d =
                (const struct tt_dirent64 *)((const char *)buf + off);
            off += d->reclen;
            if (d->name[0] == '.')
                continue;
            /* DT_UNKNOWN or symlinks may still name a file; the caller
             * opens it and finds out */
            if (d->type == DT_DIR)
                continue;
            stop = fn(user, d->name);
        }
    }
    close(fd);
    return TT_PORT_OK;
}

static const tt_port_ops px_ops = {
    px_connect, px_send, px_recv, px_close,
    px_now_ms, px_wall_ms, px_sleep_ms, px_random,
    px_file_open, px_file_read, px_file_close, px_list_dir
};

void tt_port_posix_init(tt_port *port)
{
    port->ops = &px_ops;
    port->ctx = NULL;
}
