/* The POSIX port's stub resolver, its pure half: queries written, answers
 * read (well-formed, spoofed, cut, malformed), hosts and resolv.conf lines,
 * --dns-servers lists and the search order; and, through the port, how it
 * reads a hosts file into lines. */
#define _POSIX_C_SOURCE 200809L
#include "../testlib.h"
#include "suites.h"
#include "../../port/posix/dns.h"
#include "tether/port_posix.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const unsigned char query_cp[] = {
    0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
    2, 'c', 'p', 6, 't', 'e', 't', 'h', 'e', 'r', 4, 't', 'e', 's', 't', 0,
    0, 1, 0, 1
};

static void test_query(void)
{
    unsigned char q[TT_DNS_MSG_MAX];
    char name[300];
    CHECK_INT(tt_dns_query(q, sizeof q, 0x1234, "cp.tether.test", TT_DNS_A), sizeof query_cp);
    CHECK(memcmp(q, query_cp, sizeof query_cp) == 0);
    CHECK_INT(tt_dns_query(q, sizeof q, 0x1234, "cp.tether.test.", TT_DNS_A), sizeof query_cp);
    CHECK(memcmp(q, query_cp, sizeof query_cp) == 0);
    CHECK_INT(tt_dns_query(q, sizeof q, 1, "a..b", TT_DNS_A), 0);
    CHECK_INT(tt_dns_query(q, sizeof q, 1, "", TT_DNS_A), 0);
    CHECK_INT(tt_dns_query(q, sizeof q, 1, ".", TT_DNS_A), 0);
    memset(name, 'a', 64);                      /* a 64-byte label */
    strcpy(name + 64, ".test");
    CHECK_INT(tt_dns_query(q, sizeof q, 1, name, TT_DNS_A), 0);
    strcpy(name + 63, ".test");                 /* 63: the longest */
    CHECK(tt_dns_query(q, sizeof q, 1, name, TT_DNS_A) > 0);
    CHECK_INT(tt_dns_query(q, 20, 0x1234, "cp.tether.test", TT_DNS_A), 0);   /* no room */
}

/* An answer to query_cp (for qtype): header flags, then records. */
static size_t answer(unsigned char *m, unsigned flags, uint16_t qtype, const unsigned char *recs,
                     size_t rlen, unsigned ancount)
{
    memcpy(m, query_cp, sizeof query_cp);
    m[2] = (unsigned char)(flags >> 8);
    m[3] = (unsigned char)flags;
    m[7] = (unsigned char)ancount;
    m[sizeof query_cp - 3] = (unsigned char)qtype;
    if (rlen > 0)
        memcpy(m + sizeof query_cp, recs, rlen);
    return sizeof query_cp + rlen;
}

/* owner: a pointer to the question's name; A, IN, TTL 60, 10.0.0.7 */
static const unsigned char rec_a[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 7 };

static void test_answer_read(void)
{
    static const unsigned char cname_then_a[] = {
        0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6, 3, 'w', 'w', 'w', 0xc0, 12,
        0xc0, 30, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1
    };
    static const unsigned char rec_aaaa[] = {
        0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    };
    unsigned char m[TT_DNS_MSG_MAX];
    tt_dns_addr out[4];
    size_t n, len;
    len = answer(m, 0x8180, TT_DNS_A, rec_a, sizeof rec_a, 1);
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.test", TT_DNS_A, out, 4, &n), TT_DNS_OK);
    CHECK_INT(n, 1);
    CHECK_INT(out[0].family, 4);
    CHECK(memcmp(out[0].a, "\x0a\x00\x00\x07", 4) == 0);
    /* the question's name in another case is the same name (0x20 mixing) */
    m[13] = 'C';
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.test", TT_DNS_A, out, 4, &n), TT_DNS_OK);
    /* a CNAME is passed over, its target's address taken */
    len = answer(m, 0x8180, TT_DNS_A, cname_then_a, sizeof cname_then_a, 2);
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.test", TT_DNS_A, out, 4, &n), TT_DNS_OK);
    CHECK_INT(n, 1);
    CHECK(memcmp(out[0].a, "\xc0\x00\x02\x01", 4) == 0);
    len = answer(m, 0x8180, TT_DNS_AAAA, rec_aaaa, sizeof rec_aaaa, 1);
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.test", TT_DNS_AAAA, out, 4, &n), TT_DNS_OK);
    CHECK_INT(n, 1);
    CHECK_INT(out[0].family, 6);
    CHECK_INT(out[0].a[15], 1);
    /* an A record in an AAAA answer is not an address of that type */
    len = answer(m, 0x8180, TT_DNS_AAAA, rec_a, sizeof rec_a, 1);
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.test", TT_DNS_AAAA, out, 4, &n), TT_DNS_OK);
    CHECK_INT(n, 0);
    /* NODATA: no records, no error */
    len = answer(m, 0x8180, TT_DNS_A, NULL, 0, 0);
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.test", TT_DNS_A, out, 4, &n), TT_DNS_OK);
    CHECK_INT(n, 0);
}

