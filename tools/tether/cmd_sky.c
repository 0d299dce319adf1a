/*
 * `tether sky COMMAND`: the SkyPilot API server, JSON on stdout. Long
 * operations wait for their request unless --detach.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#if TT_FEATURE_SKYPILOT /* else the command is left out (main.c) */
#include "tether/skypilot.h"

#include "tether/tls.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const tt_cli_opt own[] = {
    { "url", 0, TT_CLI_TEXT, "URL", 0, 0, NULL,
      "$SKYPILOT_API_SERVER_URL (or SKYPILOT_API_SERVER_ENDPOINT)" },
    { "token", 0, TT_CLI_TEXT, "T", 0, 0, NULL, "$SKYPILOT_SERVICE_ACCOUNT_TOKEN (\"sky_...\")" },
    { "timeout", 0, TT_CLI_SECONDS, "S", 0, 0, NULL,
      "$SKYPILOT_REQUEST_TIMEOUT: per request (30; \"10m\")" },
    { "retries", 0, TT_CLI_NUMBER, "N", 0, 100, NULL,
      "$SKYPILOT_MAX_RETRIES (3; launch, exec and down\n"
      "only when the server cannot have acted on them)" },
    { "user-id", 0, TT_CLI_TEXT, "ID", 0, 0, NULL,
      "$SKYPILOT_USER_ID: who asks, in every request's\n"
      "env_vars (default: 8 hex digits of a hash of\n/etc/machine-id)" },
    { "user", 0, TT_CLI_TEXT, "NAME", 0, 0, NULL, "$SKYPILOT_USER (default: $USER, else the user id)" },
    { "task", 0, TT_CLI_FILE, "FILE", 0, 0, NULL, "launch, exec: the task YAML" },
    { "retry-until-up", 0, TT_CLI_FLAG, NULL, 0, 0, NULL, "launch: retry until resources are up" },
    { "detach", 0, TT_CLI_FLAG, NULL, 0, 0, NULL, "print the request id instead of waiting" },
    { "wait-timeout", 0, TT_CLI_SECONDS, "S", 0, 0, NULL, "how long to wait for a request (30m)" },
    { "aws-access-key-id", 0, TT_CLI_TEXT, "K", 0, 0, NULL, "launch: AWS credentials" },
    { "aws-secret-access-key", 0, TT_CLI_TEXT, "S", 0, 0, NULL, "" },
    { "aws-session-token", 0, TT_CLI_TEXT, "T", 0, 0, NULL, "" },
    { "azure-client-id", 0, TT_CLI_TEXT, "I", 0, 0, NULL, "launch: Azure credentials" },
    { "azure-client-secret", 0, TT_CLI_TEXT, "S", 0, 0, NULL, "" },
    { "azure-tenant-id", 0, TT_CLI_TEXT, "T", 0, 0, NULL, "" },
    { "azure-subscription-id", 0, TT_CLI_TEXT, "U", 0, 0, NULL, "" },
    { "gcp-credentials", 0, TT_CLI_FILE, "FILE", 0, 0, NULL, "launch: a GCP service-account key" },
    { "purge", 0, TT_CLI_FLAG, NULL, 0, 0, NULL, "down: even when the cloud fails" },
    { "job-id", 0, TT_CLI_NUMBER, "N", 0, LONG_MAX, NULL, "logs: this job (default the latest)" },
    { "follow", 0, TT_CLI_FLAG, NULL, 0, 0, NULL, "logs: for as long as the job runs" },
    { "tail", 0, TT_CLI_NUMBER, "N", 0, INT_MAX, NULL, "logs: the last N lines" },
    { "idle-timeout", 0, TT_CLI_SECONDS, "S", 0, 0, NULL,
      "logs: stop following after S seconds without\na byte (default 300), never at --timeout" },
    { "days", 0, TT_CLI_NUMBER, "N", 1, 36500, NULL, "cost-report: of the last N days (30)" },
};

static const tt_cli_group own_group = TT_CLI_SETTINGS(own);

static const tt_cli_group *const groups[] = {
    &own_group, &tt_cli_config_opts, &tt_cli_general_opts, NULL,
};

