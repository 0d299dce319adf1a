/*
 * `tether plexd COMMAND`: the node agent's control plane, JSON on stdout.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#if TT_FEATURE_PLEXD /* else the command is left out (main.c) */
#include "tether/plexd.h"

#include "tether/tls.h"
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const tt_cli_opt own[] = {
    { "url", 0, TT_CLI_TEXT, "URL", 0, 0, NULL, "$PLEXD_URL: control plane base URL" },
    { "token", 0, TT_CLI_TEXT, "T", 0, 0, NULL,
      "$PLEXD_TOKEN: bootstrap token, or the node's after\nregister" },
    { "node-id", 0, TT_CLI_TEXT, "ID", 0, 0, NULL, "$PLEXD_NODE_ID" },
    { "signing-key", 0, TT_CLI_TEXT, "K", 0, 0, NULL,
      "$PLEXD_SIGNING_KEY: the control plane's Ed25519 key\n"
      "(base64; register prints it as signing_public_key);\n"
      "events are refused without it unless\n--insecure-unsigned (loud)" },
    { "user-agent", 0, TT_CLI_TEXT, "UA", 0, 0, NULL, "default plexd/" TT_VERSION },
    { "timeout", 0, TT_CLI_SECONDS, "S", 0, 0, NULL, "per request" },
    { "idle-timeout", 0, TT_CLI_SECONDS, "S", 0, 0, NULL, "events: reconnect after S silent seconds" },
    { "public-key", 0, TT_CLI_TEXT, "K", 0, 0, NULL, "register, rotate-keys: the node's key" },
    { "hostname", 0, TT_CLI_TEXT, "H", 0, 0, NULL, "register: the node's host name" },
    { "metadata", 0, TT_CLI_TEXT, "JSON", 0, 0, NULL, "register: an object" },
    { "status", 0, TT_CLI_TEXT, "S", 0, 0, NULL,
      "heartbeat (healthy), ack (accepted|rejected),\nresult (succeeded)" },
    { "uptime", 0, TT_CLI_TEXT, "U", 0, 0, NULL, "heartbeat" },
    { "checksum", 0, TT_CLI_TEXT, "C", 0, 0, NULL, "heartbeat: of the agent's binary" },
    { "json", 0, TT_CLI_TEXT, "JSON", 0, 0, NULL, "the body; @FILE reads a file" },
    { "public-endpoint", 0, TT_CLI_TEXT, "E", 0, 0, NULL, "endpoint: host:port" },
    { "nat-type", 0, TT_CLI_TEXT, "T", 0, 0, NULL, "endpoint" },
    { "reason", 0, TT_CLI_TEXT, "R", 0, 0, NULL, "ack" },
    { "exit-code", 0, TT_CLI_NUMBER, "N", INT32_MIN, INT32_MAX, NULL, "result" },
    { "stdout", 0, TT_CLI_TEXT, "T", 0, 0, NULL, "result" },
    { "stderr", 0, TT_CLI_TEXT, "T", 0, 0, NULL, "result" },
    { "duration", 0, TT_CLI_TEXT, "D", 0, 0, NULL, "result" },
    { "output", 'o', TT_CLI_FILE, "FILE", 0, 0, NULL, "artifact: where to write it" },
    { "sha256", 0, TT_CLI_TEXT, "HEX", 0, 0, NULL, "artifact: the digest it must have" },
    { "max-events", 0, TT_CLI_NUMBER, "N", 0, LONG_MAX, NULL, "events: that many, then exit" },
    { "insecure-unsigned", 0, TT_CLI_FLAG, NULL, 0, 0, NULL,
      "events: accept events without checking them (loud)" },
};

static const tt_cli_group own_group = TT_CLI_SETTINGS(own);

static const tt_cli_group *const groups[] = {
    &own_group, &tt_cli_config_opts, &tt_cli_general_opts, &tt_cli_silent_opts,
    &tt_cli_connect_opts, &tt_cli_trust_opts, &tt_cli_tls_opts, NULL,
};

static int run_plexd(tt_cli_args *a);

