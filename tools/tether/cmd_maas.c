/*
 * `tether maas COMMAND`: MAAS VM hosts and machines, JSON on stdout.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#if TT_FEATURE_MAAS /* else the command is left out (main.c) */
#include "tether/maas.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const tt_cli_opt own[] = {
    { "url", 0, TT_CLI_TEXT, "URL", 0, 0, NULL, "$MAAS_URL: \"http://maas:5240/MAAS\"" },
    { "api-key", 0, TT_CLI_TEXT, "KEY", 0, 0, NULL, "$MAAS_API_KEY: \"consumer:token:secret\"" },
    { "timeout", 0, TT_CLI_SECONDS, "S", 0, 0, NULL, "per request (default 30)" },
    { "compose-timeout", 0, TT_CLI_SECONDS, "S", 0, 0, NULL, "of compose (default 180)" },
    { "retries", 0, TT_CLI_NUMBER, "N", 0, 100, NULL,
      "default 3 (compose and deploy only when MAAS\ncannot have acted)" },
    { "type", 0, TT_CLI_TEXT, "lxd|virsh", 0, 0, NULL, "hosts: of this type" },
    { "zone", 0, TT_CLI_TEXT, "Z", 0, 0, NULL, "hosts: in this zone; compose: into it (name or ID)" },
    { "pool", 0, TT_CLI_TEXT, "P", 0, 0, NULL, "hosts: in this pool; compose: into it (name or ID)" },
    { "tag", 0, TT_CLI_TEXT, "T", 0, 0, NULL, "hosts: with this tag" },
    { "cores", 0, TT_CLI_NUMBER, "N", 1, INT32_MAX, NULL, "compose: CPU cores" },
    { "memory", 0, TT_CLI_NUMBER, "MIB", 1, LONG_MAX, NULL, "compose: memory in MiB" },
    { "storage", 0, TT_CLI_TEXT, "SPEC", 0, 0, NULL, "compose: disks, 'root:20(ssd),data:100'" },
    { "interfaces", 0, TT_CLI_TEXT, "SPEC", 0, 0, NULL, "compose: network interfaces" },
    { "hostname", 0, TT_CLI_TEXT, "H", 0, 0, NULL, "compose: the machine's host name" },
    { "domain", 0, TT_CLI_TEXT, "D", 0, 0, NULL, "compose: its domain (name or ID)" },
    { "architecture", 0, TT_CLI_TEXT, "A", 0, 0, NULL, "compose: its architecture" },
    { "cpu-speed", 0, TT_CLI_NUMBER, "MHZ", 1, INT32_MAX, NULL, "compose: CPU speed" },
    { "pinned-cores", 0, TT_CLI_TEXT, "0,1", 0, 0, NULL, "compose: cores to pin" },
    { "hugepages-backed", 0, TT_CLI_FLAG, NULL, 0, 0, NULL, "compose: memory backed by huge pages" },
    { "skip-commissioning", 0, TT_CLI_FLAG, NULL, 0, 0, NULL, "compose: do not commission" },
    { "user-data", 0, TT_CLI_FILE, "FILE", 0, 0, NULL, "deploy: cloud-init user data" },
    { "distro-series", 0, TT_CLI_TEXT, "S", 0, 0, NULL, "deploy: the release (noble)" },
    { "hwe-kernel", 0, TT_CLI_TEXT, "K", 0, 0, NULL, "deploy: the kernel" },
};

static const tt_cli_group own_group = TT_CLI_SETTINGS(own);

static const tt_cli_group *const groups[] = {
    &own_group, &tt_cli_config_opts, &tt_cli_general_opts, NULL,
};

static int run_maas(tt_cli_args *a);

