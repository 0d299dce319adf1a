/*
 * tether over lwIP: lwIP runs in this process (tcpip thread, tapif netif on
 * the TAP device tests/lwip/run.sh made in a network namespace) and every
 * byte of these requests goes through lwIP's TCP/IP stack to the test
 * servers behind 10.7.0.1: plain HTTP (small and 3 MB), a refused port,
 * mutual TLS, and an SSE stream through forced disconnects. Names go to
 * lwIP's resolver and dnsd.py on 10.7.0.1:53; every lookup must end
 * within tether's connect deadline, whatever lwIP's own retry schedule.
 */
#define _GNU_SOURCE 1
#include "lwip/tcpip.h"
#include "lwip/netif.h"
#include "lwip/dns.h"
#include "netif/tapif.h"

#include "tether/client.h"
#include "tether/sse_stream.h"
#include "tether/port_lwip.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static int passed, failed;

static void result(const char *name, int ok, const char *why)
{
    if (ok) {
        passed++;
        printf("ok   lwip/%s\n", name);
    } else {
        failed++;
        printf("FAIL lwip/%s: %s\n", name, why);
    }
}

static int64_t wall(void)
{
    return (int64_t)time(NULL);
}

static int rnd(void *buf, size_t len)
{
    return getrandom(buf, len, 0) == (ssize_t)len ? TT_PORT_OK : TT_PORT_EIO;
}

static const tt_port_lwip_hooks hooks = { wall, rnd };
static tt_port_lwip lw;    /* static: lwIP may answer a query after its connect */
static tt_port port;
static tt_client client;
static char body[8192];

static int env_port(const char *name)
{
    const char *v = getenv(name);
    return v != NULL ? atoi(v) : 0;
}

static void start_lwip(void)
{
    static struct netif netif;
    ip4_addr_t ip, mask, gw;
    sys_sem_t done;
    sys_sem_new(&done, 0);
    tcpip_init((tcpip_init_done_fn)sys_sem_signal, &done);
    sys_sem_wait(&done);
    IP4_ADDR(&ip, 10, 7, 0, 2);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 7, 0, 1);
    LOCK_TCPIP_CORE();
    netif_add(&netif, &ip, &mask, &gw, NULL, tapif_init, tcpip_input);
    netif_set_default(&netif);
    netif_set_up(&netif);
    netif_set_link_up(&netif);
    dns_setserver(0, &gw);              /* tests/servers/dnsd.py */
    UNLOCK_TCPIP_CORE();
}

static void test_http(void)
{
    tt_request rq;
    tt_response res;
    tt_error e;
    char url[96];
    memset(&rq, 0, sizeof rq);
    snprintf(url, sizeof url, "http://10.7.0.1:%d/hello.txt", env_port("TT_NGINX_PORT"));
    rq.url = url;
    rq.body_buf = body;
    rq.body_cap = sizeof body;
    if (tt_client_request(&client, &rq, &res, &e) != 0) {
        result("http-get", 0, e.msg);
        return;
    }
    result("http-get", res.status == 200 && strcmp(body, "hello, tether\n") == 0, body);
    /* 3 MB streamed through lwIP's TCP, keep-alive on the same connection */
    snprintf(url, sizeof url, "http://10.7.0.1:%d/3mb.bin", env_port("TT_NGINX_PORT"));
    rq.body_buf = NULL;
    rq.body_cap = 0;
    if (tt_client_request(&client, &rq, &res, &e) != 0) {
        result("http-3mb", 0, e.msg);
        return;
    }
    result("http-3mb", res.body_bytes == 3145728 && res.reused, "size or reuse");
    snprintf(url, sizeof url, "http://10.7.0.1:%d/", 1);
    rq.url = url;
    /* lwIP reports the RST as ECONNRESET: the port calls it refused, as on Linux */
    result("refused-is-network-error", tt_client_request(&client, &rq, &res, &e) != 0 &&
           tt_error_is_network(&e) && e.code == TT_E_CONNECT_REFUSED, e.msg);
    tt_client_close(&client);
}

static long read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (f == NULL)
        return -1;
    n = fread(buf, 1, cap, f);
    fclose(f);
    return (long)n;
}

