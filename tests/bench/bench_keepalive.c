/*
 * N GETs of one URL in one process, body discarded. By default they share
 * one keep-alive connection; with "newconn" every request opens a new
 * connection (TLS sessions resume). https uses TT_CACERT, TT_CERT and
 * TT_KEY from the environment. Exits non-zero when a request fails or the
 * connections were not what the mode says.
 *
 * usage: bench_keepalive URL N [newconn]
 */
#include "tether/client.h"
#include "tether/port_posix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int discard(void *u, const unsigned char *d, size_t n, tt_error *e)
{
    (void)u; (void)d; (void)n; (void)e;
    return 0;
}

static unsigned char arena[64 * 1024];

static int tls_setup(tt_port *port, tt_tls_store *st, tt_tls_config *tls,
                     tt_client_config *cfg)
{
    const char *ca = getenv("TT_CACERT"), *crt = getenv("TT_CERT"), *key = getenv("TT_KEY");
    tt_error err;
    tt_tls_store_init(st, arena, sizeof arena);
    tt_tls_config_init(tls);
    tls->store = st;
    if ((ca != NULL && tt_tls_load_anchors(st, port, ca, &err) != 0) ||
        (crt != NULL && tt_tls_load_chain(st, port, crt, &err) != 0) ||
        (key != NULL && tt_tls_load_key(st, port, key, &err) != 0)) {
        fprintf(stderr, "tls: %s\n", err.msg);
        return -1;
    }
    cfg->tls = tls;
    return 0;
}

int main(int argc, char **argv)
{
    static tt_client client;
    static tt_tls_store st;
    static tt_tls_config tls;
    tt_client_config cfg;
    tt_port port;
    tt_request rq = { 0 };
    tt_response rs;
    tt_error err;
    long n, i;
    int newconn;

    if (argc < 3)
        return 2;
    n = atol(argv[2]);
    newconn = argc > 3 && strcmp(argv[3], "newconn") == 0;
    tt_port_posix_init(&port);
    tt_client_config_default(&cfg);
    if (tls_setup(&port, &st, &tls, &cfg) != 0)
        return 1;
    tt_client_init(&client, &port, &cfg, NULL);
    rq.url = argv[1];
    rq.max_redirects = -1;
    rq.on_body = discard;
    for (i = 0; i < n; i++) {
        if (tt_client_request(&client, &rq, &rs, &err) != 0 || rs.status != 200) {
            fprintf(stderr, "request %ld: %s\n", i, err.msg);
            return 1;
        }
        if (newconn)
            tt_client_close(&client);
    }
    tt_client_close(&client);
    /* BENCH_TLS_USED=1: the TLS memory one connection needed, for make bench */
    if (getenv("BENCH_TLS_USED") != NULL && client.cfg.tls != NULL)
        printf("tls_conn %zu used %zu\n", tt_tls_conn_size(),
               tt_tls_conn_used(&client.pool[0].tls_state));
    if (newconn)
        return client.stats.connects == (unsigned long)n &&
               (strncmp(argv[1], "https", 5) != 0 ||
                client.stats.tls_resumed == (unsigned long)n - 1) ? 0 : 1;
    return client.stats.connects == 1 ? 0 : 1;
}
