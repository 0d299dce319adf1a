/*
 * lwIP port: port/port.h on lwIP's socket API. Connect is non-blocking
 * with lwip_poll for the deadline; send and receive wait with lwip_poll in
 * slices of TT_PORT_POLL_SLICE_MS so that a cancel flag is seen. Without
 * LWIP_DNS only address literals (or the addr override) connect. Clock,
 * sleep and randomness come from lwIP's sys layer (sys_now, sys_msleep)
 * and the callbacks given at init.
 *
 * Names (LWIP_DNS): lwip_getaddrinfo would block for lwIP's whole retry
 * schedule (DNS_MAX_RETRIES, ~7 s per server by default) whatever the
 * connect deadline or the cancel flag say. So the raw resolver is asked
 * instead, under the core lock, and its answer waited for on a semaphore
 * in slices, up to the deadline. The query's state lives in the caller's
 * tt_port_lwip, never on the stack: lwIP keeps a query the connect gave
 * up on and calls back when it ends.
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
#include "lwip/dns.h"
#include "lwip/tcpip.h"
#endif

#include <errno.h>
#include <string.h>

#if LWIP_DNS && !LWIP_TCPIP_CORE_LOCKING
/* the query slot is shared with the tcpip thread's callback under the core lock */
#error "port/lwip with LWIP_DNS needs LWIP_TCPIP_CORE_LOCKING 1"
#endif

static int cancelled(volatile sig_atomic_t *cancel)
{
    return cancel != NULL && *cancel;
}

int64_t tt_port_lwip_clock(tt_port_lwip *lw, uint32_t t)
{
    int64_t ms;
    SYS_ARCH_DECL_PROTECT(level);
    SYS_ARCH_PROTECT(level);
    if (t < lw->clock_last)
        lw->clock_wraps++;
    lw->clock_last = t;
    ms = ((int64_t)lw->clock_wraps << 32) | t;
    SYS_ARCH_UNPROTECT(level);
    return ms;
}

/* sys_now is 32 bits of milliseconds: it wraps after 49.7 days, and a
 * deadline taken before the wrap would then lie 49 days ahead */
static int64_t now_of(tt_port_lwip *lw)
{
    return tt_port_lwip_clock(lw, sys_now());
}

static int64_t lw_now_ms(void *ctx)
{
    return now_of(ctx);
}

/* A slice of waiting: TT_PORT_POLL_SLICE_MS or what is left of the
 * deadline, at least 1 ms (lwIP's sys_arch_sem_wait takes 0 as "forever"). */
static u32_t slice_ms(tt_port_lwip *lw, int64_t deadline)
{
    int64_t left = deadline - now_of(lw);
    if (left > TT_PORT_POLL_SLICE_MS)
        left = TT_PORT_POLL_SLICE_MS;
    return (u32_t)(left < 1 ? 1 : left);
}

/* Whether a wait ends here: TT_PORT_ECANCELLED, TT_PORT_ETIMEDOUT, or 0
 * to go on. */
static int stop_waiting(tt_port_lwip *lw, int64_t deadline, volatile sig_atomic_t *cancel)
{
    if (cancelled(cancel))
        return TT_PORT_ECANCELLED;
    return now_of(lw) >= deadline ? TT_PORT_ETIMEDOUT : 0;
}

/* Wait until fd is ready for events or the deadline: 1 ready, or a
 * TT_PORT_E* code (ETIMEDOUT at the deadline). */
