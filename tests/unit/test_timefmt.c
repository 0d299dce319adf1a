/*
 * Times and durations (core/timefmt.c): RFC 3339 as Go reads and writes
 * it and as the control plane sends it, every field checked; durations as
 * people write timeouts, read the same in every locale.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#include "suites.h"
#if TT_FEATURE_PLEXD

#include "../testlib.h"
#include "tether/timefmt.h"

#include <stdio.h>
#include <string.h>

static void test_rfc3339(void)
{
    int64_t t;
    CHECK_INT(tt_rfc3339_parse("1970-01-01T00:00:00Z", &t), 0);
    CHECK_INT(t, 0);
    CHECK_INT(tt_rfc3339_parse("2026-11-23T12:00:00Z", &t), 0);
    CHECK_INT(t, 1795435200);
    CHECK_INT(tt_rfc3339_parse("2026-11-23T12:00:00.123456789Z", &t), 0);
    CHECK_INT(t, 1795435200);
    CHECK_INT(tt_rfc3339_parse("2026-11-23T14:00:00+02:00", &t), 0);
    CHECK_INT(t, 1795435200);
    CHECK_INT(tt_rfc3339_parse("2000-02-29T00:00:00Z", &t), 0);
    CHECK_INT(t, 951782400);
    CHECK_INT(tt_rfc3339_parse("2026-11-23 12:00:00Z", &t), -1);
    CHECK_INT(tt_rfc3339_parse("2026-13-23T12:00:00Z", &t), -1);
    CHECK_INT(tt_rfc3339_parse("2026-11-23T12:00:00", &t), -1);
    CHECK_INT(tt_rfc3339_parse("2026-11-23T12:00:00Zx", &t), -1);
}

/* Go's time.Parse(time.RFC3339): every field checked; upper-case T and Z
 * only, no leap second, no 29 February out of a leap year; a one-digit
 * hour and a comma before the fraction accepted. */
static void test_rfc3339_each_field_checked(void)
{
    static const char *const bad[] = {
        "2026-11-23T12:00:0", "2O26-11-23T12:00:00Z", "2026/11-23T12:00:00Z",
        "2026-1x-23T12:00:00Z", "2026-11/23T12:00:00Z", "2026-11-2xT12:00:00Z",
        "2026-11-23T1x:00:00Z", "2026-11-23T12.00:00Z", "2026-11-23T12:0x:00Z",
        "2026-11-23T12:00.00Z", "2026-11-23T12:00:0xZ", "2026-00-23T12:00:00Z",
        "2026-11-00T12:00:00Z", "2026-11-32T12:00:00Z", "2026-11-23T24:00:00Z",
        "2026-11-23T12:60:00Z", "2026-11-23T12:00:61Z", "2026-11-23T12:00:00.Z",
        "2026-11-23T12:00:00+0x:00", "2026-11-23T12:00:00+02-00",
        "2026-11-23T12:00:00+02:0x", "2026-11-23T12:00:00+02:00x",
        "2026-11-23t12:00:00Z", "2026-11-23T12:00:00z", "2016-12-31T23:59:60Z",
        "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-23T12:00:00+25:00",
    };
    static const char *const same[] = {
        "2026-11-23T10:30:00-01:30", "2026-11-23T13:30:00+01:30", "2026-11-23T12:00:00,9Z",
        "2026-11-23T12:00:00.999999999999Z",
    };
    tt_rfc3339_time tm;
    int64_t t;
    size_t i;
    for (i = 0; i < TT_COUNT(bad); i++) {
        t = 7;
        if (tt_rfc3339_parse(bad[i], &t) != -1 || t != 7) {
            tt_test_fail(__FILE__, __LINE__, "accepted \"%s\"", bad[i]);
            return;
        }
    }
    for (i = 0; i < TT_COUNT(same); i++) {
        CHECK_INT(tt_rfc3339_parse(same[i], &t), 0);
        CHECK_INT(t, 1795435200); /* 2026-11-23T12:00:00Z */
    }
    CHECK_INT(tt_rfc3339_parse("2026-11-23T9:00:00Z", &t), 0);
    CHECK_INT(t, 1795435200 - 3 * 3600);
    CHECK_INT(tt_rfc3339_parse("1969-12-31T23:59:59Z", &t), 0);
    CHECK_INT(t, -1);
    CHECK_INT(tt_rfc3339_parse_time("2026-11-23T12:00:00.5+02:00", 27, &tm), 0);
    CHECK_INT(tm.sec, 1795435200 - 2 * 3600);
    CHECK_INT(tm.nsec, 500000000);
    CHECK_INT(tm.offset_s, 7200);
}