static void test_mtls(void)
{
    static unsigned char arena[16384];
    static char pem[16384];
    static tt_tls_store store;
    static tt_tls_config tls;
    static tt_client tc;
    tt_client_config cfg;
    tt_request rq;
    tt_response res;
    tt_error e;
    char path[512], url[96];
    const char *dir = getenv("TT_ENV_DIR");
    long n;
    tt_tls_store_init(&store, arena, sizeof arena);
    tt_tls_config_init(&tls);
    tls.store = &store;
    snprintf(path, sizeof path, "%s/certs/root-ca.pem", dir);
    n = read_file(path, pem, sizeof pem);
    if (n < 0 || tt_tls_add_anchors_pem(&store, pem, (size_t)n, &e) != 0) {
        result("mtls", 0, "anchors");
        return;
    }
    snprintf(path, sizeof path, "%s/certs/client-ec.pem", dir);
    n = read_file(path, pem, sizeof pem);
    if (n < 0 || tt_tls_add_chain_pem(&store, pem, (size_t)n, &e) != 0) {
        result("mtls", 0, "chain");
        return;
    }
    snprintf(path, sizeof path, "%s/certs/client-ec.key", dir);
    n = read_file(path, pem, sizeof pem);
    if (n < 0 || tt_tls_add_key_pem(&store, pem, (size_t)n, &e) != 0) {
        result("mtls", 0, "key");
        return;
    }
    tt_client_config_default(&cfg);
    cfg.tls = &tls;
    cfg.resolve_host = "localhost";
    cfg.resolve_port = (uint16_t)env_port("TT_MTLS_PORT");
    cfg.resolve_addr = "10.7.0.1";
    if (tt_client_init(&tc, &port, &cfg, &e) != 0) {
        result("mtls", 0, e.msg);
        return;
    }
    snprintf(url, sizeof url, "https://localhost:%d/whoami", env_port("TT_MTLS_PORT"));
    memset(&rq, 0, sizeof rq);
    rq.url = url;
    rq.body_buf = body;
    rq.body_cap = sizeof body;
    if (tt_client_request(&tc, &rq, &res, &e) != 0) {
        result("mtls", 0, e.msg);
        return;
    }
    result("mtls", res.status == 200 && strstr(body, "CN=") != NULL, body);
    tt_client_close(&tc);
}

static unsigned long next_id = 1, bad_events;

static int on_event(void *user, const tt_sse_event *ev, tt_error *err)
{
    (void)err;
    if (strtoul(ev->id, NULL, 10) != next_id)
        bad_events++;
    if (++next_id > 50)
        tt_sse_stop(user);
    return 0;
}

static void test_sse(void)
{
    static tt_sse_parser parser;
    static tt_sse_stream stream;
    static char evbuf[4096];
    tt_sse_config cfg;
    tt_error e;
    char url[128];
    snprintf(url, sizeof url, "http://10.7.0.1:%d/events?n=50&drop=9", env_port("TT_SSE_PORT"));
    tt_sse_init(&parser, evbuf, sizeof evbuf, on_event, NULL, &stream);
    tt_sse_config_default(&cfg);
    cfg.url = url;
    cfg.backoff_base_ms = 10;
    cfg.backoff_max_ms = 50;
    cfg.healthy_ms = 0;
    if (tt_sse_stream_init(&stream, &client, &parser, &cfg, &e) != 0 ||
        tt_sse_stream_run(&stream, &e) != 0) {
        result("sse-through-disconnects", 0, e.msg);
        return;
    }
    result("sse-through-disconnects", next_id == 51 && bad_events == 0 && stream.stats.opened >= 6,
           "events missing, out of order, or no reconnects");
}

static int64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* GET http://NAME:nginx/hello.txt on client *nc, made afresh with this
 * connect timeout, into buf: 0 (and the body checked) or -1 with *e; *ms
 * is how long it took. */
static int get_into(tt_client *nc, char *buf, size_t cap, const char *name, int64_t connect_ms,
                    volatile sig_atomic_t *cancel, tt_error *e, int64_t *ms)
{
    tt_client_config cfg;
    tt_request rq;
    tt_response res;
    char url[128];
    int64_t t0 = mono_ms();
    int rc;
    tt_client_config_default(&cfg);
    cfg.connect_timeout_ms = connect_ms;
    cfg.cancel = cancel;
    if (tt_client_init(nc, &port, &cfg, e) != 0)
        return -1;
    snprintf(url, sizeof url, "http://%s:%d/hello.txt", name, env_port("TT_NGINX_PORT"));
    memset(&rq, 0, sizeof rq);
    rq.url = url;
    rq.body_buf = buf;
    rq.body_cap = cap;
    buf[0] = 0;
    rc = tt_client_request(nc, &rq, &res, e);
    *ms = mono_ms() - t0;
    tt_client_close(nc);
    if (rc == 0 && (res.status != 200 || strcmp(buf, "hello, tether\n") != 0)) {
        snprintf(e->msg, sizeof e->msg, "status %d, body \"%.40s\"", res.status, buf);
        return -1;
    }
    return rc;
}

static int get_named(const char *name, int64_t connect_ms, volatile sig_atomic_t *cancel,
                     tt_error *e, int64_t *ms)
{
    static tt_client nc;
    return get_into(&nc, body, sizeof body, name, connect_ms, cancel, e, ms);
}

/* result() with the outcome spelled out when it fails */
static void check(const char *name, int ok, const tt_error *e, int64_t ms)
{
    char why[sizeof e->msg + 64];
    snprintf(why, sizeof why, "%s (%s) after %lld ms", e->msg, tt_errcode_name(e->code),
             (long long)ms);
    result(name, ok, why);
}

static volatile sig_atomic_t stop;

static void *cancel_later(void *arg)
{
    (void)arg;
    sys_msleep(300);
    stop = 1;
    return NULL;
}