const tt_cli_cmd tt_cli_maas_cmd = {
    "maas", "Canonical MAAS VM hosts and machines (OAuth 1.0a)",
    "tether maas COMMAND [ARGS] [options]",
    "Commands:\n"
    "  hosts [--type lxd|virsh] [--zone Z] [--pool P] [--tag T]   one JSON line per VM host\n"
    "  host ID                         one VM host with its resources\n"
    "  compose ID --cores N --memory MIB [--storage 'root:20(ssd),data:100']\n"
    "          [--interfaces SPEC] [--hostname H] [--zone Z] [--pool P] [--domain D]\n"
    "          [--architecture A] [--cpu-speed MHZ] [--pinned-cores 0,1]\n"
    "          [--hugepages-backed] [--skip-commissioning]\n"
    "          (user data goes with deploy, and MAAS has no --profile or\n"
    "          --project for compose)\n"
    "  machine SYSTEM_ID               a machine: interfaces, links, block devices\n"
    "  deploy SYSTEM_ID [--user-data FILE] [--distro-series S] [--hwe-kernel K]\n",
    groups, run_maas,
};

static tt_maas maas;
static tt_cli_printer printer;
static tt_maas_machine machine;
static tt_maas_vmhost host;
static char user_data[64 * 1024];

static int list_one(void *user, const tt_maas_vmhost *h, const tt_error *problem, tt_error *err)
{
    tt_json_item it;
    memset(&it, 0, sizeof it);
    it.list = &tt_maas_vmhosts_json;
    it.record = (void *)h;
    it.error = problem;
    return tt_cli_printer_item(user, &it, err);
}

static int host_id(const char *s, int32_t *id)
{
    char *end;
    long v = s != NULL ? strtol(s, &end, 10) : 0;
    if (s == NULL || *end != '\0' || v <= 0 || v > INT32_MAX)
        return tt_cli_usage_error("a VM host ID is a positive number");
    *id = (int32_t)v;
    return 0;
}

static int compose(const tt_cli_args *a)
{
    tt_maas_compose_req q;
    tt_error err;
    char sid[64];
    int32_t id = 0;
    if (host_id(a->npos > 1 ? a->pos[1] : NULL, &id) != 0)
        return TT_EXIT_USAGE;
    if (tt_cli_arg(a, "user-data") != NULL)
        return tt_cli_usage_error("compose takes no --user-data: MAAS ignores it (user data "
                                  "goes with 'maas deploy')");
    memset(&q, 0, sizeof q);
    q.cores = (int32_t)tt_cli_arg_long(a, "cores", 0);
    q.memory = tt_cli_arg_long(a, "memory", 0);
    q.cpu_speed = (int32_t)tt_cli_arg_long(a, "cpu-speed", 0);
    q.storage = tt_cli_arg(a, "storage");
    q.interfaces = tt_cli_arg(a, "interfaces");
    q.hostname = tt_cli_arg(a, "hostname");
    q.zone = tt_cli_arg(a, "zone");
    q.pool = tt_cli_arg(a, "pool");
    q.domain = tt_cli_arg(a, "domain");
    q.architecture = tt_cli_arg(a, "architecture");
    q.pinned_cores = tt_cli_arg(a, "pinned-cores");
    q.hugepages_backed = tt_cli_arg(a, "hugepages-backed") != NULL;
    q.skip_commissioning = tt_cli_arg(a, "skip-commissioning") != NULL;
    if (tt_maas_compose(&maas, id, &q, sid, sizeof sid, &err) != 0)
        return tt_cli_fail(&err);
    printf("{\"system_id\":\"%s\"}\n", sid);
    return 0;
}

/* A machine as it streams: interfaces and devices as they complete. */
static int print_machine(int rc, tt_error *err)
{
    int prc;
    if (rc != 0 && !(err->cls == TT_ERR_LIMIT || err->cls == TT_ERR_PROTOCOL) )
        return tt_cli_fail(err);
    if (machine.system_id[0] == '\0')
        return tt_cli_fail(err);
    if ((prc = tt_cli_printer_end(&printer, &machine, rc != 0 ? err : NULL)) != 0)
        return prc;
    if (rc != 0)
        return tt_cli_fail(err);
    return tt_cli_printer_status(&printer);
}