static void test_answer_refused(void)
{
    unsigned char m[TT_DNS_MSG_MAX], many[4 * sizeof rec_a];
    tt_dns_addr out[2];
    size_t n, len, i;
    len = answer(m, 0x8180, TT_DNS_A, rec_a, sizeof rec_a, 1);
    CHECK_INT(tt_dns_answer(m, len, 0x1235, "cp.tether.test", TT_DNS_A, out, 2, &n),
              TT_DNS_NOT_OURS);                 /* another id */
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.tes", TT_DNS_A, out, 2, &n),
              TT_DNS_NOT_OURS);                 /* another question */
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.test.x", TT_DNS_A, out, 2, &n),
              TT_DNS_NOT_OURS);
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.test", TT_DNS_AAAA, out, 2, &n),
              TT_DNS_NOT_OURS);                 /* another type */
    len = answer(m, 0x0180, TT_DNS_A, rec_a, sizeof rec_a, 1);
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.test", TT_DNS_A, out, 2, &n),
              TT_DNS_NOT_OURS);                 /* a query, not an answer */
    len = answer(m, 0x8183, TT_DNS_A, NULL, 0, 0);
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.test", TT_DNS_A, out, 2, &n),
              TT_DNS_NXDOMAIN);
    len = answer(m, 0x8182, TT_DNS_A, NULL, 0, 0);
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.test", TT_DNS_A, out, 2, &n),
              TT_DNS_FAILED);                   /* SERVFAIL */
    len = answer(m, 0x8380, TT_DNS_A, NULL, 0, 0);
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.test", TT_DNS_A, out, 2, &n),
              TT_DNS_TRUNCATED);
    len = answer(m, 0x8380, TT_DNS_A, rec_a, sizeof rec_a, 1);
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.test", TT_DNS_A, out, 2, &n),
              TT_DNS_OK);                       /* cut, but with an address */
    CHECK_INT(n, 1);
    /* more records than out holds: the first max kept */
    for (i = 0; i < 4; i++)
        memcpy(many + i * sizeof rec_a, rec_a, sizeof rec_a);
    len = answer(m, 0x8180, TT_DNS_A, many, sizeof many, 4);
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.test", TT_DNS_A, out, 2, &n), TT_DNS_OK);
    CHECK_INT(n, 2);
    /* a count the message does not hold, and every shorter cut of a good
     * answer: bounds hold (ASan watches), no address is made up */
    len = answer(m, 0x8180, TT_DNS_A, rec_a, sizeof rec_a, 200);
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.test", TT_DNS_A, out, 2, &n), TT_DNS_OK);
    CHECK_INT(n, 1);
    len = answer(m, 0x8180, TT_DNS_A, rec_a, sizeof rec_a, 1);
    for (i = 0; i < len; i++) {
        tt_dns_result r = tt_dns_answer(m, i, 0x1234, "cp.tether.test", TT_DNS_A, out, 2, &n);
        CHECK(r == TT_DNS_NOT_OURS || (r == TT_DNS_OK && n == 0 && i == sizeof query_cp));
    }
    /* a label length past the end in a record's owner */
    m[sizeof query_cp] = 60;
    CHECK_INT(tt_dns_answer(m, len, 0x1234, "cp.tether.test", TT_DNS_A, out, 2, &n),
              TT_DNS_NOT_OURS);
}

static void test_hosts_lines(void)
{
    tt_dns_addr out[3];
    size_t n = 0;
    const char *l1 = "127.0.0.1\tlocalhost cp.tether.test   # the control plane";
    tt_hosts_line(l1, strlen(l1), "CP.tether.test.", out, 3, &n);
    CHECK_INT(n, 1);
    CHECK_INT(out[0].family, 4);
    tt_hosts_line("::1 ip6-localhost cp.tether.test", 32, "cp.tether.test", out, 3, &n);
    CHECK_INT(n, 2);
    CHECK_INT(out[1].family, 6);
    tt_hosts_line("# 10.0.0.1 cp.tether.test", 25, "cp.tether.test", out, 3, &n);
    tt_hosts_line("10.0.0.1 other #cp.tether.test", 30, "cp.tether.test", out, 3, &n);
    tt_hosts_line("bogus cp.tether.test", 20, "cp.tether.test", out, 3, &n);
    tt_hosts_line("10.0.0.1", 8, "cp.tether.test", out, 3, &n);
    tt_hosts_line("", 0, "cp.tether.test", out, 3, &n);
    tt_hosts_line("10.0.0.1 cp.tether.tes", 22, "cp.tether.test", out, 3, &n);
    CHECK_INT(n, 2);
    tt_hosts_line("10.0.0.9 cp.tether.test", 23, "cp.tether.test", out, 3, &n);
    tt_hosts_line("10.0.0.8 cp.tether.test", 23, "cp.tether.test", out, 3, &n);
    CHECK_INT(n, 3);                            /* out full: the rest dropped */
    CHECK_INT(out[2].a[3], 9);
}

