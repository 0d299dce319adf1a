/* tether: the command-line program. One static binary, subcommands by name. */
#include "cli.h"

/* The request command first: it runs when argv[1] names no other. */
static const tt_cli_cmd *const commands[] = {
    &tt_cli_request_cmd,
#if TT_FEATURE_SSE
    &tt_cli_events_cmd,
#endif
#if TT_FEATURE_VMM
    &tt_cli_vmm_cmd,
#endif
#if TT_FEATURE_PLEXD
    &tt_cli_plexd_cmd,
#endif
#if TT_FEATURE_MAAS
    &tt_cli_maas_cmd,
#endif
#if TT_FEATURE_SKYPILOT
    &tt_cli_sky_cmd,
#endif
#if TT_FEATURE_POOLMGR
    &tt_cli_pool_cmd,
#endif
    NULL,
};

int main(int argc, char **argv)
{
    return tt_cli_main(commands, argc, argv);
}
