/*
 * Event-stream parser speed: a stream of small (100-byte) or large (8 KB)
 * events held in memory, fed in 4 KiB pieces as reads would deliver it.
 * Prints events/s and MB/s for each (best of several runs).
 *
 * usage: bench_sse
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/sse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *text;
static size_t text_len;
static unsigned long delivered;

static int on_event(void *user, const tt_sse_event *ev, tt_error *err)
{
    (void)user;
    (void)err;
    delivered += ev->data_len > 0;
    return 0;
}

/* n events whose "data:" line makes each event `size` bytes in all. */
static void make_stream(unsigned long n, size_t size)
{
    unsigned long i;
    size_t off = 0;
    text = realloc(text, n * (size + 32));
    if (text == NULL)
        exit(1);
    for (i = 0; i < n; i++) {
        int head = sprintf(text + off, "id: %lu\nevent: vm\ndata: ", i);
        size_t pad = size - (size_t)head - 2;
        memset(text + off + head, 'x', pad);
        off += (size_t)head + pad;
        memcpy(text + off, "\n\n", 2);
        off += 2;
    }
    text_len = off;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double run_once(void)
{
    static tt_sse_parser p;
    static char buf[TT_SSE_EVENT_MAX];
    tt_error e;
    size_t off = 0;
    double t0 = now_s();
    tt_sse_init(&p, buf, sizeof buf, on_event, NULL, NULL);
    while (off < text_len) {
        size_t k = text_len - off < 4096 ? text_len - off : 4096;
        tt_sse_feed(&p, text + off, k, &e);
        off += k;
    }
    return now_s() - t0;
}

static void measure(const char *label, unsigned long n, size_t size)
{
    double best = 1e9;
    int i;
    make_stream(n, size);
    for (i = 0; i < 7; i++) {
        double t;
        delivered = 0;
        t = run_once();
        if (t < best)
            best = t;
    }
    if (delivered != n) {
        fprintf(stderr, "bench_sse: %lu of %lu events\n", delivered, n);
        exit(1);
    }
    printf("  parser, %-14s %10.0f events/s %8.0f MB/s\n", label, n / best,
           text_len / best / 1e6);
}

int main(void)
{
    measure("100 B events", 200000, 100);
    measure("8 KB events", 4000, 8000);
    return 0;
}
