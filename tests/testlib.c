/* Minimal test runner (tests may use stdio and globals; the library not). */
#include "testlib.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int passed, failed, skipped;
static int cur_failed, cur_skipped;
static const char *cur_suite, *cur_name;

void tt_test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    if (cur_failed)
        return;
    cur_failed = 1;
    fprintf(stdout, "FAIL %s/%s: %s:%d: ", cur_suite, cur_name, file, line);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

void tt_test_skip(const char *reason)
{
    if (!cur_skipped)
        printf("SKIP %s/%s: %s\n", cur_suite, cur_name, reason);
    cur_skipped = 1;
}

int tt_test_failed(void)
{
    return cur_failed;
}

int tt_test_msg_has(const char *msg, size_t cap, const char *s)
{
    size_t n = strlen(msg), k;
    if (strstr(msg, s) != NULL)
        return 1;
    if (n + 1 < cap)
        return 0;
    for (k = strlen(s) - 1 < n ? strlen(s) - 1 : n; k >= 8; k--)
        if (memcmp(msg + n - k, s, k) == 0)
            return 1;
    return 0;
}

/* The runner of both suite forms: test i is fn_i() or case_fn(i). */
static void run_tests(const char *suite, const tt_test *tests, const char *const *names,
                      void (*case_fn)(size_t), size_t n)
{
    const char *filter = getenv("TT_TEST");
    int verbose = getenv("TT_VERBOSE") != NULL;
    int sp = 0, sf = 0, ss = 0;
    size_t i;

    cur_suite = suite;
    for (i = 0; i < n; i++) {
        char full[256];
        const char *name = tests != NULL ? tests[i].name : names[i];
        snprintf(full, sizeof full, "%s/%s", suite, name);
        if (filter != NULL && strstr(full, filter) == NULL)
            continue;
        cur_name = name;
        cur_failed = 0;
        cur_skipped = 0;
        if (tests != NULL)
            tests[i].fn();
        else
            case_fn(i);
        if (cur_failed) {
            sf++;
        } else if (cur_skipped) {
            ss++;
        } else {
            sp++;
            if (verbose)
                printf("ok %s\n", full);
        }
    }
    passed += sp;
    failed += sf;
    skipped += ss;
    printf("# %s: %d passed, %d failed%s\n", suite, sp, sf, ss ? ", some skipped" : "");
    fflush(stdout);
}

void tt_run_suite(const char *suite, const tt_test *tests, size_t n)
{
    run_tests(suite, tests, NULL, NULL, n);
}

void tt_run_cases(const char *suite, const char *const *names, void (*fn)(size_t), size_t n)
{
    run_tests(suite, NULL, names, fn, n);
}

int tt_test_summary(void)
{
    if (skipped)
        printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    else
        printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