/* Written back as Go's RFC3339Nano writes a time it read: trailing zeros
 * of the fraction dropped, a zero offset as Z (+00:00 and -00:00 alike),
 * another offset kept; nothing for a year outside 0000..9999 or an offset
 * of a day or more, which Go 1.20 and later refuse to write. */
static void test_rfc3339_written_back_as_go_does(void)
{
    static const struct { const char *in, *out; } cases[] = {
        { "2026-12-04T10:00:00.120000Z", "2026-12-04T10:00:00.12Z" },
        { "2026-12-04T10:00:00+00:00", "2026-12-04T10:00:00Z" },
        { "2026-12-04T10:00:00-00:00", "2026-12-04T10:00:00Z" },
        { "2026-12-04T12:00:00.5+02:00", "2026-12-04T12:00:00.5+02:00" },
        { "2026-12-04T06:30:00.000000001-03:30", "2026-12-04T06:30:00.000000001-03:30" },
        { "2026-12-04T10:00:00.1234567891Z", "2026-12-04T10:00:00.123456789Z" },
        { "2026-12-04T9:59:59,5Z", "2026-12-04T09:59:59.5Z" },
        { "0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z" },
        { "9999-12-31T23:59:59.9Z", "9999-12-31T23:59:59.9Z" },
    };
    tt_rfc3339_time tm;
    char out[64];
    size_t i, n;
    for (i = 0; i < TT_COUNT(cases); i++) {
        CHECK_INT(tt_rfc3339_parse_time(cases[i].in, strlen(cases[i].in), &tm), 0);
        n = tt_rfc3339_format_time(&tm, out, sizeof out);
        CHECK_INT(n, strlen(cases[i].out));
        CHECK_STR(out, cases[i].out);
    }
    /* 10:00 on the 5th at +24:00 is 10:00 on the 4th, but not writable */
    CHECK_INT(tt_rfc3339_parse_time("2026-12-05T10:00:00+24:00", 25, &tm), 0);
    CHECK_INT(tm.sec, 1796378400);
    CHECK_INT(tt_rfc3339_format_time(&tm, out, sizeof out), 0);
    /* the first moment of year 0 west of Greenwich is year -1 in UTC: fine;
     * one second before year 0 in UTC is not */
    CHECK_INT(tt_rfc3339_parse_time("0000-01-01T00:00:00-01:00", 25, &tm), 0);
    CHECK_INT(tt_rfc3339_format_time(&tm, out, sizeof out), 25);
    tm.sec = TT_RFC3339_MIN - 1;
    tm.offset_s = 0;
    CHECK_INT(tt_rfc3339_format_time(&tm, out, sizeof out), 0);
    tm.sec = TT_RFC3339_MAX + 1;
    CHECK_INT(tt_rfc3339_format_time(&tm, out, sizeof out), 0);
    /* too small a buffer: the length it needs, as snprintf */
    CHECK_INT(tt_rfc3339_parse_time("2026-12-04T10:00:00.12Z", 23, &tm), 0);
    CHECK_INT(tt_rfc3339_format_time(&tm, out, 23), 23);
    CHECK_INT(tt_rfc3339_format_time(&tm, out, 24), 23);
    CHECK_STR(out, "2026-12-04T10:00:00.12Z");
}

