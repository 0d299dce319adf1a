/*
 * `tether vmm COMMAND`: the VM host API over mutual TLS, JSON on stdout.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#if TT_FEATURE_VMM /* else the command is left out (main.c) */
#include "tether/vmm.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

static const tt_cli_opt own[] = {
    { "address", 0, TT_CLI_TEXT, "H:P", 0, 0, NULL,
      "$TETHER_VMM_ADDRESS: the host, \"192.168.1.10:8443\"" },
    { "name", 0, TT_CLI_TEXT, "NAME", 0, 0, NULL, "$TETHER_VMM_NAME: names the host in messages" },
    { "ca", 0, TT_CLI_FILE, "FILE", 0, 0, NULL,
      "$TETHER_VMM_CA: CA of the host's certificate\n(--cacert too)" },
    { "labels", 0, TT_CLI_TEXT, "TEXT", 0, 0, NULL, "$TETHER_VMM_LABELS: free text kept with the host" },
    { "timeout", 0, TT_CLI_SECONDS, "S", 0, 0, NULL, "request timeout (default 30)" },
    { "long-timeout", 0, TT_CLI_SECONDS, "S", 0, 0, NULL, "timeout of create (default 300)" },
    { "scheme", 0, TT_CLI_TEXT, "http", 0, 0, NULL, "plain HTTP instead of mutual TLS (test hosts only)" },
    { "cpus", 0, TT_CLI_NUMBER, "N", 1, INT32_MAX, NULL, "create: virtual CPUs" },
    { "memory-mb", 0, TT_CLI_NUMBER, "N", 1, LONG_MAX, NULL, "create: memory in MiB" },
    { "disk-size-mb", 0, TT_CLI_NUMBER, "N", 1, LONG_MAX, NULL, "create: disk size in MiB" },
    { "ssh-key", 0, TT_CLI_TEXT, "KEY", 0, 0, NULL, "create: an SSH public key" },
    { "dns", 0, TT_CLI_TEXT, "IP", 0, 0, NULL, "create: a DNS server (repeatable)" },
    { "image", 0, TT_CLI_TEXT, "IMAGE", 0, 0, NULL, "create: the disk image" },
    { "kernel", 0, TT_CLI_TEXT, "KERNEL", 0, 0, NULL, "create: the kernel" },
    { "force", 0, TT_CLI_FLAG, NULL, 0, 0, NULL, "delete: a running VM too" },
};

static const tt_cli_group own_group = TT_CLI_SETTINGS(own);

static const tt_cli_group *const groups[] = {
    &own_group, &tt_cli_config_opts, &tt_cli_general_opts, &tt_cli_connect_opts,
    &tt_cli_trust_opts, NULL,
};

static int run_vmm(tt_cli_args *a);

const tt_cli_cmd tt_cli_vmm_cmd = {
    "vmm", "a VM host over mutual TLS (TLS 1.3 by default)", "tether vmm COMMAND [ARGS] [options]",
    "Commands:\n"
    "  health | status | list | get NAME | start NAME | stop NAME\n"
    "  delete NAME [--force]\n"
    "  create NAME --cpus N --memory-mb N [--disk-size-mb N] [--ssh-key KEY]\n"
    "         [--dns IP]... [--image IMAGE] [--kernel KERNEL]\n"
    "\n"
    "--cert and --key come from TETHER_VMM_CERT and TETHER_VMM_KEY too. The\n"
    "lowest TLS version is 1.3, as the host's own client has it; --tlsv1.2\n"
    "(or TETHER_VMM_TLS_MIN=1.2, tls_min = 1.2) lowers it.\n",
    groups, run_vmm,
};

static tt_vmm vmm;
static char out[TT_API_BODY_MAX];
static tt_error first_problem;   /* of a listing: the exit code it calls for */

static int print_vm(const tt_vmm_vm *vm)
{
    return tt_cli_print_record(&tt_vmm_vm_json, vm, out, sizeof out);
}

static int list_one(void *user, const tt_vmm_vm *vm, const tt_error *problem, tt_error *err)
{
    int *problems = user;
    if (problem != NULL) {
        /* that VM's own problem: said, and the listing goes on */
        fprintf(stderr, "tether: %s\n", problem->msg);
        if ((*problems)++ == 0)
            first_problem = *problem;
    }
    if (print_vm(vm) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "cannot write");
    return 0;
}

