/* Integration tests: the library against real servers on loopback. */
#define _POSIX_C_SOURCE 200809L
#include "integ.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *integ_env_dir(void)
{
    return getenv("TT_ENV_DIR");
}

static int env_int(const char *name)
{
    const char *v = getenv(name);
    return v != NULL ? atoi(v) : 0;
}

int integ_nginx_port(void)
{
    return env_int("TT_NGINX_PORT");
}

int integ_bad_port(void)
{
    return env_int("TT_BAD_PORT");
}

const char *integ_url(int port, const char *path)
{
    static char bufs[4][512];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "http://127.0.0.1:%d%s", port, path);
    return b;
}

int64_t integ_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void integ_client(tt_client *c, const tt_client_config *cfg)
{
    tt_port port;
    tt_port_posix_init(&port);
    tt_client_init(c, &port, cfg, NULL);
}

long integ_read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (f == NULL)
        return -1;
    n = fread(buf, 1, cap, f);
    fclose(f);
    return (long)n;
}

long integ_status_kb(const char *field)
{
    char buf[4096];
    long n = integ_read_file("/proc/self/status", buf, sizeof buf - 1);
    char *p;
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    p = strstr(buf, field);
    return p != NULL ? atol(p + strlen(field)) : -1;
}

long integ_peak_rss_kb(void)
{
    return integ_status_kb("VmHWM:");
}

int integ_cp_admin(int port, const char *path, const char *json)
{
    static tt_client c;
    char url[128], body[512];
    tt_request rq;
    tt_response res;
    tt_error e;
    integ_client(&c, NULL);
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    memset(&rq, 0, sizeof rq);
    rq.method = "POST";
    rq.url = url;
    rq.body = json;
    rq.body_len = strlen(json);
    rq.body_buf = body;
    rq.body_cap = sizeof body;
    if (tt_client_request(&c, &rq, &res, &e) != 0 || res.status != 200) {
        printf("  admin %s: %s\n", path, e.msg);
        tt_client_close(&c);
        return -1;
    }
    tt_client_close(&c);
    return 0;
}

int integ_cp_port(const char *proto)
{
    char name[64];
    snprintf(name, sizeof name, "TT_CP_%s_PORT", proto);
    return env_int(name);
}

int main(int argc, char **argv)
{
    (void)argc; /* the child modes below are per feature */
    (void)argv;
#if TT_FEATURE_JSON_STREAM && TT_FEATURE_JSON_BIND
    if (argc == 3 && strcmp(argv[1], "--json-stream-child") == 0)
        return integ_json_stream_child(atoi(argv[2]));
#endif
#if TT_FEATURE_PLEXD
    if (argc == 4 && strcmp(argv[1], "--plexd-state-child") == 0)
        return integ_plexd_state_child(argv[2], argv[3]);
#endif
    if (integ_nginx_port() == 0 || integ_bad_port() == 0) {
        printf("integration tests need the servers of tests/env.sh "
               "(TT_NGINX_PORT, TT_BAD_PORT); run them with make test\n");
        printf("0 passed, 1 failed\n");
        return 1;
    }
    suite_integ_http();
    suite_integ_bad();
#if TT_FEATURE_VMM && TT_FEATURE_PLEXD && TT_FEATURE_MAAS && TT_FEATURE_SKYPILOT && TT_FEATURE_POOLMGR && TT_FEATURE_SSE
    suite_integ_fault();
#endif
#if TT_FEATURE_TLS
    suite_integ_tls();
#endif
#if TT_FEATURE_JSON_STREAM && TT_FEATURE_JSON_BIND
    suite_integ_json();
#endif
#if TT_FEATURE_SSE
    suite_integ_sse();
#endif
#if TT_FEATURE_VMM
    suite_integ_vmm();
#endif
#if TT_FEATURE_POOLMGR
    suite_integ_pool();
#endif
#if TT_FEATURE_SKYPILOT
    suite_integ_sky();
#endif
#if TT_FEATURE_MAAS
    suite_integ_maas();
#endif
#if TT_FEATURE_PLEXD
    suite_integ_plexd();
#endif
    return tt_test_summary();
}
