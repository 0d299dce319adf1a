/*
 * The stub resolver's messages and files (see dns.h).
 */
#include "dns.h"
#include "chars.h"

#include <arpa/inet.h>
#include <string.h>

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static uint16_t get16(const unsigned char *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

int tt_dns_addr_parse(const char *text, size_t len, tt_dns_addr *out)
{
    char tmp[48];
    if (len == 0 || len >= sizeof tmp)
        return -1;
    memcpy(tmp, text, len);
    tmp[len] = '\0';
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, tmp, out->a) == 1)
        out->family = 4;
    else if (inet_pton(AF_INET6, tmp, out->a) == 1)
        out->family = 6;
    else
        return -1;
    return 0;
}

int tt_dns_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i;
    if (alen > 0 && a[alen - 1] == '.')
        alen--;
    if (blen > 0 && b[blen - 1] == '.')
        blen--;
    if (alen != blen)
        return 0;
    for (i = 0; i < alen; i++)
        if (tt_lower((unsigned char)a[i]) != tt_lower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* ---- messages ------------------------------------------------------------- */

/* name as labels into buf at off; the new offset, or 0. */
static size_t put_name(unsigned char *buf, size_t cap, size_t off, const char *name)
{
    size_t len = strlen(name), start = 0, i;
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len == 0 || len > TT_DNS_NAME_MAX - 3)
        return 0;
    for (i = 0; i <= len; i++) {
        size_t label;
        if (i < len && name[i] != '.')
            continue;
        label = i - start;
        if (label == 0 || label > 63 || off + 1 + label >= cap)
            return 0;
        buf[off++] = (unsigned char)label;
        memcpy(buf + off, name + start, label);
        off += label;
        start = i + 1;
    }
    buf[off++] = 0;
    return off;
}

size_t tt_dns_query(unsigned char *buf, size_t cap, uint16_t id, const char *name,
                    uint16_t qtype)
{
    size_t off;
    if (cap < 12 + 2 + 4)
        return 0;
    memset(buf, 0, 12);
    buf[0] = (unsigned char)(id >> 8);
    buf[1] = (unsigned char)id;
    buf[2] = 0x01;                       /* RD: the server recurses */
    buf[5] = 1;                          /* one question */
    off = put_name(buf, cap, 12, name);
    if (off == 0 || off + 4 > cap)
        return 0;
    buf[off++] = (unsigned char)(qtype >> 8);
    buf[off++] = (unsigned char)qtype;
    buf[off++] = 0;
    buf[off++] = 1;                      /* class IN */
    return off;
}

/* Compare the wire name at msg[*off] (labels only: a question is never
 * compressed by the servers we meet, and one that is does not match) with
 * name; moves *off past it. 1 equal, 0 not, -1 malformed. */
static int question_name(const unsigned char *msg, size_t len, size_t *off, const char *name)
{
    size_t nlen = strlen(name), pos = 0;
    int same = 1;
    if (nlen > 0 && name[nlen - 1] == '.')
        nlen--;
    for (;;) {
        size_t label, i;
        if (*off >= len)
            return -1;
        label = msg[(*off)++];
        if (label == 0)
            break;
        if (label > 63 || *off + label > len)
            return -1;
        if (pos > 0) {
            same = same && pos < nlen && name[pos] == '.';
            pos++;
        }
        for (i = 0; i < label; i++, pos++)
            same = same && pos < nlen &&
                   tt_lower(msg[*off + i]) == tt_lower((unsigned char)name[pos]);
        *off += label;
    }
    return same && pos == nlen;
}

/* Skip a name in a record: labels ending in a zero or a pointer. */
static int skip_name(const unsigned char *msg, size_t len, size_t *off)
{
    for (;;) {
        unsigned c;
        if (*off >= len)
            return -1;
        c = msg[*off];
        if ((c & 0xC0) == 0xC0) {
            if (*off + 2 > len)
                return -1;
            *off += 2;
            return 0;
        }
        if (c > 63)
            return -1;
        *off += 1 + c;
        if (c == 0)
            return 0;
    }
}

