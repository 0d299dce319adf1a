/*
 * lwIP port: port/port.h on lwIP's socket API. Connect is non-blocking
 * with lwip_poll for the deadline; send and receive wait with lwip_poll in
 * slices of TT_PORT_POLL_SLICE_MS so that a cancel flag is seen. Without
 * LWIP_DNS only address literals (or the addr override) connect. Clock,
 * sleep and randomness come from lwIP's sys layer (sys_now, sys_msleep)
 * and the callbacks given at init.
 *
 * lwIP reports a refused connect as ECONNRESET (its RST handling); it is
 * mapped to TT_PORT_EREFUSED, as on Linux, when it happens during connect.
 */
#include "tether/port_lwip.h"
#include "tether/config.h"

#include "lwip/sockets.h"
#include "lwip/sys.h"
#include "lwip/ip4_addr.h"
#if LWIP_DNS
#include "lwip/netdb.h"
#endif

#include <errno.h>
#include <string.h>

static int cancelled(volatile sig_atomic_t *cancel)
{
    return cancel != NULL && *cancel;
}

static int64_t lw_now_ms(void *ctx)
{
    (void)ctx;
    return (int64_t)sys_now();
}

/* Wait until fd is ready for events or the deadline: 1 ready, 0 timed
 * out, or a TT_PORT_E* code. */
static int wait_fd(int fd, short events, int64_t deadline, volatile sig_atomic_t *cancel)
{
    for (;;) {
        struct pollfd p;
        int64_t left = deadline - (int64_t)sys_now();
        int rc;
        if (cancelled(cancel))
            return TT_PORT_ECANCELLED;
        if (left <= 0)
            return 0;
        p.fd = fd;
        p.events = events;
        p.revents = 0;
        rc = lwip_poll(&p, 1, (int)(left < TT_PORT_POLL_SLICE_MS ? left : TT_PORT_POLL_SLICE_MS));
        if (rc > 0)
            return 1;
        if (rc < 0 && errno != EINTR)
            return TT_PORT_EIO;
    }
}

static int map_errno(int e, int connecting)
{
    switch (e) {
    case ECONNREFUSED:
        return TT_PORT_EREFUSED;
    case ECONNRESET:
    case ECONNABORTED:
        return connecting ? TT_PORT_EREFUSED : TT_PORT_ERESET;
    case EHOSTUNREACH:
    case ENETUNREACH:
        return TT_PORT_EUNREACH;
    case ETIMEDOUT:
        return TT_PORT_ETIMEDOUT;
    default:
        return TT_PORT_EIO;
    }
}

static int lw_connect(void *ctx, tt_sock *s, const char *host, uint16_t port, const char *addr,
                      int64_t deadline, volatile sig_atomic_t *cancel)
{
    struct sockaddr_in sa;
    ip4_addr_t ip;
    int fd, rc, err = 0;
    socklen_t len = sizeof err;
    (void)ctx;

    s->fd = -1;
    s->sys = 0;
    if (!ip4addr_aton(addr != NULL ? addr : host, &ip)) {
#if LWIP_DNS
        /* lwIP's resolver (it has no deadline of its own: DNS_MAX_RETRIES) */
        struct addrinfo hints, *res = NULL;
        memset(&hints, 0, sizeof hints);
        hints.ai_family = AF_INET;
        hints.ai_socktype = SOCK_STREAM;
        if (lwip_getaddrinfo(host, NULL, &hints, &res) != 0 || res == NULL)
            return TT_PORT_ERESOLVE;
        inet_addr_to_ip4addr(&ip, &((struct sockaddr_in *)res->ai_addr)->sin_addr);
        lwip_freeaddrinfo(res);
#else
        return TT_PORT_ERESOLVE; /* no DNS in this build: literals only */
#endif
    }
    fd = lwip_socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        s->sys = errno;
        return TT_PORT_EIO;
    }
    lwip_fcntl(fd, F_SETFL, O_NONBLOCK);
    memset(&sa, 0, sizeof sa);
    sa.sin_len = sizeof sa;
    sa.sin_family = AF_INET;
    sa.sin_port = lwip_htons(port);
    inet_addr_from_ip4addr(&sa.sin_addr, &ip);
    if (lwip_connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS) {
        s->sys = errno;
        lwip_close(fd);
        return map_errno(s->sys, 1);
    }
    rc = wait_fd(fd, POLLOUT, deadline, cancel);
    if (rc != 1) {
        lwip_close(fd);
        return rc == 0 ? TT_PORT_ETIMEDOUT : rc;
    }
    if (lwip_getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        s->sys = err != 0 ? err : errno;
        lwip_close(fd);
        return map_errno(s->sys, 1);
    }
    s->fd = fd;
    return TT_PORT_OK;
}

static long lw_send(void *ctx, tt_sock *s, const void *buf, size_t len, int64_t deadline,
                    volatile sig_atomic_t *cancel)
{
    int rc = wait_fd((int)s->fd, POLLOUT, deadline, cancel);
    long n;
    (void)ctx;
    if (rc != 1)
        return rc == 0 ? TT_PORT_ETIMEDOUT : rc;
    n = lwip_send((int)s->fd, buf, len, 0);
    if (n < 0) {
        s->sys = errno;
        return errno == EWOULDBLOCK ? 0 : map_errno(s->sys, 0);
    }
    return n;
}

static long lw_recv(void *ctx, tt_sock *s, void *buf, size_t len, int64_t deadline,
                    volatile sig_atomic_t *cancel)
{
    (void)ctx;
    for (;;) {
        int rc = wait_fd((int)s->fd, POLLIN, deadline, cancel);
        long n;
        if (rc != 1)
            return rc == 0 ? TT_PORT_ETIMEDOUT : rc;
        n = lwip_recv((int)s->fd, buf, len, 0);
        if (n >= 0)
            return n;
        if (errno == EWOULDBLOCK || errno == EAGAIN)
            continue;
        s->sys = errno;
        return map_errno(s->sys, 0);
    }
}

static void lw_close(void *ctx, tt_sock *s)
{
    (void)ctx;
    if (s->fd >= 0)
        lwip_close((int)s->fd);
    s->fd = -1;
}

static int lw_sleep_ms(void *ctx, int64_t ms, volatile sig_atomic_t *cancel)
{
    int64_t until = (int64_t)sys_now() + ms;
    (void)ctx;
    while (!cancelled(cancel)) {
        int64_t left = until - (int64_t)sys_now();
        if (left <= 0)
            return TT_PORT_OK;
        sys_msleep((u32_t)(left < TT_PORT_POLL_SLICE_MS ? left : TT_PORT_POLL_SLICE_MS));
    }
    return TT_PORT_ECANCELLED;
}

static int64_t lw_wall_ms(void *ctx)
{
    const tt_port_lwip_hooks *h = ctx;
    int64_t s = h->wall_s != NULL ? h->wall_s() : -1;
    return s < 0 ? -1 : s * 1000;
}

static int lw_random(void *ctx, void *buf, size_t len)
{
    const tt_port_lwip_hooks *h = ctx;
    return h->random != NULL ? h->random(buf, len) : TT_PORT_EIO;
}

static const tt_port_ops lwip_ops = {
    lw_connect, lw_send, lw_recv, lw_close,
    lw_now_ms, lw_wall_ms, lw_sleep_ms, lw_random,
    NULL, NULL, NULL, NULL
};

void tt_port_lwip_init(tt_port *port, const tt_port_lwip_hooks *hooks)
{
    port->ops = &lwip_ops;
    port->ctx = (void *)hooks;
}