static int run_sky(tt_cli_args *a);

const tt_cli_cmd tt_cli_sky_cmd = {
    "sky", "the SkyPilot API server", "tether sky COMMAND [ARGS] [options]",
    "Commands:\n"
    "  health\n"
    "  launch CLUSTER --task FILE [--retry-until-up] [--detach]\n"
    "         [--aws-access-key-id K --aws-secret-access-key S [--aws-session-token T]]\n"
    "         [--azure-client-id I --azure-client-secret S --azure-tenant-id T\n"
    "          --azure-subscription-id U] [--gcp-credentials FILE]\n"
    "  down CLUSTER [--purge] [--detach]\n"
    "  status [CLUSTER...] [--detach]   one JSON line per cluster, then the request\n"
    "  exec CLUSTER --task FILE [--detach]\n"
    "  logs CLUSTER [--job-id N] [--follow] [--tail N] [--idle-timeout S]\n"
    "                      the job's output on stdout\n"
    "  cost-report [--days N] [--detach]\n"
    "  request ID          a request's state now\n"
    "  wait ID             wait for a request (--wait-timeout S, default 30m)\n",
    groups, run_sky,
};

static tt_sky sky;
static tt_cli_printer printer;
/* a result other than a status's clusters (launch: a job id and a pickled
 * handle of several KB; cost reports grow with the clusters), and the line
 * that carries it */
static char result[1024 * 1024];
static char out[sizeof result + 4096];
static char task[TT_API_REQUEST_MAX / 2];
static char gcp[TT_API_REQUEST_MAX / 4];

static int read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (f == NULL)
        return tt_cli_usage_error("cannot read %s", path);
    n = fread(buf, 1, cap, f);
    fclose(f);
    if (n == cap)
        return tt_cli_usage_error("%s is larger than %zu bytes", path, cap - 1);
    buf[n] = '\0';
    return 0;
}

static int print_cluster(void *user, const tt_sky_cluster *c, const tt_error *problem,
                         tt_error *err)
{
    tt_json_item it;
    memset(&it, 0, sizeof it);
    it.list = &tt_sky_clusters_json;
    it.record = (void *)c;
    it.error = problem;
    return tt_cli_printer_item(user, &it, err);
}

/* The result's sinks: clusters of a status request as lines, anything
 * else into the result buffer. */
static void request_sinks(tt_sky_request *r)
{
    memset(r, 0, sizeof *r);
    tt_cli_printer_init(&printer, &tt_sky_clusters_json, 1);
    r->on_cluster = print_cluster;
    r->user = &printer;
    r->result = result;
    r->result_cap = sizeof result;
}

static int print_request(const tt_sky_request *r)
{
    tt_json_writer w;
    tt_error e;
    int rc;
    if ((rc = tt_cli_printer_end(&printer, NULL, NULL)) != 0)
        return rc;
    tt_jw_init(&w, out, sizeof out);
    tt_jw_object(&w);
    tt_jw_members(&w, tt_sky_request_json.sub, tt_sky_request_json.nsub, r);
    /* the result is the caller's buffer, not a member of the record */
    if (r->result_len > 0 && tt_json_validate(r->result, r->result_len, &e) == 0) {
        tt_jw_key(&w, "result");
        tt_jw_raw(&w, r->result, r->result_len);
    }
    tt_jw_end(&w);
    if ((rc = tt_cli_print_writer(&w)) != 0)
        return rc;
    return tt_cli_printer_status(&printer);
}

static int print_id(const char *id)
{
    tt_sky_request r;
    memset(&r, 0, sizeof r);
    tt_fmt(r.request_id, sizeof r.request_id, "%s", id);
    return tt_cli_print_record(&tt_sky_request_json, &r, out, sizeof out);
}