static int setup(tt_cli_args *a, tt_cli_conf *conf)
{
    tt_vmm_config cfg;
    tt_port port;
    tt_error err;
    const char *tls_min;

    memset(&cfg, 0, sizeof cfg);
    cfg.address = tt_cli_setting(conf, tt_cli_arg(a, "address"), "address", "TETHER_VMM_ADDRESS", NULL);
    cfg.name = tt_cli_setting(conf, tt_cli_arg(a, "name"), "name", "TETHER_VMM_NAME", NULL);
    /* --cert, --key and --cacert are the common TLS options' spelling */
    cfg.ca = tt_cli_setting(conf, tt_cli_arg(a, "ca") != NULL ? tt_cli_arg(a, "ca") : a->common.tls.cacert,
                            "ca", "TETHER_VMM_CA", NULL);
    cfg.cert = tt_cli_setting(conf, a->common.tls.cert, "cert", "TETHER_VMM_CERT", NULL);
    cfg.key = tt_cli_setting(conf, a->common.tls.key, "key", "TETHER_VMM_KEY", NULL);
    cfg.labels = tt_cli_setting(conf, tt_cli_arg(a, "labels"), "labels", "TETHER_VMM_LABELS", NULL);
    cfg.scheme = tt_cli_setting(conf, tt_cli_arg(a, "scheme"), "scheme", NULL, NULL);
    tls_min = tt_cli_setting(conf, a->common.tls.tls_min == TT_TLS_VERSION_1_2   ? "1.2"
                                   : a->common.tls.tls_min == TT_TLS_VERSION_1_3 ? "1.3"
                                                                                 : NULL,
                             "tls_min", "TETHER_VMM_TLS_MIN", NULL);
    if (tls_min != NULL && strcmp(tls_min, "1.2") != 0 && strcmp(tls_min, "1.3") != 0)
        return tt_cli_usage_error("TETHER_VMM_TLS_MIN wants 1.2 or 1.3");
    if (tls_min != NULL)
        cfg.tls_min_version = tls_min[2] == '2' ? TT_TLS_VERSION_1_2 : TT_TLS_VERSION_1_3;
    if (tt_cli_setting_ms(conf, a, "timeout", "timeout", NULL, &cfg.timeout_ms) != 0 ||
        tt_cli_setting_ms(conf, a, "long-timeout", "long_timeout", NULL, &cfg.long_timeout_ms) != 0)
        return TT_EXIT_USAGE;
    tt_cli_port_init(&a->common, &port);
    if (tt_vmm_init(&vmm, &port, &cfg, &err) != 0)
        return tt_cli_fail(&err);
    /* the common options (-v, --connect-timeout) apply too */
    tt_cli_attach(&vmm.client, a);
    vmm.client.cfg.connect_timeout_ms = a->common.connect_ms;
    return 0;
}

static int create(tt_cli_args *a)
{
    tt_vmm_create_req q;
    tt_vmm_vm vm;
    tt_error err;
    memset(&q, 0, sizeof q);
    if (a->npos < 2)
        return tt_cli_usage_error("create needs a NAME");
    q.name = a->pos[1];
    q.cpus = (int32_t)tt_cli_arg_long(a, "cpus", 0);
    q.memory_mb = tt_cli_arg_long(a, "memory-mb", 0);
    q.disk_size_mb = tt_cli_arg_long(a, "disk-size-mb", 0);
    q.ssh_public_key = tt_cli_arg(a, "ssh-key");
    q.ndns = tt_cli_arg_all(a, "dns", q.dns_servers, TT_VMM_DNS_MAX);
    q.image = tt_cli_arg(a, "image");
    q.kernel = tt_cli_arg(a, "kernel");
    if (tt_vmm_create(&vmm, &q, &vm, &err) != 0)
        return tt_cli_fail(&err);
    return print_vm(&vm);
}

static int run(tt_cli_args *a)
{
    const char *cmd = a->pos[0], *name = a->npos > 1 ? a->pos[1] : NULL;
    tt_vmm_vm vm;
    tt_vmm_status st;
    tt_error err;
    int rc = 0;

    if (strcmp(cmd, "create") == 0)
        return create(a);
    if (strcmp(cmd, "health") == 0) {
        if (tt_vmm_health(&vmm, &err) != 0)
            return tt_cli_fail(&err);
        return tt_cli_print_json("{\"status\":\"ok\"}", 15);
    }
    if (strcmp(cmd, "status") == 0) {
        if (tt_vmm_get_status(&vmm, &st, &err) != 0)
            return tt_cli_fail(&err);
        return tt_cli_print_record(&tt_vmm_status_json, &st, out, sizeof out);
    }
    if (strcmp(cmd, "list") == 0) {
        int problems = 0;
        if (tt_vmm_list(&vmm, list_one, &problems, NULL, &err) != 0)
            return tt_cli_fail(&err);
        return problems ? tt_cli_exit_code(&first_problem) : 0;
    }
    if (name == NULL)
        return tt_cli_usage_error("%s needs a VM NAME", cmd);
    if (strcmp(cmd, "get") == 0)
        rc = tt_vmm_get(&vmm, name, &vm, &err);
    else if (strcmp(cmd, "start") == 0)
        rc = tt_vmm_start(&vmm, name, &vm, &err);
    else if (strcmp(cmd, "stop") == 0)
        rc = tt_vmm_stop(&vmm, name, &vm, &err);
    else if (strcmp(cmd, "delete") == 0) {
        if (tt_vmm_delete(&vmm, name, tt_cli_arg(a, "force") != NULL, &err) != 0)
            return tt_cli_fail(&err);
        return tt_cli_print_json("{\"deleted\":true}", 16);
    } else
        return tt_cli_usage_error("unknown vmm command '%s'", cmd);
    return rc != 0 ? tt_cli_fail(&err) : print_vm(&vm);
}

static int run_vmm(tt_cli_args *a)
{
    static tt_cli_conf conf;
    int rc;
    if ((rc = tt_cli_proto_begin(a, &conf)) >= 0)
        return rc;
    if ((rc = setup(a, &conf)) != 0)
        return rc;
    rc = run(a);
    tt_vmm_close(&vmm);
    return rc;
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