static void conf(tt_resolv_conf *rc, const char *line)
{
    tt_resolv_conf_line(rc, line, strlen(line));
}

static void test_resolv_conf(void)
{
    tt_resolv_conf rc;
    tt_resolv_conf_init(&rc);
    CHECK_INT(rc.timeout_ms, 5000);
    CHECK_INT(rc.attempts, 2);
    CHECK_INT(rc.ndots, 1);
    conf(&rc, "# written by dhclient");
    conf(&rc, "nameserver 10.0.2.3");
    conf(&rc, "nameserver bogus");
    conf(&rc, "nameserver fd00::3   # v6");
    conf(&rc, "nameserver\t192.168.1.1");
    conf(&rc, "nameserver 192.168.1.2");        /* a fourth: libc ignores it too */
    CHECK_INT(rc.nns, 3);
    CHECK_INT(rc.ns[1].family, 6);
    CHECK_INT(rc.ns_port[2], 53);
    conf(&rc, "search corp.example lab.example");
    CHECK_INT(rc.nsearch, 2);
    CHECK_STR(rc.search[1], "lab.example");
    conf(&rc, "domain site.example");           /* the last one wins */
    CHECK_INT(rc.nsearch, 1);
    CHECK_STR(rc.search[0], "site.example");
    conf(&rc, "options timeout:2 attempts:9 ndots:3 rotate");
    CHECK_INT(rc.timeout_ms, 2000);
    CHECK_INT(rc.attempts, 5);
    CHECK_INT(rc.ndots, 3);
    conf(&rc, "options timeout:0 attempts:x");
    CHECK_INT(rc.timeout_ms, 1000);
    CHECK_INT(rc.attempts, 5);
}

static void test_server_lists(void)
{
    tt_resolv_conf rc;
    tt_resolv_conf_init(&rc);
    CHECK_INT(tt_resolv_conf_servers(&rc, "127.0.0.1:5353,[::1]:54,10.0.0.1"), 0);
    CHECK_INT(rc.nns, 3);
    CHECK_INT(rc.ns_port[0], 5353);
    CHECK_INT(rc.ns[1].family, 6);
    CHECK_INT(rc.ns_port[1], 54);
    CHECK_INT(rc.ns_port[2], 53);
    CHECK_INT(tt_resolv_conf_servers(&rc, "fd00::1"), 0);    /* bare IPv6: port 53 */
    CHECK_INT(rc.nns, 1);
    CHECK_INT(tt_resolv_conf_servers(&rc, "1.1.1.1,1.0.0.1,8.8.8.8,8.8.4.4"), -1);
    CHECK_INT(tt_resolv_conf_servers(&rc, "1.1.1.1:0"), -1);
    CHECK_INT(tt_resolv_conf_servers(&rc, "1.1.1.1:65536"), -1);
    CHECK_INT(tt_resolv_conf_servers(&rc, "1.1.1.1:"), -1);
    CHECK_INT(tt_resolv_conf_servers(&rc, "[::1]x"), -1);
    CHECK_INT(tt_resolv_conf_servers(&rc, "dns.example"), -1);
    CHECK_INT(tt_resolv_conf_servers(&rc, ""), -1);
    CHECK_INT(tt_resolv_conf_servers(&rc, "1.1.1.1,"), -1);
    CHECK_INT(rc.nns, 1);                       /* unchanged by the refusals */
}