static int finish(const tt_cli_args *a, const char *id, int rc, tt_error *err)
{
    tt_sky_request r;
    long long wt = 30 * 60 * 1000LL;
    const char *v = tt_cli_arg(a, "wait-timeout");
    const tt_port *p = &sky.client.port;
    if (rc != 0)
        return tt_cli_fail(err);
    if (tt_cli_arg(a, "detach") != NULL)
        return print_id(id);
    if (v != NULL)
        wt = tt_cli_parse_seconds(v);
    request_sinks(&r);
    if (tt_sky_wait(&sky, id, p->ops->now_ms(p->ctx) + wt, &r, err) != 0) {
        if (r.kind == TT_SKY_FAILED)
            print_request(&r);
        return tt_cli_fail(err);
    }
    return print_request(&r);
}

static int launch(const tt_cli_args *a, tt_error *err)
{
    tt_sky_launch_req q;
    tt_sky_credentials c;
    char id[TT_SKY_ID_MAX];
    const char *tf = tt_cli_arg(a, "task"), *gf = tt_cli_arg(a, "gcp-credentials");
    int rc;
    if (a->npos < 2 || tf == NULL)
        return tt_cli_usage_error("launch needs CLUSTER and --task FILE");
    if ((rc = read_file(tf, task, sizeof task)) != 0)
        return rc;
    memset(&q, 0, sizeof q);
    memset(&c, 0, sizeof c);
    q.cluster_name = a->pos[1];
    q.task_yaml = task;
    q.retry_until_up = tt_cli_arg(a, "retry-until-up") != NULL;
    c.aws_access_key_id = tt_cli_arg(a, "aws-access-key-id");
    c.aws_secret_access_key = tt_cli_arg(a, "aws-secret-access-key");
    c.aws_session_token = tt_cli_arg(a, "aws-session-token");
    c.azure_client_id = tt_cli_arg(a, "azure-client-id");
    c.azure_client_secret = tt_cli_arg(a, "azure-client-secret");
    c.azure_tenant_id = tt_cli_arg(a, "azure-tenant-id");
    c.azure_subscription_id = tt_cli_arg(a, "azure-subscription-id");
    if (gf != NULL && (rc = read_file(gf, gcp, sizeof gcp)) != 0)
        return rc;
    c.gcp_credentials_json = gf != NULL ? gcp : NULL;
    if (c.aws_access_key_id || c.azure_client_id || gf != NULL)
        q.credentials = &c;
    return finish(a, id, tt_sky_launch(&sky, &q, id, sizeof id, err), err);
}

static int write_log(void *user, const unsigned char *data, size_t len, tt_error *err)
{
    (void)user;
    if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "cannot write to stdout");
    return 0;
}

static int run(const tt_cli_args *a)
{
    const char *cmd = a->pos[0], *arg1 = a->npos > 1 ? a->pos[1] : NULL;
    char id[TT_SKY_ID_MAX];
    tt_sky_health h;
    tt_sky_request r;
    tt_error err;

    if (strcmp(cmd, "health") == 0) {
        if (tt_sky_get_health(&sky, &h, &err) != 0)
            return tt_cli_fail(&err);
        return tt_cli_print_record(&tt_sky_health_json, &h, out, sizeof out);
    }
    if (strcmp(cmd, "launch") == 0)
        return launch(a, &err);
    if (strcmp(cmd, "status") == 0)
        return finish(a, id, tt_sky_status(&sky, a->pos + 1, a->npos - 1, id, sizeof id, &err), &err);
    if (strcmp(cmd, "cost-report") == 0)
        return finish(a, id, tt_sky_cost_report(&sky, (int)tt_cli_arg_long(a, "days", 30), id,
                                                sizeof id, &err), &err);
    if (arg1 == NULL)
        return tt_cli_usage_error("%s needs an argument", cmd);
    if (strcmp(cmd, "down") == 0)
        return finish(a, id, tt_sky_down(&sky, arg1, tt_cli_arg(a, "purge") != NULL, id,
                                         sizeof id, &err), &err);
    if (strcmp(cmd, "exec") == 0) {
        int rc;
        if (tt_cli_arg(a, "task") == NULL)
            return tt_cli_usage_error("exec needs --task FILE");
        if ((rc = read_file(tt_cli_arg(a, "task"), task, sizeof task)) != 0)
            return rc;
        return finish(a, id, tt_sky_exec(&sky, arg1, task, id, sizeof id, &err), &err);
    }
    if (strcmp(cmd, "logs") == 0)
        return tt_sky_logs(&sky, arg1, tt_cli_arg_long(a, "job-id", 0),
                           tt_cli_arg(a, "follow") != NULL, (int)tt_cli_arg_long(a, "tail", 0),
                           write_log, NULL, &err) != 0 ? tt_cli_fail(&err) : 0;
    if (strcmp(cmd, "request") == 0 || strcmp(cmd, "wait") == 0) {
        request_sinks(&r);
        if (strcmp(cmd, "wait") == 0)
            return finish(a, arg1, 0, &err);
        return tt_sky_request_status(&sky, arg1, &r, &err) != 0 ? tt_cli_fail(&err)
                                                                : print_request(&r);
    }
    return tt_cli_usage_error("unknown sky command '%s'", cmd);
}