tt_dns_result tt_dns_answer(const unsigned char *msg, size_t len, uint16_t id, const char *name,
                            uint16_t qtype, tt_dns_addr *out, size_t max, size_t *n)
{
    size_t off = 12, an, i, want = qtype == TT_DNS_AAAA ? 16 : 4;
    unsigned flags, rcode;
    *n = 0;
    if (len < 12 || get16(msg) != id || !(msg[2] & 0x80) || get16(msg + 4) != 1)
        return TT_DNS_NOT_OURS;
    if (question_name(msg, len, &off, name) != 1 || off + 4 > len ||
        get16(msg + off) != qtype || get16(msg + off + 2) != 1)
        return TT_DNS_NOT_OURS;
    off += 4;
    flags = get16(msg + 2);
    rcode = flags & 0x0F;
    if (rcode == 3)
        return TT_DNS_NXDOMAIN;
    if (rcode != 0)
        return TT_DNS_FAILED;
    an = get16(msg + 6);
    for (i = 0; i < an; i++) {
        uint16_t type, cls, rdlen;
        if (skip_name(msg, len, &off) != 0 || off + 10 > len)
            return *n > 0 ? TT_DNS_OK : TT_DNS_NOT_OURS;
        type = get16(msg + off);
        cls = get16(msg + off + 2);
        rdlen = get16(msg + off + 8);
        off += 10;
        if (off + rdlen > len)
            return *n > 0 ? TT_DNS_OK : TT_DNS_NOT_OURS;
        /* CNAMEs are passed over: a recursive server puts the target's
         * records after them */
        if (type == qtype && cls == 1 && rdlen == want && *n < max) {
            memset(&out[*n], 0, sizeof out[*n]);
            out[*n].family = want == 4 ? 4 : 6;
            memcpy(out[*n].a, msg + off, want);
            (*n)++;
        }
        off += rdlen;
    }
    if (*n == 0 && (flags & 0x0200))
        return TT_DNS_TRUNCATED;
    return TT_DNS_OK;
}

/* ---- files ---------------------------------------------------------------- */

/* The next field of line from *pos on (spaces and tabs between); its
 * length, 0 at the end or at a comment. */
static size_t field(const char *line, size_t len, size_t *pos, const char **start)
{
    size_t p = *pos, b;
    while (p < len && is_space((unsigned char)line[p]))
        p++;
    if (p >= len || line[p] == '#' || line[p] == ';')
        return 0;
    b = p;
    while (p < len && !is_space((unsigned char)line[p]) && line[p] != '#')
        p++;
    *start = line + b;
    *pos = p;
    return p - b;
}

void tt_hosts_line(const char *line, size_t len, const char *name, tt_dns_addr *out, size_t max,
                   size_t *n)
{
    size_t pos = 0, alen, flen;
    const char *addr, *f;
    tt_dns_addr a;
    if ((alen = field(line, len, &pos, &addr)) == 0 || tt_dns_addr_parse(addr, alen, &a) != 0)
        return;
    while ((flen = field(line, len, &pos, &f)) > 0)
        if (tt_dns_name_eq(f, flen, name, strlen(name))) {
            if (*n < max)
                out[(*n)++] = a;
            return;
        }
}

void tt_resolv_conf_init(tt_resolv_conf *rc)
{
    memset(rc, 0, sizeof *rc);
    rc->timeout_ms = 5000;
    rc->attempts = 2;
    rc->ndots = 1;
}

static int keyword(const char *f, size_t flen, const char *kw)
{
    return flen == strlen(kw) && memcmp(f, kw, flen) == 0;
}

/* "name:N" with N a small decimal, clamped to hi; -1 when not that. */
static int option_value(const char *f, size_t flen, const char *name, int hi)
{
    size_t nl = strlen(name), i;
    int v = 0;
    if (flen <= nl || memcmp(f, name, nl) != 0)
        return -1;
    for (i = nl; i < flen; i++) {
        if (!tt_is_digit((unsigned char)f[i]))
            return -1;
        if (v < hi)
            v = v * 10 + (f[i] - '0');
    }
    return v > hi ? hi : v;
}

static void search_line(tt_resolv_conf *rc, const char *line, size_t len, size_t pos)
{
    const char *f;
    size_t flen;
    rc->nsearch = 0;                     /* the last search or domain line wins */
    while ((flen = field(line, len, &pos, &f)) > 0 && rc->nsearch < TT_DNS_SEARCH_MAX) {
        if (flen >= TT_DNS_NAME_MAX - 1)
            continue;
        memcpy(rc->search[rc->nsearch], f, flen);
        rc->search[rc->nsearch++][flen] = '\0';
    }
}

