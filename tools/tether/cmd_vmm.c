/*
 * `tether vmm COMMAND`: the VM host API over mutual TLS, JSON on stdout.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "tether/vmm.h"

#include <string.h>

static const char usage_text[] =
    "usage: tether vmm COMMAND [ARGS] [options]\n"
    "\n"
    "Commands:\n"
    "  health | status | list | get NAME | start NAME | stop NAME\n"
    "  delete NAME [--force]\n"
    "  create NAME --cpus N --memory-mb N [--disk-size-mb N] [--ssh-key KEY]\n"
    "         [--dns IP]... [--image IMAGE] [--kernel KERNEL]\n"
    "\n"
    "Settings (flag, else environment, else --config FILE key):\n"
    "  --address H:P   TETHER_VMM_ADDRESS   the host, \"192.168.1.10:8443\"\n"
    "  --name NAME     TETHER_VMM_NAME      names the host in messages\n"
    "  --ca FILE       TETHER_VMM_CA        CA of the host's certificate\n"
    "  --cert FILE     TETHER_VMM_CERT      client certificate (PEM)\n"
    "  --key FILE      TETHER_VMM_KEY       client key (PEM)\n"
    "  --labels TEXT   TETHER_VMM_LABELS    free text kept with the host\n"
    "  --tlsv1.2       TETHER_VMM_TLS_MIN   lowest TLS version, 1.3 by default as the\n"
    "                                       host's own client; 1.2 lowers it\n"
    "  --timeout S     request timeout (30), --long-timeout S for create (300)\n"
    "  --scheme http   plain HTTP instead of mutual TLS (test hosts only)\n";

static tt_vmm vmm;
static char out[TT_API_BODY_MAX];
static tt_error first_problem;   /* of a listing: the exit code it calls for */

static void write_vm(tt_json_writer *w, const tt_vmm_vm *vm)
{
    tt_jw_object(w);
    tt_jw_key(w, "name");
    tt_jw_string(w, vm->name);
    tt_jw_key(w, "state");
    tt_jw_string(w, vm->state);
    tt_jw_key(w, "cpus");
    tt_jw_int(w, vm->cpus);
    tt_jw_key(w, "memory_mb");
    tt_jw_int(w, vm->memory_mb);
    tt_jw_key(w, "disk_size_mb");
    tt_jw_int(w, vm->disk_size_mb);
    tt_jw_kv_string(w, "image", vm->image);
    tt_jw_kv_string(w, "ip", vm->ip);
    tt_jw_kv_string(w, "created_at", vm->created_at);
    tt_jw_end(w);
}

static int print_vm(const tt_vmm_vm *vm)
{
    tt_json_writer w;
    tt_error e;
    size_t n;
    tt_jw_init(&w, out, sizeof out);
    write_vm(&w, vm);
    if (tt_jw_finish(&w, &n, &e) != 0)
        return tt_cli_fail(&e);
    return tt_cli_print_json(out, n);
}

static int print_status(const tt_vmm_status *s)
{
    tt_json_writer w;
    tt_error e;
    size_t n;
    tt_jw_init(&w, out, sizeof out);
    tt_jw_object(&w);
    tt_jw_key(&w, "hostname");
    tt_jw_string(&w, s->hostname);
    tt_jw_key(&w, "total_cpus");
    tt_jw_int(&w, s->total_cpus);
    tt_jw_key(&w, "used_cpus");
    tt_jw_int(&w, s->used_cpus);
    tt_jw_key(&w, "total_memory_mb");
    tt_jw_int(&w, s->total_memory_mb);
    tt_jw_key(&w, "used_memory_mb");
    tt_jw_int(&w, s->used_memory_mb);
    tt_jw_key(&w, "available_memory_mb");
    tt_jw_int(&w, s->available_memory_mb);
    tt_jw_key(&w, "running_vms");
    tt_jw_int(&w, s->running_vms);
    tt_jw_key(&w, "total_vms");
    tt_jw_int(&w, s->total_vms);
    tt_jw_end(&w);
    if (tt_jw_finish(&w, &n, &e) != 0)
        return tt_cli_fail(&e);
    return tt_cli_print_json(out, n);
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
    tt_port_posix_init(&port);
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
    long long cpus, mem, disk;
    memset(&q, 0, sizeof q);
    if (a->npos < 2)
        return tt_cli_usage_error("create needs a NAME");
    if (tt_cli_arg_int(a, "cpus", 0, &cpus) != 0 || tt_cli_arg_int(a, "memory-mb", 0, &mem) != 0 ||
        tt_cli_arg_int(a, "disk-size-mb", 0, &disk) != 0)
        return TT_EXIT_USAGE;
    q.name = a->pos[1];
    q.cpus = (int32_t)cpus;
    q.memory_mb = mem;
    q.disk_size_mb = disk;
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
    if (strcmp(cmd, "status") == 0)
        return tt_vmm_get_status(&vmm, &st, &err) != 0 ? tt_cli_fail(&err) : print_status(&st);
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

int tt_cli_vmm(int argc, char **argv)
{
    static tt_cli_args a;
    static tt_cli_conf conf;
    int rc;
    if ((rc = tt_cli_proto_begin(argc, argv, usage_text, "force", "vmm", &a, &conf)) >= 0)
        return rc;
    if ((rc = setup(&a, &conf)) != 0)
        return rc;
    rc = run(&a);
    tt_vmm_close(&vmm);
    return rc;
}
