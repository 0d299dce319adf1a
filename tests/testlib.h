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