static void test_search_order(void)
{
    tt_resolv_conf rc;
    char c[TT_DNS_NAME_MAX], big[TT_DNS_NAME_MAX + 8];
    tt_resolv_conf_init(&rc);
    conf(&rc, "search a.test b.test");
    CHECK_INT(tt_dns_candidate(&rc, "cp", 0, c), 1);
    CHECK_STR(c, "cp.a.test");
    CHECK_INT(tt_dns_candidate(&rc, "cp", 1, c), 1);
    CHECK_STR(c, "cp.b.test");
    CHECK_INT(tt_dns_candidate(&rc, "cp", 2, c), 1);
    CHECK_STR(c, "cp");
    CHECK_INT(tt_dns_candidate(&rc, "cp", 3, c), -1);
    CHECK_INT(tt_dns_candidate(&rc, "cp.x", 0, c), 1);    /* ndots 1: as it is first */
    CHECK_STR(c, "cp.x");
    CHECK_INT(tt_dns_candidate(&rc, "cp.x", 1, c), 1);
    CHECK_STR(c, "cp.x.a.test");
    CHECK_INT(tt_dns_candidate(&rc, "cp.", 0, c), 1);     /* rooted: only itself */
    CHECK_STR(c, "cp.");
    CHECK_INT(tt_dns_candidate(&rc, "cp.", 1, c), -1);
    memset(big, 'a', TT_DNS_NAME_MAX - 4);      /* too long with a domain: skipped */
    big[TT_DNS_NAME_MAX - 4] = '\0';
    CHECK_INT(tt_dns_candidate(&rc, big, 0, c), 0);
    CHECK_INT(tt_dns_candidate(&rc, big, 2, c), 1);
    memset(big, 'a', TT_DNS_NAME_MAX);          /* too long for a name at all */
    big[TT_DNS_NAME_MAX] = '\0';
    CHECK_INT(tt_dns_candidate(&rc, big, 0, c), -1);
}

/* A port of 127.0.0.1 (type: TCP or UDP) where nothing listens: a
 * connect there is refused at once; 0 when none could be had. */
static uint16_t closed_port(int type)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, type, 0);
    uint16_t port = 0;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* The port's connect to name:port with names from the hosts file only
 * (the DNS server named refuses): TT_PORT_EREFUSED when the name resolved
 * (nothing listens on port), TT_PORT_ERESOLVE or ETIMEDOUT when not. */
static int connect_via_hosts(const char *hosts, const char *name, uint16_t port,
                             const char *dns)
{
    tt_port_posix_config cfg;
    tt_port p;
    tt_sock s;
    int rc;
    memset(&cfg, 0, sizeof cfg);
    cfg.hosts = hosts;
    cfg.resolv_conf = "/nonexistent/resolv.conf";
    cfg.dns_servers = dns;
    tt_port_posix_init_config(&p, &cfg);
    rc = p.ops->connect(p.ctx, &s, name, port, NULL, p.ops->now_ms(p.ctx) + 2000, NULL);
    p.ops->close(p.ctx, &s);
    return rc;
}

/* A hosts line longer than the port's 1024-byte line buffer is passed
 * over whole: its tail is no line of its own, which would turn a comment
 * into an entry. Each long line here is cut by the buffer exactly before
 * an address, the tail an entry when read alone; the last one has no
 * newline. */
static void test_hosts_long_line(void)
{
    char path[] = "/tmp/tt-hosts-XXXXXX", dns[32], pad[1024];
    uint16_t tcp = closed_port(SOCK_STREAM), udp = closed_port(SOCK_DGRAM);
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    int evil, good, last;
    if (f == NULL || tcp == 0 || udp == 0) {
        tt_test_skip("no temporary file or loopback port");
        return;
    }
    memset(pad, 'x', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    fprintf(f, "#%s127.0.0.1 evil.tether.test\n127.0.0.1 good.tether.test\n", pad);
    fprintf(f, "#%s127.0.0.1 last.tether.test", pad);
    fclose(f);
    snprintf(dns, sizeof dns, "127.0.0.1:%u", (unsigned)udp);
    evil = connect_via_hosts(path, "evil.tether.test", tcp, dns);
    good = connect_via_hosts(path, "good.tether.test", tcp, dns);
    last = connect_via_hosts(path, "last.tether.test", tcp, dns);
    unlink(path);
    CHECK(evil == TT_PORT_ERESOLVE || evil == TT_PORT_ETIMEDOUT);
    CHECK_INT(good, TT_PORT_EREFUSED);          /* the line after is read */
    CHECK(last == TT_PORT_ERESOLVE || last == TT_PORT_ETIMEDOUT);
}

void suite_dns(void)
{
    static const tt_test tests[] = {
        { "query", test_query },
        { "answer_read", test_answer_read },
        { "answer_refused", test_answer_refused },
        { "hosts_lines", test_hosts_lines },
        { "resolv_conf", test_resolv_conf },
        { "server_lists", test_server_lists },
        { "search_order", test_search_order },
        { "hosts_long_line", test_hosts_long_line },
    };
    tt_run_suite("dns", tests, TT_COUNT(tests));
}
