/*
 * The soak agent: a plexd node as a device runs it, for as long as the
 * driver (tests/soak/driver.py) keeps it: register, then an event stream
 * with a handler on one thread, heartbeats every second and a state fetch
 * every five seconds on the other, while the driver emits events and
 * injects faults into the reference control plane.
 *
 *   soak PLEXD_URL
 *
 * stdout, line by line: "ready NODE_ID" once registered; "progress
 * DELIVERED RSS_KB ANON_KB" every second; and after SIGTERM or SIGINT a report of
 * "key value" lines: events delivered, duplicates and out-of-order ones
 * (by the payload's sequence number), calls and failures by error class,
 * retries, stream attempts, reconnects and polls, resident and anonymous
 * memory at the start (after a warm-up) and at the end.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/plexd.h"
#include "tether/port_posix.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SEQ (1u << 22)          /* 4 million events */
#define WARMUP_S 60

static volatile sig_atomic_t stop_requested;
static tt_plexd calls;               /* heartbeats and state: main thread */
static tt_plexd streamer;            /* events and polling: event thread */
static tt_plexd_events events;
static tt_plexd_keys keys;           /* every event verified, as a node does */
static tt_port wall;
static unsigned char seen[MAX_SEQ / 8];   /* a bit per sequence number */
static unsigned long delivered, duplicates, out_of_order, unparsed;
static unsigned long failures[TT_ERR_CANCELLED + 1];
static unsigned long heartbeats, fetches;
static int64_t last_seq;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* A line of /proc/self/status in KiB: "VmRSS:" (all resident pages) or
 * "RssAnon:" (the process's own memory, without file pages such as libc's
 * code, which grow the first time a rare path runs). */
static long status_kb(const char *key)
{
    char line[256];
    long kb = -1;
    size_t n = strlen(key);
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, key, n) == 0)
            kb = atol(line + n);
    fclose(f);
    return kb;
}

/* Every event's id carries the control plane's sequence number: "evt-N"
 * (a signing_key_rotated's payload is the keys alone). */
static int on_event(void *user, const tt_plexd_envelope *env, tt_error *err)
{
    char *end;
    long long seq;
    (void)user;
    (void)err;
    seq = strncmp(env->event_id, "evt-", 4) == 0 ? strtoll(env->event_id + 4, &end, 10) : 0;
    if (seq < 1 || seq >= (long long)MAX_SEQ || *end != '\0') {
        unparsed++;
        return 0;
    }
    pthread_mutex_lock(&lock);
    if (seen[seq >> 3] & (1u << (seq & 7)))
        duplicates++;
    else
        delivered++;
    seen[seq >> 3] |= (unsigned char)(1u << (seq & 7));
    if (seq <= last_seq)
        out_of_order++;
    last_seq = seq;
    pthread_mutex_unlock(&lock);
    return 0;
}

static void *event_thread(void *arg)
{
    tt_error err;
    (void)arg;
    if (tt_plexd_events_run(&events, &err) != 0)
        fprintf(stderr, "soak: the event stream stopped: %s\n", err.msg);
    return NULL;
}

static int start(tt_plexd *p, const char *url, const char *token, tt_error *err)
{
    tt_plexd_config cfg;
    tt_port port;
    memset(&cfg, 0, sizeof cfg);
    cfg.base_url = url;
    cfg.token = token;
    cfg.request_timeout_ms = 5000;
    cfg.connect_timeout_ms = 2000;
    cfg.sse_idle_timeout_ms = 10000;
    tt_port_posix_init(&port);
    if (tt_plexd_init(p, &port, &cfg, err) != 0)
        return -1;
    /* as a device would: two quick retries, then the call is counted failed */
    tt_retry_default(&p->api.retry);
    p->api.retry.max_retries = 2;
    p->api.retry.base_ms = 200;
    p->api.retry.max_ms = 1000;
    return 0;
}

