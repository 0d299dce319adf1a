/*
 * POSIX port. Sockets stay non-blocking; every wait is a poll() bounded by
 * the caller's deadline and cut into slices of TT_PORT_POLL_SLICE_MS so that
 * a cancel flag set from another thread or a signal handler is seen soon.
 *
 * Allocation: none. Names resolve through the stub resolver below (its
 * messages and file lines in dns.c), not getaddrinfo, which allocates and
 * has no deadline; directory listing uses getdents64 into a stack buffer
 * because opendir() allocates.
 */
#define _GNU_SOURCE 1

#include "tether/port_posix.h"
#include "tether/config.h"
#include "dns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

/* addr and port as a socket address; its length. */
static socklen_t sockaddr_of(const tt_dns_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (a->family == 4) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        memcpy(&in->sin_addr, a->a, 4);
        return sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        memcpy(&in6->sin6_addr, a->a, 16);
        return sizeof *in6;
    }
}

/* A non-blocking socket of type for a's family, connected (UDP) or with
 * its connect under way (TCP: EINPROGRESS); -1 with errno. */
static int socket_to(const tt_dns_addr *a, uint16_t port, int type)
{
    struct sockaddr_storage ss;
    socklen_t sl = sockaddr_of(a, port, &ss);
    int fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* One non-blocking connect attempt to one address, bounded by deadline. */
static int connect_one(tt_sock *s, const tt_dns_addr *a, uint16_t port,
                       int64_t deadline, volatile sig_atomic_t *cancel)
{
    int fd, rc, soerr = 0, one = 1;
    socklen_t len = sizeof soerr;

    fd = socket_to(a, port, SOCK_STREAM);
    if (fd < 0) {
        s->sys = errno;
        return map_errno(errno);
    }
    /* writable once connected (at once if it already is), or failed */
    rc = wait_fd(fd, POLLOUT, deadline, cancel);
    if (rc == TT_PORT_OK && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 &&
        soerr != 0)
        rc = map_errno(soerr);
    if (rc != TT_PORT_OK) {
        s->sys = soerr != 0 ? soerr : (rc == TT_PORT_ETIMEDOUT ? ETIMEDOUT : 0);
        close(fd);
        return rc;
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

/* ---- the stub resolver ------------------------------------------------------ */

typedef void (*line_fn)(void *user, const char *line, size_t len);

/* The whole lines of buf[have] to fn, but those of an overlong line
 * (*skip: its start did not fit the buffer) up to its end; how many bytes
 * were used. A full buffer with no newline starts such a line. */
static size_t whole_lines(const char *buf, size_t have, size_t cap, int *skip, line_fn fn,
                          void *user)
{
    size_t start = 0, i;
    for (i = 0; i < have; i++)
        if (buf[i] == '\n') {
            if (!*skip)
                fn(user, buf + start, i - start);
            *skip = 0;
            start = i + 1;
        }
    if (start == 0 && have == cap) {
        *skip = 1;
        start = have;
    }
    return start;
}

/* Call fn for every line of the file at path (no newline). A line longer
 * than the buffer is passed over whole: no hosts or resolv.conf line is
 * that long, and its tail read as a line of its own could turn a comment
 * into an entry ("# ... 10.0.0.9 name"). -1 when it cannot be opened. */
static int each_line(const char *path, line_fn fn, void *user)
{
    char buf[1024];
    size_t have = 0, used;
    int fd = open(path, O_RDONLY | O_CLOEXEC), skip = 0;
    if (fd < 0)
        return -1;
    for (;;) {
        ssize_t got = read(fd, buf + have, sizeof buf - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        have += (size_t)got;
        used = whole_lines(buf, have, sizeof buf, &skip, fn, user);
        memmove(buf, buf + used, have - used);
        have -= used;
    }
    if (have > 0 && !skip)
        fn(user, buf, have);
    close(fd);
    return 0;
}

typedef struct hosts_find {
    const char *name;
    tt_dns_addr *out;
    size_t max, n;
} hosts_find;

static void hosts_cb(void *user, const char *line, size_t len)
{
    hosts_find *h = user;
    tt_hosts_line(line, len, h->name, h->out, h->max, &h->n);
}

static void conf_cb(void *user, const char *line, size_t len)
{
    tt_resolv_conf_line(user, line, len);
}

/* "localhost" and names under it are loopback (RFC 6761 6.3). */
static size_t localhost(const char *name, tt_dns_addr *out, size_t max)
{
    static const char suffix[] = ".localhost";
    size_t len = strlen(name), sl = sizeof suffix - 1, n = 0;
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (!tt_dns_name_eq(name, len, "localhost", 9) &&
        !(len > sl && tt_dns_name_eq(name + len - sl, sl, suffix, sl)))
        return 0;
    if (n < max)
        tt_dns_addr_parse("127.0.0.1", 9, &out[n++]);
    if (n < max)
        tt_dns_addr_parse("::1", 3, &out[n++]);
    return n;
}

/* What one exchange with the servers came to. ASK_FAILED: they answered,
 * but with a failure (SERVFAIL, REFUSED, truncated). */
enum { ASK_FOUND, ASK_NONE, ASK_NXDOMAIN, ASK_FAILED, ASK_SILENT, ASK_TIMEOUT, ASK_CANCELLED };

/* Where one family's question stands. */
enum { FAM_ASKED, FAM_ANSWERED, FAM_NXDOMAIN, FAM_FAILED };

/* The A and AAAA questions to one server and what came back for each,
 * each family's addresses apart until the end (see merge_families). */
typedef struct dns_exchange {
    const char *name;
    uint16_t ids[2];
    int state[2];
    tt_dns_addr got[2][TT_PORT_MAX_ADDRS];
    size_t n[2];
} dns_exchange;

static const uint16_t dns_types[2] = { TT_DNS_A, TT_DNS_AAAA };

/* Both questions to server i on a socket of their own: the socket, or -1
 * with what that means in *why. */
static int send_questions(const tt_resolv_conf *rc, size_t i, dns_exchange *x, int *why)
{
    unsigned char q[TT_DNS_MSG_MAX];
    int fd, k;
    /* not px_random: that waits for the kernel's entropy, which early in
     * a boot may take long; a query id only has to be hard to guess */
    if (getrandom(x->ids, sizeof x->ids, GRND_NONBLOCK) != (ssize_t)sizeof x->ids) {
        x->ids[0] = (uint16_t)px_now_ms(NULL);
        x->ids[1] = (uint16_t)(x->ids[0] ^ 0x5a5a);
    }
    *why = ASK_SILENT;
    if ((fd = socket_to(&rc->ns[i], rc->ns_port[i], SOCK_DGRAM)) < 0)
        return -1;
    for (k = 0; k < 2; k++) {
        size_t ql = tt_dns_query(q, sizeof q, x->ids[k], x->name, dns_types[k]);
        if (ql == 0 || send(fd, q, ql, MSG_NOSIGNAL) != (ssize_t)ql) {
            close(fd);
            if (ql == 0)
                *why = ASK_NXDOMAIN;       /* a name no server has */
            return -1;
        }
    }
    return fd;
}

/* One datagram: the answer to a question still open, or nothing. An
 * NXDOMAIN or a SERVFAIL settles its family only: the other may yet
 * bring addresses (glibc takes them too). */
static void take_answer(dns_exchange *x, const unsigned char *msg, size_t len)
{
    int k;
    for (k = 0; k < 2; k++) {
        tt_dns_result r;
        if (x->state[k] != FAM_ASKED)
            continue;
        r = tt_dns_answer(msg, len, x->ids[k], x->name, dns_types[k], x->got[k],
                          TT_PORT_MAX_ADDRS, &x->n[k]);
        if (r == TT_DNS_NOT_OURS)
            continue;
        x->state[k] = r == TT_DNS_OK ? FAM_ANSWERED
                      : r == TT_DNS_NXDOMAIN ? FAM_NXDOMAIN : FAM_FAILED;
        return;
    }
}

/* Both families' addresses into out[max], A first. When together they do
 * not fit, each keeps at least half of max: ten AAAA records must not
 * leave an A record out (nor the other way round), since the family that
 * works may be either. */
static size_t merge_families(const dns_exchange *x, tt_dns_addr *out, size_t max)
{
    size_t n4 = x->n[0], n6 = x->n[1], half = max / 2;
    if (n4 + n6 > max) {
        if (n4 > half && n6 > half)
            n6 = half;
        else if (n6 > half)
            n6 = max - n4;
        n4 = max - n6 < n4 ? max - n6 : n4;
    }
    memcpy(out, x->got[0], n4 * sizeof *out);
    memcpy(out + n4, x->got[1], n6 * sizeof *out);
    return n4 + n6;
}

/* What the exchange came to, its addresses into out[max] (*n). */
static int exchange_outcome(const dns_exchange *x, int rc_wait, tt_dns_addr *out, size_t max,
                            size_t *n)
{
    if ((*n = merge_families(x, out, max)) > 0)
        return ASK_FOUND;                  /* one family answered: enough */
    if (rc_wait == TT_PORT_ECANCELLED)
        return ASK_CANCELLED;
    if (x->state[0] == FAM_NXDOMAIN || x->state[1] == FAM_NXDOMAIN)
        return ASK_NXDOMAIN;
    if (x->state[0] == FAM_FAILED || x->state[1] == FAM_FAILED)
        return ASK_FAILED;
    return x->state[0] == FAM_ANSWERED && x->state[1] == FAM_ANSWERED ? ASK_NONE : ASK_SILENT;
}

/* The A and AAAA questions for name to one server until both are
 * answered, or until (the try's end) passes. */
static int ask_server(const tt_resolv_conf *rc, size_t i, const char *name, int64_t until,
                      volatile sig_atomic_t *cancel, tt_dns_addr *out, size_t max, size_t *n)
{
    dns_exchange x;
    unsigned char msg[TT_DNS_MSG_MAX];
    int fd, why, rc_wait = TT_PORT_OK;
    memset(&x, 0, sizeof x);
    x.name = name;
    if ((fd = send_questions(rc, i, &x, &why)) < 0)
        return why;
    while (x.state[0] == FAM_ASKED || x.state[1] == FAM_ASKED) {
        ssize_t got;
        if ((rc_wait = wait_fd(fd, POLLIN, until, cancel)) != TT_PORT_OK)
            break;
        if ((got = recv(fd, msg, sizeof msg, 0)) < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            rc_wait = TT_PORT_EREFUSED;    /* ICMP: nothing listens there */
            break;
        }
        take_answer(&x, msg, (size_t)got);
    }
    close(fd);
    return exchange_outcome(&x, rc_wait, out, max, n);
}

/* Every server, attempts times over, each try bounded by the resolver's
 * timeout and by the deadline, until one gives an answer that is not a
 * failure. */
static int ask(const tt_resolv_conf *rc, const char *name, int64_t deadline,
               volatile sig_atomic_t *cancel, tt_dns_addr *out, size_t max, size_t *n)
{
    int attempt, failed = 0;
    size_t i;
    for (attempt = 0; attempt < rc->attempts; attempt++)
        for (i = 0; i < rc->nns; i++) {
            int64_t now = px_now_ms(NULL), until = now + rc->timeout_ms;
            int r;
            if (deadline != TT_PORT_NO_DEADLINE && now >= deadline)
                return ASK_TIMEOUT;
            if (deadline != TT_PORT_NO_DEADLINE && until > deadline)
                until = deadline;
            *n = 0;
            r = ask_server(rc, i, name, until, cancel, out, max, n);
            if (r == ASK_FAILED)
                failed = 1;
            else if (r != ASK_SILENT)
                return r;
        }
    if (deadline != TT_PORT_NO_DEADLINE && px_now_ms(NULL) >= deadline)
        return ASK_TIMEOUT;
    return failed ? ASK_FAILED : ASK_SILENT;
}

/* resolv.conf (or the configured servers) read afresh. -1: a bad
 * dns_servers list. */
static int load_conf(const tt_port_posix_config *cfg, tt_resolv_conf *rc)
{
    tt_resolv_conf_init(rc);
    each_line(cfg != NULL && cfg->resolv_conf != NULL ? cfg->resolv_conf : "/etc/resolv.conf",
              conf_cb, rc);
    if (cfg != NULL && cfg->dns_servers != NULL)
        return tt_resolv_conf_servers(rc, cfg->dns_servers);
    if (rc->nns == 0) {                    /* libc's default */
        tt_dns_addr_parse("127.0.0.1", 9, &rc->ns[0]);
        rc->ns_port[0] = 53;
        rc->nns = 1;
    }
    return 0;
}

/* host's addresses into out[max] (*n); TT_PORT_OK, TT_PORT_ERESOLVE (no
 * such name, or no server answered: *sys ETIMEDOUT then), ETIMEDOUT when
 * the deadline passed while asking, ECANCELLED. */
static int resolve(const tt_port_posix_config *cfg, const char *host, int64_t deadline,
                   volatile sig_atomic_t *cancel, tt_dns_addr *out, size_t max, size_t *n,
                   int *sys)
{
    hosts_find h;
    tt_resolv_conf rc;
    char cand[TT_DNS_NAME_MAX];
    size_t k;
    int r = ASK_NXDOMAIN, c;
    *n = 0;
    *sys = 0;
    if (tt_dns_addr_parse(host, strlen(host), &out[0]) == 0) {
        *n = 1;
        return TT_PORT_OK;
    }
    h.name = host;
    h.out = out;
    h.max = max;
    h.n = 0;
    each_line(cfg != NULL && cfg->hosts != NULL ? cfg->hosts : "/etc/hosts", hosts_cb, &h);
    if ((*n = h.n) > 0 || (*n = localhost(host, out, max)) > 0)
        return TT_PORT_OK;
    if (load_conf(cfg, &rc) != 0)
        return TT_PORT_ERESOLVE;
    for (k = 0; (c = tt_dns_candidate(&rc, host, k, cand)) >= 0; k++) {
        if (c == 0)
            continue;
        r = ask(&rc, cand, deadline, cancel, out, max, n);
        /* a failure for one candidate is not the name's: the next one may
         * be found (glibc goes on too); silence is the servers' own */
        if (r != ASK_NXDOMAIN && r != ASK_NONE && r != ASK_FAILED)
            break;                         /* found, or the servers are not there */
    }
    switch (r) {
    case ASK_FOUND: return TT_PORT_OK;
    case ASK_TIMEOUT: return TT_PORT_ETIMEDOUT;
    case ASK_CANCELLED: return TT_PORT_ECANCELLED;
    case ASK_SILENT: *sys = ETIMEDOUT; return TT_PORT_ERESOLVE;
    default: return TT_PORT_ERESOLVE;
    }
}

static int px_connect(void *ctx, tt_sock *s, const char *host,
                      uint16_t port, const char *addr, int64_t deadline,
                      volatile sig_atomic_t *cancel)
{
    tt_dns_addr addrs[TT_PORT_MAX_ADDRS];
    size_t n = 0, tried;
    int last;

    s->fd = -1;
    s->impl = NULL;
    s->sys = 0;
    if (addr != NULL) {                    /* --resolve: a literal only */
        if (tt_dns_addr_parse(addr, strlen(addr), &addrs[0]) != 0)
            return TT_PORT_ERESOLVE;
        n = 1;
    } else if ((last = resolve(ctx, host, deadline, cancel, addrs, TT_PORT_MAX_ADDRS, &n,
                               &s->sys)) != TT_PORT_OK) {
        return last;
    }
    last = TT_PORT_EIO;
    for (tried = 0; tried < n; tried++) {
        last = connect_one(s, &addrs[tried], port, attempt_deadline(deadline, (int)(n - tried)),
                           cancel);
        if (last == TT_PORT_OK || last == TT_PORT_ECANCELLED)
            break;
        if (deadline != TT_PORT_NO_DEADLINE && px_now_ms(NULL) >= deadline) {
            last = TT_PORT_ETIMEDOUT;
            break;
        }
    }
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

int tt_port_posix_check_dns_servers(const char *list)
{
    tt_resolv_conf rc;
    tt_resolv_conf_init(&rc);
    return tt_resolv_conf_servers(&rc, list);
}

void tt_port_posix_init_config(tt_port *port, const tt_port_posix_config *cfg)
{
    port->ops = &px_ops;
    port->ctx = (void *)cfg;
}