const tt_cli_cmd tt_cli_plexd_cmd = {
    "plexd", "a plexd node: register, state, signed events, artifacts",
    "tether plexd COMMAND [ARGS] [options]",
    "Commands:\n"
    "  register --public-key K --hostname H [--metadata JSON]\n"
    "  heartbeat [--status S] [--uptime U] [--checksum C]\n"
    "  deregister | state | secret KEY\n"
    "  rotate-keys --public-key K\n"
    "  capabilities --json JSON | endpoint --public-endpoint E [--nat-type T]\n"
    "  drift --json CORRECTIONS | report --json JSON\n"
    "  ack EXECUTION_ID [--status accepted|rejected] [--reason R]\n"
    "  result EXECUTION_ID --status S --exit-code N [--stdout T] [--stderr T] [--duration D]\n"
    "  metrics|logs|audit --json BATCH      (JSON arrays; @FILE reads a file)\n"
    "  artifact VERSION OS ARCH -o FILE [--sha256 HEX]\n"
    "  events [--max-events N] [--signing-key K | --insecure-unsigned]\n"
    "                     verified envelopes as JSON lines (N: that many, then exit)\n",
    groups, run_plexd,
};

static tt_plexd plexd;
static tt_plexd_events events;
static tt_cli_printer printer;
static char out[TT_API_BODY_MAX];
static char file_json[TT_API_REQUEST_MAX];

/* "--json X": the text, or the contents of @FILE; *json stays NULL when
 * the option is absent. A file that cannot be read or does not fit the
 * request buffer is a usage error (exit 2), never a shortened document. */
static int json_arg(const tt_cli_args *a, const char **json)
{
    const char *v = tt_cli_arg(a, "json");
    FILE *f;
    size_t n;
    *json = v;
    if (v == NULL || v[0] != '@')
        return 0;
    if ((f = fopen(v + 1, "rb")) == NULL)
        return tt_cli_usage_error("cannot read %s", v + 1);
    n = fread(file_json, 1, sizeof file_json, f);
    fclose(f);
    if (n == sizeof file_json)
        return tt_cli_usage_error("%s: larger than the %zu-byte request buffer", v + 1,
                                  sizeof file_json - 1);
    file_json[n] = '\0';
    *json = file_json;
    return 0;
}

static int ok_json(void)
{
    return tt_cli_print_json("{\"ok\":true}", 11);
}

/* Print what a call bound: the root record after its lists (which the
 * printer wrote as they came), and an exit code for the record problems. */
static int print_bound(int rc, const void *rec, int have_record, tt_error *err)
{
    int prc;
    if (rc != 0 && !have_record)
        return tt_cli_fail(err);
    if ((prc = tt_cli_printer_end(&printer, rec, rc != 0 ? err : NULL)) != 0)
        return prc;
    if (rc != 0)
        return tt_cli_fail(err);
    return tt_cli_printer_status(&printer);
}

static int do_register(const tt_cli_args *a, tt_error *err)
{
    static tt_plexd_registration r;
    tt_plexd_register_req q;
    int rc;
    memset(&q, 0, sizeof q);
    q.public_key = tt_cli_arg(a, "public-key");
    q.hostname = tt_cli_arg(a, "hostname");
    q.metadata_json = tt_cli_arg(a, "metadata");
    tt_cli_printer_init(&printer, &tt_plexd_registration_json, 0);
    rc = tt_plexd_register(&plexd, &q, &r, tt_cli_printer_item, &printer, err);
    /* the node_secret_key is printed once, for the caller to keep: it is
     * the node's credential, and the server has created the node even
     * when some other field did not fit */
    return print_bound(rc, &r, r.node_id[0] != '\0', err);
}

static int do_state(tt_error *err)
{
    static tt_plexd_state st;
    int rc;
    tt_cli_printer_init(&printer, &tt_plexd_state_json, 0);
    rc = tt_plexd_fetch_state(&plexd, &st, tt_cli_printer_item, &printer, err);
    return print_bound(rc, &st, rc == 0 || err->cls == TT_ERR_LIMIT, err);
}

/* ---- artifact download ------------------------------------------------------------- */

/* Hex digests compare without regard to case. */
static int hex_equal(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char x = (char)(*a >= 'A' && *a <= 'F' ? *a + 32 : *a);
        if (x != *b)
            return 0;
    }
    return *a == *b;
}

