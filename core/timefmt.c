/*
 * Calendar arithmetic (Howard Hinnant's days-from-civil and its inverse)
 * and the two date texts the protocols use.
 */
#include "timefmt.h"
#include "errors.h"

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
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 1;
}

int tt_rfc3339_parse(const char *s, int64_t *out)
{
    unsigned y, mo, d, h, mi, se, oh = 0, om = 0;
    int sign = 0;
    const char *p;
    if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &se) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
        mi > 59 || se > 60)
        return -1;
    p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om))
            return -1;
        p += 6;
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    *out = tt_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se -
           sign * (int64_t)(oh * 3600 + om * 60);
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

size_t tt_rfc3339_format(int64_t t, char *out, size_t cap)
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
    return tt_fmt(out, cap, "%lld-%s%lld-%s%lldT%s%lld:%s%lld:%s%lldZ", (long long)y,
                  m < 10 ? "0" : "", (long long)m, d < 10 ? "0" : "", (long long)d,
                  secs / 3600 < 10 ? "0" : "", (long long)(secs / 3600),
                  secs % 3600 / 60 < 10 ? "0" : "", (long long)(secs % 3600 / 60),
                  secs % 60 < 10 ? "0" : "", (long long)(secs % 60));
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
