/*
 * The POSIX port's stub resolver, its pure half: DNS messages (RFC 1035)
 * written and read, /etc/hosts lines and resolv.conf lines parsed. No I/O
 * and no allocation: port_posix.c does the reading and the UDP, every wait
 * under the caller's deadline (getaddrinfo has no deadline at all).
 *
 * Not here, on purpose: TCP fallback (a truncated answer with no address
 * in it fails that server), DNSSEC, and the NSS modules a glibc system may
 * name in nsswitch.conf.
 */
#ifndef TT_PORT_POSIX_DNS_H
#define TT_PORT_POSIX_DNS_H

#include <stddef.h>
#include <stdint.h>

/* A UDP answer's largest size without EDNS (RFC 1035 4.2.1). */
#define TT_DNS_MSG_MAX 512
/* A name's longest text, NUL included (RFC 1035 2.3.4: 253 + dot). */
#define TT_DNS_NAME_MAX 256
/* The nameservers and search domains kept from resolv.conf (as libc). */
#define TT_DNS_NS_MAX 3
#define TT_DNS_SEARCH_MAX 6

#define TT_DNS_A 1
#define TT_DNS_AAAA 28

/* One address: family 4 or 6, the bytes in network order. */
typedef struct tt_dns_addr {
    int family;
    unsigned char a[16];
} tt_dns_addr;

/* What resolv.conf says, with libc's defaults where it is silent. */
typedef struct tt_resolv_conf {
    tt_dns_addr ns[TT_DNS_NS_MAX];
    uint16_t ns_port[TT_DNS_NS_MAX];   /* 53 but for tests' --dns-servers */
    size_t nns;
    char search[TT_DNS_SEARCH_MAX][TT_DNS_NAME_MAX];
    size_t nsearch;
    int timeout_ms;                    /* options timeout:N; 5000 */
    int attempts;                      /* options attempts:N; 2 */
    int ndots;                         /* options ndots:N; 1 */
} tt_resolv_conf;

/* The outcome of reading one answer. */
typedef enum tt_dns_result {
    TT_DNS_OK = 0,         /* an answer for us: *n addresses (0: the name
                            * has none of this type) */
    TT_DNS_NXDOMAIN,       /* no such name */
    TT_DNS_FAILED,         /* SERVFAIL, REFUSED, ...: ask the next server */
    TT_DNS_TRUNCATED,      /* TC set and no address in what came */
    TT_DNS_NOT_OURS        /* malformed, another id or question: ignore it
                            * and keep waiting (a spoofer or a late one) */
} tt_dns_result;

/* Parse "1.2.3.4" or an IPv6 literal (no brackets) into *out; 0 or -1. */
int tt_dns_addr_parse(const char *text, size_t len, tt_dns_addr *out);

/* 1 when the names are equal ignoring case and one trailing dot. */
int tt_dns_name_eq(const char *a, size_t alen, const char *b, size_t blen);

/* A query for name (no trailing dot needed) and qtype with recursion
 * desired, into buf[cap]; its length, or 0 when the name is empty, has an
 * empty or 64-byte label, or does not fit (TT_DNS_MSG_MAX always does). */
size_t tt_dns_query(unsigned char *buf, size_t cap, uint16_t id, const char *name,
                    uint16_t qtype);

/* Read msg[len] as the answer to the query (id, name, qtype): the A or
 * AAAA records of its answer section into out[max], *n of them (more are
 * dropped: the caller tries at most max addresses). Bounds are checked
 * everywhere; names are skipped, never followed, so there is no loop to
 * bound but the record count. */
tt_dns_result tt_dns_answer(const unsigned char *msg, size_t len, uint16_t id, const char *name,
                            uint16_t qtype, tt_dns_addr *out, size_t max, size_t *n);

/* One /etc/hosts line (no newline): the addresses it gives name, appended
 * to out[max] from *n on. A comment, a blank or malformed line adds none. */
void tt_hosts_line(const char *line, size_t len, const char *name, tt_dns_addr *out, size_t max,
                   size_t *n);

/* Set rc to libc's defaults: no nameserver, no search, 5 s, 2 tries,
 * ndots 1. */
void tt_resolv_conf_init(tt_resolv_conf *rc);

/* One resolv.conf line (no newline) into rc: nameserver (beyond
 * TT_DNS_NS_MAX ignored, as libc does), search and domain (the last one
 * wins; beyond TT_DNS_SEARCH_MAX or a domain too long: not kept), options
 * timeout:, attempts:, ndots: (clamped as libc: 30 s, 5, 15). */
void tt_resolv_conf_line(tt_resolv_conf *rc, const char *line, size_t len);

/* The k-th name to ask for name (k from 0) into cand[TT_DNS_NAME_MAX]:
 * name itself first when it has ndots dots or more, or ends in a dot (then
 * it is the only one), else after name.DOMAIN for each search domain.
 * 1 filled; 0 skip this k (too long with that domain); -1 no more. */
int tt_dns_candidate(const tt_resolv_conf *rc, const char *name, size_t k, char *cand);

/* "ADDR[:PORT][,ADDR[:PORT]...]" (IPv6 as [ADDR]:PORT) as rc's
 * nameservers, replacing those of the file; 0, or -1 on a bad entry or
 * more than TT_DNS_NS_MAX (rc unchanged). */
int tt_resolv_conf_servers(tt_resolv_conf *rc, const char *list);

#endif /* TT_PORT_POSIX_DNS_H */
