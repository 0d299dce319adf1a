/*
 * `tether pool COMMAND`: the GPU pool manager daemon, JSON on stdout.
 * Errors are never hidden: an unavailable daemon exits non-zero.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#if TT_FEATURE_POOLMGR /* else the command is left out (main.c) */
#include "tether/poolmgr.h"

#include <string.h>

static const tt_cli_opt own[] = {
    { "url", 0, TT_CLI_TEXT, "URL", 0, 0, NULL,
      "$POOL_MANAGERD_URL; default http://127.0.0.1:9200" },
    { "token", 0, TT_CLI_TEXT, "T", 0, 0, NULL, "$LLORCH_API_TOKEN: bearer token for pool status" },
    { "timeout", 0, TT_CLI_SECONDS, "S", 0, 0, NULL, "per request (default 5)" },
};

static const tt_cli_group own_group = TT_CLI_SETTINGS(own);

static const tt_cli_group *const groups[] = {
    &own_group, &tt_cli_config_opts, &tt_cli_general_opts, NULL,
};

static int run(tt_cli_args *a);

const tt_cli_cmd tt_cli_pool_cmd = {
    "pool", "the GPU pool manager (poolmgr)", "tether pool COMMAND [ARGS] [options]",
    "Commands:\n"
    "  health              the daemon's health\n"
    "  status POOL_ID      a pool's status\n"
    "  available           exit 0 when the daemon answers its health check\n",
    groups, run,
};

static tt_pool pool;
static char out[4096];

static int run(tt_cli_args *a)
{
    static tt_cli_conf conf;
    tt_pool_config cfg;
    tt_pool_health h;
    tt_pool_status st;
    tt_port port;
    tt_error err;
    const char *cmd;
    int rc;

    if ((rc = tt_cli_proto_begin(a, &conf)) >= 0)
        return rc;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = tt_cli_setting(&conf, tt_cli_arg(a, "url"), "url", "POOL_MANAGERD_URL", NULL);
    cfg.token = tt_cli_setting(&conf, tt_cli_arg(a, "token"), "token", "LLORCH_API_TOKEN", NULL);
    if (tt_cli_setting_ms(&conf, a, "timeout", "timeout", NULL, &cfg.timeout_ms) != 0)
        return TT_EXIT_USAGE;
    tt_cli_port_init(&a->common, &port);
    if (tt_pool_init(&pool, &port, &cfg, &err) != 0)
        return tt_cli_fail(&err);
    tt_cli_attach(&pool.client, a);
    cmd = a->pos[0];
    if (strcmp(cmd, "health") == 0)
        rc = tt_pool_get_health(&pool, &h, &err) != 0
                 ? tt_cli_fail(&err)
                 : tt_cli_print_record(&tt_pool_health_json, &h, out, sizeof out);
    else if (strcmp(cmd, "status") == 0 && a->npos > 1)
        rc = tt_pool_get_status(&pool, a->pos[1], &st, &err) != 0
                 ? tt_cli_fail(&err)
                 : tt_cli_print_record(&tt_pool_status_json, &st, out, sizeof out);
    else if (strcmp(cmd, "available") == 0)
        rc = tt_pool_is_available(&pool, &err) ? tt_cli_print_json("{\"available\":true}", 18)
                                               : tt_cli_fail(&err);
    else
        rc = tt_cli_usage_error("unknown pool command '%s' (status needs a POOL_ID)", cmd);
    tt_pool_close(&pool);
    return rc;
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