void tt_resolv_conf_line(tt_resolv_conf *rc, const char *line, size_t len)
{
    size_t pos = 0, flen;
    const char *f;
    int v;
    if ((flen = field(line, len, &pos, &f)) == 0)
        return;
    if (keyword(f, flen, "nameserver")) {
        if ((flen = field(line, len, &pos, &f)) > 0 && rc->nns < TT_DNS_NS_MAX &&
            tt_dns_addr_parse(f, flen, &rc->ns[rc->nns]) == 0)
            rc->ns_port[rc->nns++] = 53;
    } else if (keyword(f, flen, "search") || keyword(f, flen, "domain")) {
        search_line(rc, line, len, pos);
    } else if (keyword(f, flen, "options")) {
        while ((flen = field(line, len, &pos, &f)) > 0) {
            if ((v = option_value(f, flen, "timeout:", 30)) >= 0)
                rc->timeout_ms = (v > 0 ? v : 1) * 1000;
            else if ((v = option_value(f, flen, "attempts:", 5)) >= 0)
                rc->attempts = v > 0 ? v : 1;
            else if ((v = option_value(f, flen, "ndots:", 15)) >= 0)
                rc->ndots = v;
        }
    }
}

/* One "ADDR", "ADDR:PORT" or "[ADDR6]:PORT" entry. */
static int server_entry(const char *s, size_t len, tt_dns_addr *a, uint16_t *port)
{
    size_t alen = len, i;
    const char *addr = s;
    unsigned long p = 53;
    const char *colon = memchr(s, ':', len);
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL)
            return -1;
        addr = s + 1;
        alen = (size_t)(close - s) - 1;
        colon = close + 1 < s + len ? close + 1 : NULL;
        if (colon != NULL && *colon != ':')
            return -1;
    } else if (colon != NULL && memchr(colon + 1, ':', len - (size_t)(colon + 1 - s)) != NULL) {
        colon = NULL;                    /* a bare IPv6 address */
    } else if (colon != NULL) {
        alen = (size_t)(colon - s);
    }
    if (colon != NULL) {
        size_t pl = len - (size_t)(colon + 1 - s);
        if (pl == 0 || pl > 5)
            return -1;
        for (p = 0, i = 0; i < pl; i++) {
            if (!tt_is_digit((unsigned char)colon[1 + i]))
                return -1;
            p = p * 10 + (unsigned long)(colon[1 + i] - '0');
        }
        if (p == 0 || p > 65535)
            return -1;
    }
    if (tt_dns_addr_parse(addr, alen, a) != 0)
        return -1;
    *port = (uint16_t)p;
    return 0;
}

int tt_resolv_conf_servers(tt_resolv_conf *rc, const char *list)
{
    tt_dns_addr ns[TT_DNS_NS_MAX];
    uint16_t ports[TT_DNS_NS_MAX];
    size_t n = 0;
    for (;;) {
        size_t len = strcspn(list, ",");
        if (n == TT_DNS_NS_MAX || server_entry(list, len, &ns[n], &ports[n]) != 0)
            return -1;
        n++;
        if (list[len] == '\0')
            break;
        list += len + 1;
    }
    memcpy(rc->ns, ns, sizeof ns);
    memcpy(rc->ns_port, ports, sizeof ports);
    rc->nns = n;
    return 0;
}

/* ---- names to ask ------------------------------------------------------------ */

int tt_dns_candidate(const tt_resolv_conf *rc, const char *name, size_t k, char *cand)
{
    size_t len = strlen(name), dots = 0, i, nsearch = rc->nsearch;
    int as_is_first;
    for (i = 0; i < len; i++)
        dots += name[i] == '.';
    if (len > 0 && name[len - 1] == '.')
        nsearch = 0;
    as_is_first = (int)dots >= rc->ndots;
    if (k > nsearch || len == 0 || len >= TT_DNS_NAME_MAX)
        return -1;
    if ((as_is_first && k == 0) || (!as_is_first && k == nsearch)) {
        memcpy(cand, name, len + 1);
        return 1;
    }
    i = as_is_first ? k - 1 : k;
    if (len + 1 + strlen(rc->search[i]) >= TT_DNS_NAME_MAX)
        return 0;
    memcpy(cand, name, len);
    cand[len] = '.';
    memcpy(cand + len + 1, rc->search[i], strlen(rc->search[i]) + 1);
    return 1;
}
