/*
 * POSIX port: BSD sockets with poll(), clock_gettime, getrandom, files.
 * Runs on Linux with glibc or musl. Stateless: the context is NULL (or a
 * caller's read-only configuration) and one tt_port value may be shared
 * by any number of clients and threads.
 *
 * Names resolve through the port's own stub resolver, not getaddrinfo
 * (which has no deadline): a literal address; then /etc/hosts; then
 * "localhost" and names under it as loopback (RFC 6761, for a root file
 * system without /etc); then the nameservers of /etc/resolv.conf over UDP
 * (127.0.0.1 when it names none, as libc does), with its search, ndots,
 * timeout and attempts. Every wait counts against the connect deadline.
 * NSS modules of nsswitch.conf (mdns, LDAP, ...) are not consulted.
 */
#ifndef TT_PORT_POSIX_H
#define TT_PORT_POSIX_H

#include "port.h"

/* Where names come from; read at every connect that needs a name, so an
 * edit of the files (a DHCP hook writing resolv.conf) counts at once. */
typedef struct tt_port_posix_config {
    const char *hosts;           /* NULL: "/etc/hosts" */
    const char *resolv_conf;     /* NULL: "/etc/resolv.conf" */
    /* "ADDR[:PORT][,...]" (IPv6 as [ADDR]:PORT, at most 3) instead of
     * resolv.conf's nameservers (curl's --dns-servers); NULL: the file's.
     * A bad list fails every lookup with TT_PORT_ERESOLVE. */
    const char *dns_servers;
} tt_port_posix_config;

/* Fill *port with the POSIX implementation (a static table, no context:
 * *port may be copied freely). */
void tt_port_posix_init(tt_port *port);

/* 0 when list is a valid dns_servers value, else -1. */
int tt_port_posix_check_dns_servers(const char *list);

/* The same with cfg as the context: cfg and its strings are kept by
 * pointer and must outlive every client using the port. */
void tt_port_posix_init_config(tt_port *port, const tt_port_posix_config *cfg);

#endif /* TT_PORT_POSIX_H */
