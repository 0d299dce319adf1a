/* TLS options of the tether CLI: trust, client certificate, pins, time. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

static const tt_cli_opt trust[] = {
    { "cacert", 0, TT_CLI_FILE, "FILE|DIR", 0, 0, NULL,
      "trust these CAs (PEM file or directory; default\n" DEFAULT_BUNDLE ")" },
    { "capath", 0, TT_CLI_FILE, "DIR", 0, 0, "cacert", "same as --cacert DIR" },
    { "cert", 'E', TT_CLI_FILE, "FILE", 0, 0, NULL, "client certificate chain (PEM) for mutual TLS" },
    { "key", 0, TT_CLI_FILE, "FILE", 0, 0, NULL, "client private key (PEM: PKCS#8, EC or RSA)" },
    { "tlsv1.2", 0, TT_CLI_FLAG, "1.2", 0, 0, "tls-min", "accept TLS 1.2 and later" },
    { "tlsv1.3", 0, TT_CLI_FLAG, "1.3", 0, 0, "tls-min", "accept TLS 1.3 only" },
};
const tt_cli_group tt_cli_trust_opts = TT_CLI_GROUP("TLS (https)", trust);

static const tt_cli_opt checks[] = {
    { "pinnedpubkey", 0, TT_CLI_TEXT, "sha256//BASE64[;sha256//...]", 0, 0, NULL,
      "accept only these server public keys; without\n--cacert the pin alone is the trust" },
    { "insecure", 'k', TT_CLI_FLAG, NULL, 0, 0, NULL, "do not verify the server (loud; never default)" },
    { "tls-time", 0, TT_CLI_TEXT, "system|floor|SECONDS", 0, 0, NULL,
      "certificate dates against the clock (default),\n"
      "a clock never earlier than the build floor\n(devices without RTC), or a fixed Unix time" },
    { "tls-max", 0, TT_CLI_TEXT, "1.2|1.3", 0, 0, NULL, "the highest TLS version to offer" },
    { "tls-min-rsa-bits", 0, TT_CLI_NUMBER, "N", 512, 16384, NULL,
      "the smallest RSA key a server may have\n(default " TT_CLI_STR(TT_TLS_MIN_RSA_BITS) ")" },
};
const tt_cli_group tt_cli_tls_opts = TT_CLI_GROUP(NULL, checks);

void tt_cli_tls_read(tt_cli_tls *o, const tt_cli_args *a)
{
    const char *min = tt_cli_arg(a, "tls-min");
    o->cacert = tt_cli_arg(a, "cacert");
    o->cert = tt_cli_arg(a, "cert");
    o->key = tt_cli_arg(a, "key");
    o->pins = tt_cli_arg(a, "pinnedpubkey");
    o->time = tt_cli_arg(a, "tls-time");
    o->tls_max = tt_cli_arg(a, "tls-max");
    o->min_rsa = tt_cli_arg_long(a, "tls-min-rsa-bits", 0);
    o->tls_min = min == NULL ? 0 : min[2] == '3' ? TT_TLS_VERSION_1_3 : TT_TLS_VERSION_1_2;
    o->insecure = tt_cli_arg(a, "insecure") != NULL;
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
    if (o->min_rsa != 0)
        tls.min_rsa_bits = (unsigned)o->min_rsa;
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
