/*
 * lwIP port: tether over lwIP's socket API (NO_SYS=0, LWIP_SOCKET,
 * LWIP_SOCKET_POLL, LWIP_SO_RCVTIMEO). The platform supplies what lwIP
 * does not: a wall clock (certificate dates; NULL: "no clock", see the
 * TLS time policy) and random bytes (NULL: random() fails and TLS will not
 * start). No file system: load trust anchors and keys from memory with
 * tt_tls_add_*_pem.
 *
 * Names: without LWIP_DNS, hosts must be address literals or come with an
 * address override. With LWIP_DNS (and LWIP_TCPIP_CORE_LOCKING), a name is
 * asked of lwIP's own resolver (dns_gethostbyname, A records; servers set with
 * dns_setserver or by DHCP) and waited for until the connect deadline or
 * the cancel flag, not for lwIP's DNS_MAX_RETRIES schedule: a server that
 * never answers is TT_PORT_ETIMEDOUT at the deadline, a name it does not
 * know (or lwIP giving up first) TT_PORT_ERESOLVE. IPv4 only.
 */
#ifndef TT_PORT_LWIP_H
#define TT_PORT_LWIP_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "opaque.h"
#include "port.h"

typedef struct tt_port_lwip_hooks {
    int64_t (*wall_s)(void);                /* seconds since 1970, < 0 unknown */
    int (*random)(void *buf, size_t len);   /* TT_PORT_OK or a code */
} tt_port_lwip_hooks;

/*
 * The port's state, owned by the caller (TT_URL_HOST_MAX +
 * TT_PORT_LWIP_SEM_SIZE + 56 bytes on x86-64: 344 by default; most of it
 * the name being resolved). The tt_port points at it, so it must
 * outlive the port and every client that copied the port; and, with
 * LWIP_DNS, lwIP too: a query given up at a deadline stays in lwIP's
 * resolver, which answers it later (at the latest when its retries end)
 * with a pointer to this struct. Make it static, or part of something that
 * lives as long as the network stack. The answer is then checked against
 * the name being asked now and otherwise only counted in late_answers.
 *
 * Connects that resolve a name through one tt_port_lwip take turns (one
 * query at a time); give threads that must resolve in parallel a port
 * each. Members other than late_answers are the port's own.
 */
typedef struct tt_port_lwip {
    tt_port_lwip_hooks hooks;           /* copied at init */
    TT_OPAQUE_BLOCK(TT_PORT_LWIP_SEM_SIZE) sem; /* lwIP's sys_sem_t: answer arrived */
    int sem_made;                       /* sem exists (LWIP_DNS builds) */
    int state;                          /* the query's state (port_lwip.c) */
    uint32_t addr;                      /* the answer: IPv4, network order */
    char name[TT_URL_HOST_MAX];         /* the name of the current or last query */
    unsigned long late_answers;         /* answers that came after their query ended */
    uint32_t clock_last;                /* the last sys_now() read (tt_port_lwip_clock) */
    uint32_t clock_wraps;               /* how often sys_now() wrapped since init */
} tt_port_lwip;

/* Fill *port with the lwIP port and its state *lw (hooks copied; NULL:
 * neither clock nor random). With LWIP_DNS this creates the resolver's
 * semaphore: call it once per *lw (again only after tt_port_lwip_free),
 * after tcpip_init. TT_PORT_OK, or TT_PORT_EIO when lwIP has no semaphore
 * to give (literals and overrides still connect). */
int tt_port_lwip_init(tt_port *port, tt_port_lwip *lw, const tt_port_lwip_hooks *hooks);

/* Release the semaphore (no connect may be running on the port). *lw must
 * still stay where it is while lwIP may answer a query it gave up on. */
void tt_port_lwip_free(tt_port_lwip *lw);

/* The port's monotonic clock in milliseconds from t, a reading of lwIP's
 * 32-bit sys_now(): each time t is below the last reading, it wrapped
 * (every 49.7 days), so that deadlines stay ahead of it. The port calls
 * it on every wait; declared for tests, which feed it readings. */
int64_t tt_port_lwip_clock(tt_port_lwip *lw, uint32_t t);

#endif /* TT_PORT_LWIP_H */
