/*
 * tether over lwIP: lwIP runs in this process (tcpip thread, tapif netif on
 * the TAP device tests/lwip/run.sh made in a network namespace) and every
 * byte of these requests goes through lwIP's TCP/IP stack to the test
 * servers behind 10.7.0.1: plain HTTP (small and 3 MB), a refused port,
 * mutual TLS, and an SSE stream through forced disconnects.
 */
#define _GNU_SOURCE 1
#include "lwip/tcpip.h"
#include "lwip/netif.h"
#include "netif/tapif.h"

#include "tether/client.h"
#include "tether/sse_stream.h"
#include "tether/port_lwip.h"

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

int main(void)
{
    start_lwip();
    tt_port_lwip_init(&port, &hooks);
    tt_client_init(&client, &port, NULL, NULL);
    /* the first packets wait for ARP: give the link a moment */
    sys_msleep(200);
    test_http();
    test_mtls();
    test_sse();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