static int register_node(const char *url, char *node_id, size_t cap)
{
    static tt_plexd_registration reg;
    tt_plexd_register_req q;
    tt_error err;
    memset(&q, 0, sizeof q);
    q.public_key = "c29hay1ub2RlLWtleQ==";
    q.hostname = "soak-node";
    if (start(&calls, url, "boot-demo-token", &err) != 0 ||
        tt_plexd_register(&calls, &q, &reg, NULL, NULL, &err) != 0) {
        fprintf(stderr, "soak: register: %s\n", err.msg);
        return -1;
    }
    snprintf(node_id, cap, "%s", reg.node_id);
    tt_port_posix_init(&wall);
    if (start(&streamer, url, reg.node_secret_key, &err) != 0 ||
        tt_plexd_set_node_id(&streamer, reg.node_id, &err) != 0 ||
        tt_plexd_events_init(&events, &streamer, &err) != 0 ||
        tt_plexd_keys_init(&keys, &wall, reg.signing_public_key, &err) != 0 ||
        tt_plexd_on(&events, NULL, on_event, NULL, &err) != 0) {
        fprintf(stderr, "soak: events: %s\n", err.msg);
        return -1;
    }
    events.keys = &keys;
    return 0;
}

static void count(int rc, const tt_error *err)
{
    if (rc != 0)
        failures[err->cls]++;
}

static void tick(unsigned long second)
{
    tt_plexd_heartbeat_req hb;
    tt_plexd_heartbeat_resp resp;
    static tt_plexd_state state;
    tt_error err;
    memset(&hb, 0, sizeof hb);
    hb.status = "healthy";
    hb.uptime = "1s";
    heartbeats++;
    count(tt_plexd_heartbeat(&calls, &hb, &resp, &err), &err);
    if (second % 5 == 0) {
        fetches++;
        count(tt_plexd_fetch_state(&calls, &state, NULL, NULL, &err), &err);
    }
}

static void report(long rss_start, long rss_end, long anon_start, long anon_end)
{
    int c;
    printf("delivered %lu\nduplicates %lu\nout_of_order %lu\nunparsed %lu\n", delivered,
           duplicates, out_of_order, unparsed);
    printf("heartbeats %lu\nstate_fetches %lu\nretries %lu\n", heartbeats, fetches,
           calls.api.stats.retries + streamer.api.stats.retries);
    for (c = TT_ERR_USAGE; c <= TT_ERR_CANCELLED; c++)
        printf("failed_%s %lu\n", tt_err_class_name((tt_err_class)c), failures[c]);
    printf("stream_attempts %lu\nstream_opened %lu\npolls %lu\n", events.stream.stats.attempts,
           events.stream.stats.opened, events.polls);
    printf("rss_start_kb %ld\nrss_end_kb %ld\n", rss_start, rss_end);
    printf("anon_start_kb %ld\nanon_end_kb %ld\n", anon_start, anon_end);
}

int main(int argc, char **argv)
{
    char node_id[64];
    pthread_t th;
    unsigned long second = 0;
    long rss_start = -1, anon_start = -1;
    struct sigaction sa;
    const struct timespec one = { 1, 0 };

    if (argc != 2) {
        fprintf(stderr, "usage: soak PLEXD_URL\n");
        return 2;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* the agent's own bookkeeping is touched whole now, so that the memory
     * measured later is tether's, not the bitmap filling up */
    memset(seen, 0, sizeof seen);
    if (register_node(argv[1], node_id, sizeof node_id) != 0)
        return 1;
    if (pthread_create(&th, NULL, event_thread, NULL) != 0)
        return 1;
    printf("ready %s\n", node_id);
    fflush(stdout);
    while (!stop_requested) {
        nanosleep(&one, NULL);
        tick(++second);
        if (second == WARMUP_S) {
            rss_start = status_kb("VmRSS:");
            anon_start = status_kb("RssAnon:");
        }
        pthread_mutex_lock(&lock);
        printf("progress %lu %ld %ld\n", delivered, status_kb("VmRSS:"), status_kb("RssAnon:"));
        pthread_mutex_unlock(&lock);
        fflush(stdout);
    }
    tt_sse_stop(&events.stream);
    pthread_join(th, NULL);
    report(rss_start, status_kb("VmRSS:"), anon_start, status_kb("RssAnon:"));
    tt_plexd_close(&calls);
    tt_plexd_close(&streamer);
    return 0;
}