typedef struct download {
    FILE *f;
    tt_sha256 sha;
    unsigned long long bytes;
    int tty;
} download;

static int save_chunk(void *user, const unsigned char *data, size_t len, tt_error *err)
{
    download *d = user;
    if (fwrite(data, 1, len, d->f) != len)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "cannot write the file");
    tt_sha256_update(&d->sha, data, len);
    d->bytes += len;
    if (d->tty)
        fprintf(stderr, "\r%llu KiB", d->bytes / 1024);
    return 0;
}

static int do_artifact(const tt_cli_args *a, tt_error *err)
{
    static download d;
    const char *path = tt_cli_arg(a, "output"), *want = tt_cli_arg(a, "sha256");
    unsigned char sum[32];
    char hex[65];
    int i, rc;
    if (a->npos < 4 || path == NULL)
        return tt_cli_usage_error("artifact needs VERSION OS ARCH and -o FILE");
    memset(&d, 0, sizeof d);
    d.f = fopen(path, "wb");
    if (d.f == NULL)
        return tt_cli_usage_error("cannot open %s", path);
    d.tty = isatty(2);
    tt_sha256_init(&d.sha);
    rc = tt_plexd_fetch_artifact(&plexd, a->pos[1], a->pos[2], a->pos[3], save_chunk, &d, err);
    if (fclose(d.f) != 0 && rc == 0)
        rc = tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "cannot write %s", path);
    if (d.tty)
        fputc('\n', stderr);
    tt_sha256_final(&d.sha, sum);
    for (i = 0; i < 32; i++) {
        hex[2 * i] = "0123456789abcdef"[sum[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[sum[i] & 15];
    }
    hex[64] = '\0';
    if (rc != 0) {
        remove(path);
        return tt_cli_fail(err);
    }
    if (want != NULL) {
        if (strncmp(want, "sha256:", 7) == 0)
            want += 7;
        if (!hex_equal(want, hex)) {
            remove(path);
            fprintf(stderr, "tether: %s: checksum mismatch: expected %s, got %s; file removed\n",
                    a->pos[1], want, hex);
            return TT_EXIT_PROTOCOL;
        }
    }
    printf("{\"file\":\"%s\",\"bytes\":%llu,\"sha256\":\"%s\"}\n", path, d.bytes, hex);
    return 0;
}

/* ---- events -------------------------------------------------------------------------- */

typedef struct events_run {
    unsigned long seen, max;
} events_run;

static int print_envelope(void *user, const tt_plexd_envelope *env, tt_error *err)
{
    events_run *r = user;
    tt_json_writer w;
    size_t n;
    if (r->max > 0 && r->seen >= r->max)
        return 0;
    tt_jw_init(&w, out, sizeof out);
    tt_jw_record(&w, &tt_plexd_envelope_json, env);
    if (tt_jw_finish(&w, &n, err) != 0 || tt_cli_print_json(out, n) != 0)
        return -1;
    if (++r->seen == r->max && r->max > 0)
        tt_sse_stop(&events.stream);
    return 0;
}

/* One line on stderr for each envelope not printed: malformed (no event
 * id to name), rejected (its reason names its event id), or a handler's. */
static void on_report(void *user, const tt_plexd_envelope *env, const tt_error *why)
{
    (void)user;
    (void)env;
    fprintf(stderr, "tether: event not delivered: %s\n", why->msg);
}

/* How events are checked: the key (flag, environment, config), or none
 * at all when the caller said so, loudly. */
static int events_trust(const tt_cli_args *a, const tt_cli_conf *conf, tt_error *err)
{
    static tt_plexd_keys keys;
    const char *key = tt_cli_setting(conf, tt_cli_arg(a, "signing-key"), "signing_key",
                                     "PLEXD_SIGNING_KEY", NULL);
    if (key != NULL) {
        if (tt_plexd_keys_init(&keys, &plexd.client.port, key, err) != 0)
            return tt_cli_fail(err);
        events.keys = &keys;
        return 0;
    }
    if (tt_cli_arg(a, "insecure-unsigned") == NULL)
        return tt_cli_usage_error("plexd events needs the control plane's signing key: "
                                  "--signing-key, PLEXD_SIGNING_KEY or signing_key in the "
                                  "config file (or --insecure-unsigned to accept any event)");
    fprintf(stderr, "tether: WARNING: --insecure-unsigned: events are NOT verified; anyone "
                    "on the path can send this node any action\n");
    events.insecure_unsigned = 1;
    return 0;
}

static int do_events(const tt_cli_args *a, const tt_cli_conf *conf, tt_error *err)
{
    static events_run r;
    int rc;
    r.max = (unsigned long)tt_cli_arg_long(a, "max-events", 0);
    if (tt_plexd_events_init(&events, &plexd, err) != 0 ||
        tt_plexd_on(&events, NULL, print_envelope, &r, err) != 0)
        return tt_cli_fail(err);
    if ((rc = events_trust(a, conf, err)) != 0)
        return rc;
    events.report = on_report;
    events.scfg.cancel = &tt_cli_cancel;
    if (tt_plexd_events_run(&events, err) != 0)
        return tt_cli_fail(err);
    if (!a->common.silent)
        fprintf(stderr, "tether: %lu events over %lu connections (%lu skipped)\n",
                events.delivered, events.stream.stats.opened,
                events.malformed + events.rejected);
    return r.max > 0 && r.seen >= r.max ? 0 : (tt_cli_cancel ? TT_EXIT_CANCELLED : 0);
}

/* ---- dispatch ------------------------------------------------------------------------ */

static int exec_cmd(const tt_cli_args *a, const char *cmd, tt_error *err)
{
    const char *arg1 = a->npos > 1 ? a->pos[1] : NULL;
    const char *json;
    int rc = -2;
    if (json_arg(a, &json) != 0)
        return TT_EXIT_USAGE;
    if (strcmp(cmd, "heartbeat") == 0) {
        tt_plexd_heartbeat_req q;
        tt_plexd_heartbeat_resp h;
        memset(&q, 0, sizeof q);
        q.status = tt_cli_arg(a, "status") != NULL ? tt_cli_arg(a, "status") : "healthy";
        q.uptime = tt_cli_arg(a, "uptime");
        q.binary_checksum = tt_cli_arg(a, "checksum");
        if (tt_plexd_heartbeat(&plexd, &q, &h, err) != 0)
            return tt_cli_fail(err);
        printf("{\"reconcile\":%s,\"rotate_keys\":%s}\n", h.reconcile ? "true" : "false",
               h.rotate_keys ? "true" : "false");
        return 0;
    }
    if (strcmp(cmd, "deregister") == 0)
        rc = tt_plexd_deregister(&plexd, err);
    else if (strcmp(cmd, "rotate-keys") == 0) {
        static tt_plexd_rotation r;
        tt_cli_printer_init(&printer, &tt_plexd_rotation_json, 0);
        rc = tt_plexd_rotate_keys(&plexd, tt_cli_arg(a, "public-key"), &r, tt_cli_printer_item,
                                  &printer, err);
        return print_bound(rc, &r, 0, err);
    } else if (strcmp(cmd, "capabilities") == 0)
        rc = tt_plexd_update_capabilities(&plexd, json, err);
    else if (strcmp(cmd, "endpoint") == 0)
        rc = tt_plexd_report_endpoint(&plexd, tt_cli_arg(a, "public-endpoint"),
                                      tt_cli_arg(a, "nat-type"), err);
    else if (strcmp(cmd, "drift") == 0 && json == NULL)
        return tt_cli_usage_error("drift needs --json");
    else if (strcmp(cmd, "drift") == 0)
        rc = tt_plexd_report_drift(&plexd, json, err);
    else if (strcmp(cmd, "report") == 0)
        rc = tt_plexd_sync_reports(&plexd, json, err);
    else if (strcmp(cmd, "metrics") == 0)
        rc = tt_plexd_send_metrics(&plexd, json, err);
    else if (strcmp(cmd, "logs") == 0)
        rc = tt_plexd_send_logs(&plexd, json, err);
    else if (strcmp(cmd, "audit") == 0)
        rc = tt_plexd_send_audit(&plexd, json, err);
    else if (strcmp(cmd, "ack") == 0 && arg1 != NULL)
        rc = tt_plexd_ack_execution(&plexd, arg1, tt_cli_arg(a, "status") != NULL ?
                                    tt_cli_arg(a, "status") : "accepted",
                                    tt_cli_arg(a, "reason"), err);
    else if (strcmp(cmd, "result") == 0 && arg1 != NULL) {
        tt_plexd_exec_result r;
        memset(&r, 0, sizeof r);
        r.execution_id = arg1;
        r.status = tt_cli_arg(a, "status") != NULL ? tt_cli_arg(a, "status") : "succeeded";
        r.exit_code = (int32_t)tt_cli_arg_long(a, "exit-code", 0);
        r.out = tt_cli_arg(a, "stdout");
        r.err = tt_cli_arg(a, "stderr");
        r.duration = tt_cli_arg(a, "duration");
        rc = tt_plexd_report_result(&plexd, &r, err);
    }
    if (rc == -2)
        return tt_cli_usage_error("unknown plexd command '%s' (or a missing argument)", cmd);
    return rc != 0 ? tt_cli_fail(err) : ok_json();
}

static int run(const tt_cli_args *a, const tt_cli_conf *conf)
{
    const char *cmd = a->pos[0];
    tt_error err;
    if (strcmp(cmd, "register") == 0)
        return do_register(a, &err);
    if (strcmp(cmd, "state") == 0)
        return do_state(&err);
    if (strcmp(cmd, "artifact") == 0)
        return do_artifact(a, &err);
    if (strcmp(cmd, "events") == 0)
        return do_events(a, conf, &err);
    if (strcmp(cmd, "secret") == 0 && a->npos > 1) {
        static tt_plexd_secret s;
        tt_cli_printer_init(&printer, &tt_plexd_secret_json, 0);
        return print_bound(tt_plexd_get_secret(&plexd, a->pos[1], &s, &err), &s, 0, &err);
    }
    return exec_cmd(a, cmd, &err);
}

static int run_plexd(tt_cli_args *a)
{
    static tt_cli_conf conf;
    tt_plexd_config cfg;
    tt_client_config cc;
    tt_port port;
    tt_error err;
    const char *node;
    int rc;

    if ((rc = tt_cli_proto_begin(a, &conf)) >= 0)
        return rc;
    memset(&cfg, 0, sizeof cfg);
    cfg.base_url = tt_cli_setting(&conf, tt_cli_arg(a, "url"), "url", "PLEXD_URL", NULL);
    cfg.token = tt_cli_setting(&conf, tt_cli_arg(a, "token"), "token", "PLEXD_TOKEN", NULL);
    cfg.user_agent = tt_cli_setting(&conf, tt_cli_arg(a, "user-agent"), "user_agent", NULL, NULL);
    if (tt_cli_setting_ms(&conf, a, "timeout", "timeout", NULL, &cfg.request_timeout_ms) != 0 ||
        tt_cli_setting_ms(&conf, a, "idle-timeout", "idle_timeout", NULL,
                          &cfg.sse_idle_timeout_ms) != 0)
        return TT_EXIT_USAGE;
    cfg.connect_timeout_ms = a->common.connect_ms;
    /* TLS from the common options (-k, --cacert) */
    tt_client_config_default(&cc);
    if (cfg.base_url != NULL &&
        (rc = tt_cli_common_setup(&a->common, &cc, strncmp(cfg.base_url, "https:", 6) == 0)) != 0)
        return rc;
#if TT_FEATURE_TLS
    cfg.tls = cc.tls;
#endif
    cfg.insecure_skip_verify = a->common.tls.insecure;
    tt_cli_port_init(&a->common, &port);
    if (tt_plexd_init(&plexd, &port, &cfg, &err) != 0)
        return tt_cli_fail(&err);
    plexd.client.cfg.cancel = &tt_cli_cancel;
    plexd.client.cfg.log = cc.log;
    node = tt_cli_setting(&conf, tt_cli_arg(a, "node-id"), "node_id", "PLEXD_NODE_ID", NULL);
    if (node != NULL && tt_plexd_set_node_id(&plexd, node, &err) != 0)
        return tt_cli_fail(&err);
    rc = run(a, &conf);
    tt_plexd_close(&plexd);
    return rc;
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
