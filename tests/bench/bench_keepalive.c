/*
 * N keep-alive GETs of one URL in one process, body discarded; exits non-zero
 * when any request fails or the connection was not reused.
 *
 * usage: bench_keepalive URL N
 */
#include "client.h"
#include "port_posix.h"

#include <stdio.h>
#include <stdlib.h>

static int discard(void *u, const unsigned char *d, size_t n, tt_error *e)
{
    (void)u; (void)d; (void)e;
    return n > 0 ? 0 : 0;
}

int main(int argc, char **argv)
{
    static tt_client client;
    tt_port port;
    tt_request rq = { 0 };
    tt_response rs;
    tt_error err;
    long n, i;

    if (argc != 3)
        return 2;
    n = atol(argv[2]);
    tt_port_posix_init(&port);
    tt_client_init(&client, &port, NULL, NULL);
    rq.url = argv[1];
    rq.max_redirects = -1;
    rq.on_body = discard;
    for (i = 0; i < n; i++) {
        if (tt_client_request(&client, &rq, &rs, &err) != 0 || rs.status != 200) {
            fprintf(stderr, "request %ld: %s\n", i, err.msg);
            return 1;
        }
    }
    tt_client_close(&client);
    return client.stats.connects == 1 ? 0 : 1;
}