#if UNIT_ALL_PROTOCOLS

/* RFC 3339 times as the control plane writes them, and what is refused. */
static void test_rfc3339_table(void)
{
    static const struct { const char *s; int64_t t; } ok[] = {
        { "2026-11-23T12:00:00Z", 1795435200 }, { "2026-11-23T12:00:00,5Z", 1795435200 },
        { "2026-11-23T12:00:00.123456Z", 1795435200 },
        { "2026-11-23T13:30:00+01:30", 1795435200 }, { "2026-11-23T10:00:00-02:00", 1795435200 },
        { "1970-01-01T00:00:00Z", 0 }, { "2000-02-29T00:00:00Z", 951782400 },
    };
    static const char *const bad[] = {
        "2026-11-23", "2026-11-23 12:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
        "2026-11-32T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-23T24:00:00Z",
        "2026-11-23T12:60:00Z", "2026-11-23T12:00:61Z", "2026-11-23T12:00:00", "2026-11-23T12:00:00.Z",
        "2026-11-23T12:00:00+0100", "2026-11-23T12:00:00+01:0x", "2026/11/23T12:00:00Z",
        "2026-11-23T12-00-00Z", "20x6-11-23T12:00:00Z", "2026-11-23T12:00:00Zjunk", "",
        "2026-11-23t12:00:00z", "2026-11-23T12:00:60Z",
    };
    size_t i;
    int64_t t;
    for (i = 0; i < TT_COUNT(ok); i++) {
        if (tt_rfc3339_parse(ok[i].s, &t) != 0 || t != ok[i].t) {
            tt_test_fail(__FILE__, __LINE__, "%s: %lld", ok[i].s, (long long)t);
            return;
        }
    }
    for (i = 0; i < TT_COUNT(bad); i++) {
        if (tt_rfc3339_parse(bad[i], &t) == 0) {
            tt_test_fail(__FILE__, __LINE__, "accepted '%s'", bad[i]);
            return;
        }
    }
}

/* Durations as people write timeouts, read the same in every locale. */
static void test_duration(void)
{
    static const struct { const char *s; int64_t ms; } ok[] = {
        { "90", 90000 }, { "1.5", 1500 }, { ".5", 500 }, { "5.", 5000 }, { "0", 0 },
        { "10m", 600000 }, { "0.5h", 1800000 }, { "2s", 2000 }, { "0.0004", 0 },
        { "0.0005", 1 }, { "1.23456789123", 1235 }, { "1000000000", 1000000000000LL },
        { "277777h", 999997200000LL },
    };
    static const char *const bad[] = {
        "", "s", ".", "-1", "+1", "1e3", " 1", "1 ", "1ms", "1d", "1.5.2", "inf", "nan",
        "1000000001", "277778h", "99999999999999999999999",
    };
    size_t i;
    for (i = 0; i < TT_COUNT(ok); i++)
        if (tt_duration_ms(ok[i].s) != ok[i].ms)
            tt_test_fail(__FILE__, __LINE__, "%s: %lld", ok[i].s,
                         (long long)tt_duration_ms(ok[i].s));
    for (i = 0; i < TT_COUNT(bad); i++)
        if (tt_duration_ms(bad[i]) != -1)
            tt_test_fail(__FILE__, __LINE__, "accepted '%s'", bad[i]);
    CHECK_INT(tt_duration_ms(NULL), -1);
}

#endif

void suite_timefmt(void)
{
    static const tt_test tests[] = {
        { "rfc3339", test_rfc3339 },
        { "rfc3339_each_field_checked", test_rfc3339_each_field_checked },
        { "rfc3339_written_back_as_go_does", test_rfc3339_written_back_as_go_does },
#if UNIT_ALL_PROTOCOLS
        { "rfc3339_table", test_rfc3339_table },
        { "duration", test_duration },
#endif
    };
    tt_run_suite("timefmt", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