static int deploy(const tt_cli_args *a)
{
    tt_maas_deploy_req q;
    tt_error err;
    const char *ud = tt_cli_arg(a, "user-data");
    memset(&q, 0, sizeof q);
    if (ud != NULL) {
        FILE *f = fopen(ud, "rb");
        if (f == NULL)
            return tt_cli_usage_error("cannot read %s", ud);
        q.user_data_len = fread(user_data, 1, sizeof user_data, f);
        fclose(f);
        if (q.user_data_len == sizeof user_data)
            return tt_cli_usage_error("%s is larger than %zu bytes", ud, sizeof user_data - 1);
        q.user_data = user_data;
    }
    q.distro_series = tt_cli_arg(a, "distro-series");
    q.hwe_kernel = tt_cli_arg(a, "hwe-kernel");
    tt_cli_printer_init(&printer, &tt_maas_machine_json, 0);
    return print_machine(tt_maas_deploy(&maas, a->pos[1], &q, &machine, tt_cli_printer_item,
                                        &printer, &err), &err);
}

static int run(const tt_cli_args *a)
{
    const char *cmd = a->pos[0];
    tt_maas_filter f;
    tt_error err;
    int32_t id = 0;
    if (strcmp(cmd, "hosts") == 0) {
        f.type = tt_cli_arg(a, "type");
        f.zone = tt_cli_arg(a, "zone");
        f.pool = tt_cli_arg(a, "pool");
        f.tag = tt_cli_arg(a, "tag");
        tt_cli_printer_init(&printer, &tt_maas_vmhosts_json, 1);
        if (tt_maas_vmhosts(&maas, &f, list_one, &printer, &err) != 0)
            return tt_cli_fail(&err);
        return tt_cli_printer_end(&printer, NULL, NULL) != 0 ? TT_EXIT_LOCAL
                                                               : tt_cli_printer_status(&printer);
    }
    if (strcmp(cmd, "host") == 0) {
        if (host_id(a->npos > 1 ? a->pos[1] : NULL, &id) != 0)
            return TT_EXIT_USAGE;
        tt_cli_printer_init(&printer, &tt_maas_vmhosts_json, 1);
        if (tt_maas_read_vmhost(&maas, id, &host, &err) != 0 && host.id == 0)
            return tt_cli_fail(&err);
        if (list_one(&printer, &host, err.cls != TT_ERR_NONE ? &err : NULL, &err) != 0)
            return tt_cli_fail(&err);
        return tt_cli_printer_end(&printer, NULL, NULL) != 0 ? TT_EXIT_LOCAL
                                                               : tt_cli_printer_status(&printer);
    }
    if (strcmp(cmd, "compose") == 0)
        return compose(a);
    if (strcmp(cmd, "machine") == 0 && a->npos > 1) {
        tt_cli_printer_init(&printer, &tt_maas_machine_json, 0);
        return print_machine(tt_maas_read_machine(&maas, a->pos[1], &machine,
                                                  tt_cli_printer_item, &printer, &err), &err);
    }
    if (strcmp(cmd, "deploy") == 0 && a->npos > 1)
        return deploy(a);
    return tt_cli_usage_error("unknown maas command '%s' (or a missing argument)", cmd);
}

static int run_maas(tt_cli_args *a)
{
    static tt_cli_conf conf;
    tt_maas_config cfg;
    tt_port port;
    tt_error err;
    int rc;

    if ((rc = tt_cli_proto_begin(a, &conf)) >= 0)
        return rc;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = tt_cli_setting(&conf, tt_cli_arg(a, "url"), "url", "MAAS_URL", NULL);
    cfg.api_key = tt_cli_setting(&conf, tt_cli_arg(a, "api-key"), "api_key", "MAAS_API_KEY", NULL);
    cfg.max_retries = -1;
    if (tt_cli_setting_ms(&conf, a, "timeout", "timeout", NULL, &cfg.timeout_ms) != 0 ||
        tt_cli_setting_ms(&conf, a, "compose-timeout", "compose_timeout", NULL,
                          &cfg.compose_timeout_ms) != 0 ||
        tt_cli_setting_int(&conf, a, "retries", "retries", NULL, &cfg.max_retries) != 0)
        return TT_EXIT_USAGE;
    tt_cli_port_init(&a->common, &port);
    if (tt_maas_init(&maas, &port, &cfg, &err) != 0)
        return tt_cli_fail(&err);
    tt_cli_attach(&maas.client, a);
    rc = run(a);
    tt_maas_close(&maas);
    return rc;
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