/* a second thread's GET of turn2.tt.test through the same port */
static struct { tt_client c; char buf[256]; tt_error e; int64_t ms; int rc; } other;

static void *get_other(void *arg)
{
    (void)arg;
    other.rc = get_into(&other.c, other.buf, sizeof other.buf, "turn2.tt.test", 3000, NULL,
                        &other.e, &other.ms);
    return NULL;
}

static void test_dns(void)
{
    tt_error e;
    int64_t ms;
    unsigned long late;
    pthread_t th;
    int rc;

    memset(&e, 0, sizeof e);
    rc = get_named("ok.tt.test", 2000, NULL, &e, &ms);
    check("dns-answer", rc == 0 && ms < 1000, &e, ms);

    /* NXDOMAIN: at once, a network error that says "resolve" */
    rc = get_named("nx.tt.test", 2000, NULL, &e, &ms);
    check("dns-nxdomain", rc != 0 && e.code == TT_E_RESOLVE && tt_error_is_network(&e) &&
          ms < 500, &e, ms);

    /* a server that never answers: the connect timeout (2 s), not lwIP's
     * own schedule (DNS_MAX_RETRIES: about 7 s) */
    rc = get_named("never.tt.test", 2000, NULL, &e, &ms);
    check("dns-never-ends-at-connect-timeout", rc != 0 && e.code == TT_E_CONNECT_TIMEOUT &&
          e.cls == TT_ERR_TIMEOUT && ms >= 1900 && ms < 2600, &e, ms);

    /* the same name again (lwIP still asks it) and the cancel flag set
     * after 300 ms of a 5 s connect timeout */
    stop = 0;
    pthread_create(&th, NULL, cancel_later, NULL);
    rc = get_named("never.tt.test", 5000, &stop, &e, &ms);
    pthread_join(th, NULL);
    check("dns-cancel", rc != 0 && e.code == TT_E_CANCELLED && ms >= 250 &&
          ms < 300 + TT_PORT_POLL_SLICE_MS + 200, &e, ms);

    /* an answer after 700 ms, within the 2 s */
    rc = get_named("slow.tt.test", 2000, NULL, &e, &ms);
    check("dns-slow-within-deadline", rc == 0 && ms >= 600 && ms < 1900, &e, ms);

    /* late.tt.test answers 10.7.0.99 (nobody) after 1.5 s, past a 1 s
     * timeout; that answer arrives while slow2.tt.test (10.7.0.1, after
     * 1 s) is asked, and must be neither taken for it nor cut it short */
    late = lw.late_answers;
    rc = get_named("late.tt.test", 1000, NULL, &e, &ms);
    check("dns-late-times-out", rc != 0 && e.code == TT_E_CONNECT_TIMEOUT && ms >= 900 &&
          ms < 1500, &e, ms);
    rc = get_named("slow2.tt.test", 3000, NULL, &e, &ms);
    check("dns-late-answer-ignored", rc == 0 && ms >= 900 && ms < 2500 &&
          lw.late_answers > late, &e, ms);

    /* two threads, one port, two names answered after 500 ms each: the
     * queries take turns (one slot per tt_port_lwip) and both connect */
    pthread_create(&th, NULL, get_other, NULL);
    rc = get_named("turn.tt.test", 3000, NULL, &e, &ms);
    pthread_join(th, NULL);
    check("dns-two-threads-take-turns", rc == 0 && ms >= 400 && ms < 2000, &e, ms);
    check("dns-two-threads-take-turns-other", other.rc == 0 && other.ms >= 400 &&
          other.ms < 2000, &other.e, other.ms);
}

/* lwIP's sys_now() wraps every 49.7 days: the port's clock goes on past
 * it, and a deadline taken before the wrap is reached after it */
static void test_clock_wrap(void)
{
    static tt_port_lwip c; /* zeroed, as tt_port_lwip_init leaves it */
    int64_t before = tt_port_lwip_clock(&c, 0xFFFFFF00u);
    int64_t deadline = before + 1000;
    int64_t after = tt_port_lwip_clock(&c, 0x10u);
    int64_t later = tt_port_lwip_clock(&c, 0x400u);
    char why[96];
    snprintf(why, sizeof why, "%lld %lld %lld", (long long)before, (long long)after, (long long)later);
    result("clock-wraps-forward", before == 0xFFFFFF00LL && after == 0x100000010LL &&
           later == 0x100000400LL, why);
    result("clock-deadline-across-wrap", after < deadline && later >= deadline, why);
}

int main(void)
{
    start_lwip();
    test_clock_wrap();
    if (tt_port_lwip_init(&port, &lw, &hooks) != TT_PORT_OK) {
        result("port-init", 0, "no semaphore");
        return 1;
    }
    tt_client_init(&client, &port, NULL, NULL);
    /* the first packets wait for ARP: give the link a moment */
    sys_msleep(200);
    test_http();
    test_mtls();
    test_sse();
    test_dns();
    tt_port_lwip_free(&lw);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
