/*
 * Response-head parsing speed: tether's parser against picohttpparser's
 * phr_parse_response (from Debian's libh2o-evloop0.13) on the same bytes.
 * Prints nanoseconds per parse for each and the ratio.
 *
 * usage: bench_parse [iterations]
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* picohttpparser's documented interface (picohttpparser.h) */
struct phr_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};
int phr_parse_response(const char *buf, size_t len, int *minor_version,
                       int *status, const char **msg, size_t *msg_len,
                       struct phr_header *headers, size_t *num_headers,
                       size_t last_len);

/* What nginx sends for a small JSON file. */
static const char response[] =
    "HTTP/1.1 200 OK\r\n"
    "Server: nginx/1.22.1\r\n"
    "Date: Mon, 23 Nov 2026 09:35:00 GMT\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 0\r\n"
    "Last-Modified: Mon, 23 Nov 2026 09:34:58 GMT\r\n"
    "Connection: keep-alive\r\n"
    "ETag: \"6b0408c2-400\"\r\n"
    "Cache-Control: no-cache\r\n"
    "X-Request-Id: 4f1c2a9e-9b7d-4c1e-8a55-1f2e3d4c5b6a\r\n"
    "Accept-Ranges: bytes\r\n"
    "\r\n";

static volatile size_t sink;

static int on_header(void *u, const char *n, size_t nl, const char *v, size_t vl,
                     int trailer, tt_error *e)
{
    (void)u; (void)n; (void)v; (void)trailer; (void)e;
    sink += nl + vl;
    return 0;
}

static const tt_http_callbacks cbs = { NULL, on_header, NULL, NULL };

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double bench_tether(long iters)
{
    static tt_http_parser p;
    size_t len = sizeof response - 1, used;
    tt_error err;
    double t0 = now_ns();
    long i;
    for (i = 0; i < iters; i++) {
        tt_http_parser_init(&p, 0, NULL, &cbs, NULL);
        if (tt_http_parser_feed(&p, (const unsigned char *)response, len, &used, &err)
                != TT_HTTP_DONE) {
            fprintf(stderr, "tether parse failed: %s\n", err.msg);
            exit(1);
        }
        sink += (size_t)p.status;
    }
    return (now_ns() - t0) / iters;
}

static double bench_pico(long iters)
{
    struct phr_header h[32];
    size_t len = sizeof response - 1;
    double t0 = now_ns();
    long i;
    for (i = 0; i < iters; i++) {
        int minor, status;
        const char *msg;
        size_t msg_len, nh = 32, k;
        if (phr_parse_response(response, len, &minor, &status, &msg, &msg_len, h,
                               &nh, 0) != (int)len) {
            fprintf(stderr, "picohttpparser parse failed\n");
            exit(1);
        }
        for (k = 0; k < nh; k++)
            sink += h[k].name_len + h[k].value_len;
        sink += (size_t)status;
    }
    return (now_ns() - t0) / iters;
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 2000000;
    double best_t = 1e30, best_p = 1e30;
    int round;
    /* interleaved rounds, best of each: noise only ever adds time */
    for (round = 0; round < 5; round++) {
        double t = bench_tether(iters), p = bench_pico(iters);
        if (t < best_t)
            best_t = t;
        if (p < best_p)
            best_p = p;
    }
    printf("parse %zu-byte head: tether %.1f ns, picohttpparser %.1f ns, "
           "speed ratio tether/pico %.2f (>= 1.0 means tether is as fast or faster)\n",
           sizeof response - 1, best_t, best_p, best_p / best_t);
    return 0;
}
