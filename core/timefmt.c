/*
 * Calendar arithmetic (Howard Hinnant's days-from-civil and its inverse)
 * and the two date texts the protocols use.
 */
#include "tether/timefmt.h"
#include "chars.h"
#include "tether/errors.h"

#include <string.h>

int64_t tt_port_wall_s(const tt_port *p)
{
    int64_t ms = p->ops->wall_ms(p->ctx);
    return ms < 0 ? -1 : ms / 1000;
}

int64_t tt_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* n decimal digits at s into *out: 1, or 0 when one is not a digit. */
static int digits(const char *s, size_t n, unsigned *out)
{
    size_t i;
    unsigned v = 0;
    for (i = 0; i < n; i++) {
        if (!tt_is_digit((unsigned char)s[i]))
            return 0;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 1;
}

static int leap(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static unsigned days_in(int64_t y, unsigned m)
{
    static const unsigned char n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return n[m - 1] + (m == 2 && leap(y));
}

/* The fraction after the seconds: ',' or '.' and at least one digit; the
 * first nine digits are kept (truncated, as Go does). Advances *p. */
static int fraction(const char *s, size_t n, size_t *p, uint32_t *ns)
{
    size_t i = *p + 1, k = 0;
    uint32_t v = 0;
    if (*p >= n || (s[*p] != '.' && s[*p] != ',')) {
        *ns = 0;
        return 0;
    }
    if (i >= n || !tt_is_digit((unsigned char)s[i]))
        return -1;
    for (; i < n && tt_is_digit((unsigned char)s[i]); i++, k++)
        if (k < 9)
            v = v * 10 + (uint32_t)(s[i] - '0');
    for (; k < 9; k++)
        v *= 10;
    *ns = v;
    *p = i;
    return 0;
}

int tt_rfc3339_parse_time(const char *s, size_t n, tt_rfc3339_time *t)
{
    unsigned y, mo, d, h, mi, se, oh = 0, om = 0;
    size_t p, hl;
    int32_t off = 0;
    uint32_t ns;
    if (n < 19 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || s[10] != 'T' || mo < 1 || mo > 12 || d < 1 ||
        d > days_in(y, mo))
        return -1;
    /* Go's layout "15" reads one or two hour digits */
    hl = s[12] == ':' ? 1 : 2;
    if (n < 17 + hl || !digits(s + 11, hl, &h) || s[11 + hl] != ':' ||
        !digits(s + 12 + hl, 2, &mi) || s[14 + hl] != ':' || !digits(s + 15 + hl, 2, &se) ||
        h > 23 || mi > 59 || se > 59)
        return -1;
    p = 17 + hl;
    if (fraction(s, n, &p, &ns) != 0 || p >= n)
        return -1;
    if (s[p] == 'Z') {
        p++;
    } else if (s[p] == '+' || s[p] == '-') {
        /* Go takes an offset hour up to 24 and minute up to 60 */
        if (p + 6 != n || !digits(s + p + 1, 2, &oh) || s[p + 3] != ':' ||
            !digits(s + p + 4, 2, &om) || oh > 24 || om > 60)
            return -1;
        off = (int32_t)(oh * 3600 + om * 60) * (s[p] == '-' ? -1 : 1);
        p += 6;
    } else {
        return -1;
    }
    if (p != n)
        return -1;
    t->sec = tt_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    t->nsec = ns;
    t->offset_s = off;
    return 0;
}

int tt_rfc3339_parse(const char *s, int64_t *out)
{
    tt_rfc3339_time t;
    if (tt_rfc3339_parse_time(s, strlen(s), &t) != 0)
        return -1;
    *out = t.sec;
    return 0;
}

int tt_asn1_time_parse(const char *s, size_t n, int64_t *out)
{
    unsigned y, mo, d, h, mi, se;
    size_t yl = n == 13 ? 2 : 4;
    if ((n != 13 && n != 15) || s[n - 1] != 'Z' || !digits(s, yl, &y) ||
        !digits(s + yl, 2, &mo) || !digits(s + yl + 2, 2, &d) || !digits(s + yl + 4, 2, &h) ||
        !digits(s + yl + 6, 2, &mi) || !digits(s + yl + 8, 2, &se) || mo < 1 || mo > 12 ||
        d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    if (yl == 2)
        y += y < 50 ? 2000 : 1900;
    *out = tt_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return 0;
}

/* Civil date and time of t seconds (UTC, or local time when an offset
 * was added): "YYYY-MM-DDTHH:MM:SS" into out; its length, as tt_fmt. */
/* v in exactly w decimal digits, zero-padded, at p; returns p + w. */
static char *put_digits(char *p, uint64_t v, int w)
{
    int i;
    for (i = w - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + w;
}

/* "YYYY-MM-DDTHH:MM:SS" of t (seconds, year 0..9999) at p; returns the end. */
static char *civil(int64_t t, char *p)
{
    int64_t days = t / 86400, secs = t % 86400;
    int64_t y, m, d, era, doe, yoe, doy, mp;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    /* civil from days: the inverse of tt_days_from_civil */
    days += 719468;
    era = (days >= 0 ? days : days - 146096) / 146097;
    doe = days - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    p = put_digits(p, (uint64_t)y, 4);
    *p++ = '-';
    p = put_digits(p, (uint64_t)m, 2);
    *p++ = '-';
    p = put_digits(p, (uint64_t)d, 2);
    *p++ = 'T';
    p = put_digits(p, (uint64_t)(secs / 3600), 2);
    *p++ = ':';
    p = put_digits(p, (uint64_t)(secs % 3600 / 60), 2);
    *p++ = ':';
    return put_digits(p, (uint64_t)(secs % 60), 2);
}

size_t tt_rfc3339_format(int64_t t, char *out, size_t cap)
{
    tt_rfc3339_time x;
    x.sec = t;
    x.nsec = 0;
    x.offset_s = 0;
    return tt_rfc3339_format_time(&x, out, cap);
}

size_t tt_rfc3339_format_time(const tt_rfc3339_time *t, char *out, size_t cap)
{
    int64_t local = t->sec + t->offset_s;
    int32_t off = t->offset_s < 0 ? -t->offset_s : t->offset_s;
    char buf[40], *p = buf;
    if (local < TT_RFC3339_MIN || local > TT_RFC3339_MAX || off / 3600 >= 24 || t->nsec > 999999999)
        return 0; /* Go refuses to write these */
    p = civil(local, p);
    if (t->nsec > 0) {
        uint32_t ns = t->nsec;
        int k = 9;
        while (ns % 10 == 0) { /* RFC3339Nano: no trailing zeros */
            ns /= 10;
            k--;
        }
        *p++ = '.';
        p = put_digits(p, ns, k);
    }
    if (t->offset_s == 0) {
        *p++ = 'Z';
    } else {
        *p++ = t->offset_s < 0 ? '-' : '+';
        p = put_digits(p, (uint64_t)(off / 3600), 2);
        *p++ = ':';
        p = put_digits(p, (uint64_t)(off % 3600 / 60), 2);
    }
    *p = '\0';
    return tt_fmt(out, cap, "%s", buf);
}

int tt_http_date_parse(const char *v, size_t n, int64_t *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    unsigned day, year, hh, mm, ss, mon;
    if (n != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' ||
        v[16] != ' ' || v[19] != ':' || v[22] != ':' || v[25] != ' ' ||
        memcmp(v + 26, "GMT", 3) != 0)
        return -1;
    for (mon = 0; mon < 12; mon++)
        if (memcmp(v + 8, months + 3 * mon, 3) == 0)
            break;
    if (mon == 12 || !digits(v + 5, 2, &day) || !digits(v + 12, 4, &year) ||
        !digits(v + 17, 2, &hh) || !digits(v + 20, 2, &mm) || !digits(v + 23, 2, &ss) ||
        day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60)
        return -1;
    *out = tt_days_from_civil(year, mon + 1, day) * 86400 + hh * 3600 + mm * 60 + ss;
    return 0;
}

int64_t tt_duration_ms(const char *s)
{
    uint64_t whole = 0, frac = 0, scale = 1, unit = 1000; /* the fraction: frac/scale */
    const char *p = s;
    int digits = 0;
    if (s == NULL)
        return -1;
    for (; tt_is_digit(*p); p++, digits++) {
        if (whole > (uint64_t)TT_DURATION_MAX_MS)
            return -1;
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.')
        for (p++; tt_is_digit(*p); p++, digits++)
            if (scale < 1000000000u) { /* nine digits are more than a millisecond needs */
                frac = frac * 10 + (uint64_t)(*p - '0');
                scale *= 10;
            }
    if (digits == 0)
        return -1;
    if (*p == 'h')
        unit = 3600000, p++;
    else if (*p == 'm')
        unit = 60000, p++;
    else if (*p == 's')
        p++;
    if (*p != '\0' || whole > (uint64_t)TT_DURATION_MAX_MS / unit)
        return -1;
    whole = whole * unit + (frac * unit + scale / 2) / scale;
    return whole > (uint64_t)TT_DURATION_MAX_MS ? -1 : (int64_t)whole;
}
