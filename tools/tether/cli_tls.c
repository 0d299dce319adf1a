/* TLS options of the tether CLI: trust, client certificate, pins, time. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

const char tt_cli_tls_help[] =
    "TLS (https):\n"
    "      --cacert FILE|DIR     trust these CAs (PEM file or directory; default\n"
    "                            " DEFAULT_BUNDLE ")\n"
    "      --capath DIR          same as --cacert DIR\n"
    "      --cert FILE           client certificate chain (PEM) for mutual TLS\n"
    "      --key FILE            client private key (PEM: PKCS#8, EC or RSA)\n"
    "      --pinnedpubkey sha256//BASE64[;sha256//...]\n"
    "                            accept only these server public keys; without\n"
    "                            --cacert the pin alone is the trust\n"
    "  -k, --insecure            do not verify the server (loud; never default)\n"
    "      --tls-time system|floor|SECONDS\n"
    "                            certificate dates against the clock (default),\n"
    "                            a clock never earlier than the build floor\n"
    "                            (devices without RTC), or a fixed Unix time\n"
    "      --tlsv1.2, --tlsv1.3  the lowest TLS version to accept\n"
    "      --tls-max 1.2|1.3     the highest TLS version to offer\n"
    "      --tls-min-rsa-bits N  the smallest RSA key a server may have\n"
    "                            (default " TT_CLI_STR(TT_TLS_MIN_RSA_BITS) ")\n";

int tt_cli_tls_option(tt_cli_tls *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const char **slot = NULL;

    if (strcmp(a, "-k") == 0 || strcmp(a, "--insecure") == 0) {
        o->insecure = 1;
        return 1;
    }
    if (strcmp(a, "--tlsv1.2") == 0 || strcmp(a, "--tlsv1.3") == 0) {
        o->tls_min = a[8] == '3' ? TT_TLS_VERSION_1_3 : TT_TLS_VERSION_1_2;
        return 1;
    }
    if (strcmp(a, "--cacert") == 0 || strcmp(a, "--capath") == 0)
        slot = &o->cacert;
    else if (strcmp(a, "--cert") == 0 || strcmp(a, "-E") == 0)
        slot = &o->cert;
    else if (strcmp(a, "--key") == 0)
        slot = &o->key;
    else if (strcmp(a, "--pinnedpubkey") == 0)
        slot = &o->pins;
    else if (strcmp(a, "--tls-time") == 0)
        slot = &o->time;
    else if (strcmp(a, "--tls-max") == 0)
        slot = &o->tls_max;
    else if (strcmp(a, "--tls-min-rsa-bits") == 0)
        slot = &o->min_rsa;
    else
        return 0;
    if (*i + 1 >= argc) {
        tt_cli_usage_error("option %s needs a value", a);
        return -1;
    }
    *slot = argv[++*i];
    return 1;
}

static int tls_fail(const tt_error *err)
{
    return tt_cli_fail(err);
}

int tt_cli_tls_setup(const tt_cli_tls *o, int need, tt_client_config *cfg)
{
    /* room for Debian's whole CA bundle (about 90 KiB decoded) */
    /* Debian's bundle: 70 KB decoded by BearSSL, 260 KB parsed by Mbed TLS */
    static unsigned char arena[(TT_TLS_MBEDTLS ? 512 : 256) * 1024];
    static tt_tls_store store;
    static tt_tls_config tls;
    tt_port port;
    tt_error err;

    tt_port_posix_init(&port);
    tt_tls_store_init(&store, arena, sizeof arena);
    tt_tls_config_init(&tls);
    tls.store = &store;
    tls.insecure = o->insecure;
    if (o->time != NULL) {
        char *end;
        if (strcmp(o->time, "system") == 0) {
            tls.time_policy = TT_TLS_TIME_SYSTEM;
        } else if (strcmp(o->time, "floor") == 0) {
            tls.time_policy = TT_TLS_TIME_FLOOR;
        } else {
            tls.time_policy = TT_TLS_TIME_FIXED;
            tls.fixed_time = strtoll(o->time, &end, 10);
            if (*end != '\0' || tls.fixed_time <= 0)
                return tt_cli_usage_error("--tls-time wants system, floor or Unix seconds");
        }
    }
    if (o->pins != NULL && tt_tls_add_pins(&tls, o->pins, &err) != 0)
        return tls_fail(&err);
    tls.min_version = o->tls_min;
    if (o->tls_min == TT_TLS_VERSION_1_3 && strstr(tt_tls_backend(), "TLS 1.3") == NULL)
        return tt_cli_usage_error("--tlsv1.3: this build speaks TLS 1.2 only (%s); TLS 1.3 "
                                  "needs a build with TLS=mbedtls", tt_tls_backend());
    if (o->tls_max != NULL) {
        if (strcmp(o->tls_max, "1.2") == 0)
            tls.max_version = TT_TLS_VERSION_1_2;
        else if (strcmp(o->tls_max, "1.3") == 0)
            tls.max_version = TT_TLS_VERSION_1_3;
        else
            return tt_cli_usage_error("--tls-max wants 1.2 or 1.3");
    }
    if (o->min_rsa != NULL) {
        long bits;
        if (tt_cli_parse_long(o->min_rsa, 512, 16384, &bits) != 0)
            return tt_cli_usage_error("--tls-min-rsa-bits wants a number of bits, 512 to 16384");
        tls.min_rsa_bits = (unsigned)bits;
    }
    if (o->insecure)
        fprintf(stderr, "tether: WARNING: --insecure: the server's certificate "
                        "is NOT verified; anyone on the path can read and change "
                        "this exchange\n");
    if (o->cacert != NULL) {
        if (tt_tls_load_anchors(&store, &port, o->cacert, &err) != 0)
            return tls_fail(&err);
    } else if (need && !o->insecure && o->pins == NULL) {
        if (tt_tls_load_anchors(&store, &port, DEFAULT_BUNDLE, &err) != 0)
            return tls_fail(&err);
    }
    if (o->cert != NULL) {
        if (tt_tls_load_chain(&store, &port, o->cert, &err) != 0 ||
            tt_tls_load_key(&store, &port, o->key != NULL ? o->key : o->cert, &err) != 0)
            return tls_fail(&err);
    } else if (o->key != NULL) {
        return tt_cli_usage_error("--key needs --cert");
    }
    cfg->tls = &tls;
    return 0;
}