static int wait_fd(tt_port_lwip *lw, int fd, short events, int64_t deadline,
                   volatile sig_atomic_t *cancel)
{
    for (;;) {
        struct pollfd p;
        int rc = stop_waiting(lw, deadline, cancel);
        if (rc != 0)
            return rc;
        p.fd = fd;
        p.events = events;
        p.revents = 0;
        rc = lwip_poll(&p, 1, (int)slice_ms(lw, deadline));
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

#if LWIP_DNS
TT_OPAQUE_CHECK(TT_PORT_LWIP_SEM_SIZE, sys_sem_t, TT_PORT_LWIP_SEM_SIZE);

/* The query slot in tt_port_lwip (state, name, addr); read and written only
 * under lwIP's core lock, which the tcpip thread holds when it calls back. */
enum {
    DNS_IDLE,      /* no query worth waiting for */
    DNS_ASKING,    /* a connect waits for the answer for lw->name */
    DNS_FOUND,     /* answered with lw->addr, for that connect to take */
    DNS_FAILED,    /* answered "no address" (unknown name, or lwIP gave up) */
    DNS_ABANDONED  /* the connect gave up; lwIP still asks for lw->name */
};

/* ask()'s outcomes besides a TT_PORT_E* code */
enum { ASK_HAVE = 1, ASK_WAIT, ASK_BUSY };

static sys_sem_t *sem_of(tt_port_lwip *lw)
{
    return (sys_sem_t *)(void *)lw->sem.bytes;
}

/* lwIP's found callback: in the tcpip thread, under the core lock. arg is
 * the caller's tt_port_lwip, which outlives the connect that asked. Only
 * an answer for the name being waited for is taken (a late one for a query
 * given up on has another name, or finds nobody asking). */
static void dns_found(const char *name, const ip_addr_t *ip, void *arg)
{
    tt_port_lwip *lw = arg;
    int same = lwip_stricmp(name, lw->name) == 0;  /* as lwIP matches names */
    if (same && lw->state == DNS_ASKING) {
        if (ip != NULL)
            lw->addr = ip4_addr_get_u32(ip_2_ip4(ip));
        lw->state = ip != NULL ? DNS_FOUND : DNS_FAILED;
        sys_sem_signal(sem_of(lw));
        return;
    }
    if (same && lw->state == DNS_ABANDONED)
        lw->state = DNS_IDLE;
    lw->late_answers++;
}

/* Under the core lock: take the slot for host and ask lwIP. ASK_HAVE (*ip
 * known at once: lwIP's cache), ASK_WAIT (dns_found will answer), ASK_BUSY
 * (another connect's query, or lwIP's table full of running queries: try
 * again shortly) or TT_PORT_ERESOLVE. */
static int ask(tt_port_lwip *lw, const char *host, ip4_addr_t *ip)
{
    ip_addr_t a;
    err_t e;
    if (lw->state != DNS_IDLE && lw->state != DNS_ABANDONED)
        return ASK_BUSY;
    if (lw->state == DNS_ABANDONED && lwip_stricmp(host, lw->name) == 0) {
        /* lwIP still asks this name for us: wait for that answer rather
         * than take another of its request slots */
        lw->state = DNS_ASKING;
        return ASK_WAIT;
    }
    memcpy(lw->name, host, strlen(host) + 1); /* fits: resolve() checked */
    lw->state = DNS_ASKING;                /* first: lwIP may call back inside */
    /* A records only: the port connects over IPv4 (a dual-stack lwIP
     * would otherwise fall back to an AAAA answer) */
    e = dns_gethostbyname_addrtype(host, &a, dns_found, lw, LWIP_DNS_ADDRTYPE_IPV4);
    if (e == ERR_INPROGRESS)
        return ASK_WAIT;
    lw->state = DNS_IDLE;
    if (e == ERR_OK) {
        ip4_addr_copy(*ip, *ip_2_ip4(&a));
        return ASK_HAVE;
    }
    return e == ERR_MEM ? ASK_BUSY : TT_PORT_ERESOLVE;
}

/* Under the core lock: the answer (TT_PORT_OK with *ip, ERESOLVE), the end
 * of waiting (ECANCELLED, ETIMEDOUT: the query is left to lwIP), or 1 to
 * wait on. The answer wins over a deadline that passed with it. */
static int collect(tt_port_lwip *lw, ip4_addr_t *ip, int64_t deadline,
                   volatile sig_atomic_t *cancel)
{
    int rc = 1;
    if (lw->state == DNS_FOUND)
        rc = TT_PORT_OK;
    else if (lw->state == DNS_FAILED)
        rc = TT_PORT_ERESOLVE;
    else if ((rc = stop_waiting(lw, deadline, cancel)) == 0)
        rc = 1;
    if (rc == TT_PORT_OK)
        ip4_addr_set_u32(ip, lw->addr);
    if (rc != 1)
        lw->state = rc == TT_PORT_OK || rc == TT_PORT_ERESOLVE ? DNS_IDLE : DNS_ABANDONED;
    return rc;
}

/* Wait for dns_found's answer in slices. A stale signal (an answer that
 * came while nobody was blocked on the semaphore) only costs one more look
 * at the state, which is what counts. */
static int await(tt_port_lwip *lw, ip4_addr_t *ip, int64_t deadline,
                 volatile sig_atomic_t *cancel)
{
    for (;;) {
        int rc;
        LOCK_TCPIP_CORE();
        rc = collect(lw, ip, deadline, cancel);
        UNLOCK_TCPIP_CORE();
        if (rc != 1)
            return rc;
        sys_arch_sem_wait(sem_of(lw), slice_ms(lw, deadline));
    }
}

/* host's IPv4 address from lwIP's resolver, within the deadline:
 * TT_PORT_OK, ERESOLVE (no such name, or lwIP's retries ended first),
 * ETIMEDOUT (no answer by the deadline), ECANCELLED, EIO (no semaphore). */
static int resolve(tt_port_lwip *lw, const char *host, ip4_addr_t *ip, int64_t deadline,
                   volatile sig_atomic_t *cancel)
{
    if (!lw->sem_made)
        return TT_PORT_EIO;
    if (strlen(host) >= sizeof lw->name)
        return TT_PORT_ERESOLVE;
    for (;;) {
        int rc;
        LOCK_TCPIP_CORE();
        rc = ask(lw, host, ip);
        UNLOCK_TCPIP_CORE();
        if (rc == ASK_HAVE)
            return TT_PORT_OK;
        if (rc == ASK_WAIT)
            return await(lw, ip, deadline, cancel);
        if (rc != ASK_BUSY)
            return rc;
        if ((rc = stop_waiting(lw, deadline, cancel)) != 0)
            return rc;
        sys_msleep(slice_ms(lw, deadline));
    }
}
#else
static int resolve(tt_port_lwip *lw, const char *host, ip4_addr_t *ip, int64_t deadline,
                   volatile sig_atomic_t *cancel)
{
    (void)lw, (void)host, (void)ip, (void)deadline, (void)cancel;
    return TT_PORT_ERESOLVE;               /* no DNS in this build: literals only */
}
#endif

static int lw_connect(void *ctx, tt_sock *s, const char *host, uint16_t port, const char *addr,
                      int64_t deadline, volatile sig_atomic_t *cancel)
{
    struct sockaddr_in sa;
    ip4_addr_t ip;
    int fd, rc, err = 0;
    socklen_t len = sizeof err;

    s->fd = -1;
    s->sys = 0;
    if (addr != NULL) {                    /* the override: a literal only */
        if (!ip4addr_aton(addr, &ip))
            return TT_PORT_ERESOLVE;
    } else if (!ip4addr_aton(host, &ip) &&
               (rc = resolve(ctx, host, &ip, deadline, cancel)) != TT_PORT_OK) {
        return rc;
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
    rc = wait_fd(ctx, fd, POLLOUT, deadline, cancel);
    if (rc != 1) {
        lwip_close(fd);
        return rc;
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
    int rc = wait_fd(ctx, (int)s->fd, POLLOUT, deadline, cancel);
    long n;
    if (rc != 1)
        return rc;
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
    for (;;) {
        int rc = wait_fd(ctx, (int)s->fd, POLLIN, deadline, cancel);
        long n;
        if (rc != 1)
            return rc;
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
    int64_t until = now_of(ctx) + ms;
    while (!cancelled(cancel)) {
        if (now_of(ctx) >= until)
            return TT_PORT_OK;
        sys_msleep(slice_ms(ctx, until));
    }
    return TT_PORT_ECANCELLED;
}

static int64_t lw_wall_ms(void *ctx)
{
    const tt_port_lwip *lw = ctx;
    int64_t s = lw->hooks.wall_s != NULL ? lw->hooks.wall_s() : -1;
    return s < 0 ? -1 : s * 1000;
}

static int lw_random(void *ctx, void *buf, size_t len)
{
    const tt_port_lwip *lw = ctx;
    return lw->hooks.random != NULL ? lw->hooks.random(buf, len) : TT_PORT_EIO;
}

static const tt_port_ops lwip_ops = {
    lw_connect, lw_send, lw_recv, lw_close,
    lw_now_ms, lw_wall_ms, lw_sleep_ms, lw_random,
    NULL, NULL, NULL, NULL
};

int tt_port_lwip_init(tt_port *port, tt_port_lwip *lw, const tt_port_lwip_hooks *hooks)
{
    memset(lw, 0, sizeof *lw);
    if (hooks != NULL)
        lw->hooks = *hooks;
    port->ops = &lwip_ops;
    port->ctx = lw;
#if LWIP_DNS
    /* once, here: made per connect, it would be one more failure (and on
     * lwIP's unix port an allocation) on every connect */
    if (sys_sem_new(sem_of(lw), 0) != ERR_OK)
        return TT_PORT_EIO;
    lw->sem_made = 1;
#endif
    return TT_PORT_OK;
}

void tt_port_lwip_free(tt_port_lwip *lw)
{
#if LWIP_DNS
    /* dns_found signals only a connect that is waiting, and none is: a late
     * answer after this finds the state DNS_IDLE or DNS_ABANDONED */
    if (lw->sem_made)
        sys_sem_free(sem_of(lw));
    lw->sem_made = 0;
#else
    (void)lw;
#endif
}
