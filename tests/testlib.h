/*
 * Minimal test runner. A suite is a table of named functions; a CHECK that
 * fails prints where and why and ends that test. Every binary ends with
 * the line "N passed, N failed" (plus "N skipped" when a test could not
 * run, each with its reason printed).
 */
#ifndef TT_TESTLIB_H
#define TT_TESTLIB_H

#include <stddef.h>
#include <string.h>

typedef struct tt_test {
    const char *name;
    void (*fn)(void);
} tt_test;

/* Record a failure of the running test (first one wins). */
void tt_test_fail(const char *file, int line, const char *fmt, ...);
/* Mark the running test skipped, with a reason that is printed. */
void tt_test_skip(const char *reason);
/* 1 when the running test has failed already. */
int tt_test_failed(void);

#define CHECK(c) do { if (!(c)) { \
    tt_test_fail(__FILE__, __LINE__, "%s", #c); return; } } while (0)
#define CHECK_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ != b_) { tt_test_fail(__FILE__, __LINE__, "%s == %s (%lld != %lld)", \
        #a, #b, a_, b_); return; } } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
    if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) { \
        tt_test_fail(__FILE__, __LINE__, "%s == %s (\"%s\" != \"%s\")", #a, #b, \
            a_ ? a_ : "(null)", b_ ? b_ : "(null)"); return; } } while (0)
#define CHECK_MEM(a, alen, b, blen) do { size_t al_ = (alen), bl_ = (blen); \
    if (al_ != bl_ || memcmp((a), (b), al_) != 0) { \
        tt_test_fail(__FILE__, __LINE__, "%s equals %s (lengths %zu, %zu)", \
            #a, #b, al_, bl_); return; } } while (0)
/* An error message (a char array) equals b, or -- when b is longer than the
 * array, as in the small test profile -- equals b cut at the array. */
#define CHECK_MSG(a, b) do { const char *b_ = (b); size_t m_ = sizeof(a) - 1; \
    (void)sizeof(char[sizeof(a) > sizeof(char *) ? 1 : -1]); /* an array */ \
    if (strlen(b_) > m_ ? strncmp((a), b_, m_) != 0 || strlen(a) != m_ \
                        : strcmp((a), b_) != 0) { \
        tt_test_fail(__FILE__, __LINE__, "%s == %s (\"%s\" != \"%s\")", #a, #b, \
            (a), b_); return; } } while (0)
/* 1 when msg holds s, or -- msg filled its cap bytes, cut as in the small
 * test profile -- ends in a beginning of s (8 bytes at least). */
int tt_test_msg_has(const char *msg, size_t cap, const char *s);
#define CHECK_MSG_HAS(a, s) do { \
    (void)sizeof(char[sizeof(a) > sizeof(char *) ? 1 : -1]); /* an array */ \
    if (!tt_test_msg_has((a), sizeof(a), (s))) { \
        tt_test_fail(__FILE__, __LINE__, "%s holds \"%s\" (\"%s\")", #a, (s), (a)); \
        return; } } while (0)
/* Run a helper that may fail; stop the caller when it did. */
#define CHECK_OK(call) do { call; if (tt_test_failed()) return; } while (0)

/* Run a suite's tests (those matching the TT_TEST filter env variable). */
void tt_run_suite(const char *suite, const tt_test *tests, size_t n);

/* Run a table-driven suite: case i is named names[i] and runs fn(i). */
void tt_run_cases(const char *suite, const char *const *names, void (*fn)(size_t), size_t n);

/* Print "N passed, N failed[, N skipped]"; returns the exit status. */
int tt_test_summary(void);

#define TT_COUNT(a) (sizeof(a) / sizeof((a)[0]))

#endif /* TT_TESTLIB_H */