/* SkyPilot's own clients send an 8-hex-digit user hash; a device has no
 * user to hash, so its machine id stands in (stable across boots), else
 * its host name. */
static void default_user_id(char *hex, size_t cap)
{
    static const char *const files[] = { "/etc/machine-id", "/var/lib/dbus/machine-id" };
    char id[256];
    unsigned char sum[32];
    tt_sha256 c;
    size_t n = 0, i;
    for (i = 0; i < 2 && n == 0; i++) {
        FILE *f = fopen(files[i], "rb");
        if (f != NULL) {
            n = fread(id, 1, sizeof id, f);
            fclose(f);
        }
    }
    if (n == 0 && gethostname(id, sizeof id - 1) == 0) {
        id[sizeof id - 1] = '\0';
        n = strlen(id);
    }
    while (n > 0 && (id[n - 1] == '\n' || id[n - 1] == ' '))
        n--;
    tt_sha256_init(&c);
    tt_sha256_update(&c, id, n);
    tt_sha256_final(&c, sum);
    for (i = 0; i < 4 && 2 * i + 2 < cap; i++) {
        hex[2 * i] = "0123456789abcdef"[sum[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[sum[i] & 15];
    }
    hex[2 * i] = '\0';
}

static int run_sky(tt_cli_args *a)
{
    static tt_cli_conf conf;
    static char user_id[16];
    tt_sky_config cfg;
    tt_port port;
    tt_error err;
    int rc;

    if ((rc = tt_cli_proto_begin(a, &conf)) >= 0)
        return rc;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_retries = -1;
    if (tt_sky_config_from_env(&cfg, &err) != 0)
        return tt_cli_fail(&err);
    cfg.url = tt_cli_setting(&conf, tt_cli_arg(a, "url"), "url", NULL, cfg.url);
    cfg.token = tt_cli_setting(&conf, tt_cli_arg(a, "token"), "token", NULL, cfg.token);
    if (tt_cli_setting_ms(&conf, a, "timeout", "timeout", NULL, &cfg.timeout_ms) != 0)
        return TT_EXIT_USAGE;
    if (tt_cli_setting_int(&conf, a, "retries", "retries", NULL, &cfg.max_retries) != 0 ||
        tt_cli_setting_ms(&conf, a, "idle-timeout", "idle_timeout", NULL, &cfg.logs_idle_ms) != 0)
        return TT_EXIT_USAGE;
    cfg.user_id = tt_cli_setting(&conf, tt_cli_arg(a, "user-id"), "user_id", "SKYPILOT_USER_ID",
                                 NULL);
    if (cfg.user_id == NULL) {
        default_user_id(user_id, sizeof user_id);
        cfg.user_id = user_id;
    }
    cfg.user = tt_cli_setting(&conf, tt_cli_arg(a, "user"), "user", "SKYPILOT_USER",
                              getenv("USER"));
    tt_cli_port_init(&a->common, &port);
    if (tt_sky_init(&sky, &port, &cfg, &err) != 0)
        return tt_cli_fail(&err);
    tt_cli_attach(&sky.client, a);
    rc = run(a);
    tt_sky_close(&sky);
    return rc;
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
