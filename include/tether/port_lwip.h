/*
 * lwIP port: tether over lwIP's socket API (NO_SYS=0, LWIP_SOCKET,
 * LWIP_SOCKET_POLL, LWIP_SO_RCVTIMEO). The platform supplies what lwIP
 * does not: a wall clock (certificate dates; NULL: "no clock", see the
 * TLS time policy) and random bytes (NULL: random() fails and TLS will not
 * start). No file system: load trust anchors and keys from memory with
 * tt_tls_add_*_pem. Without LWIP_DNS, hosts must be address literals or
 * come with an address override.
 */
#ifndef TT_PORT_LWIP_H
#define TT_PORT_LWIP_H

#include <stddef.h>
#include <stdint.h>

#include "port.h"

typedef struct tt_port_lwip_hooks {
    int64_t (*wall_s)(void);                /* seconds since 1970, < 0 unknown */
    int (*random)(void *buf, size_t len);   /* TT_PORT_OK or a code */
} tt_port_lwip_hooks;

/* Fill *port; hooks is kept by pointer and must outlive it (and every
 * client that copied it). */
void tt_port_lwip_init(tt_port *port, const tt_port_lwip_hooks *hooks);

#endif /* TT_PORT_LWIP_H */
