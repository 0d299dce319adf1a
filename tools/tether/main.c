/* tether: the command-line program. One static binary, subcommands by name. */
#include "cli.h"

/* The request command first: it runs when argv[1] names no other. */
static const tt_cli_cmd *const commands[] = {
    &tt_cli_request_cmd, &tt_cli_events_cmd, &tt_cli_vmm_cmd, &tt_cli_plexd_cmd,
    &tt_cli_maas_cmd, &tt_cli_sky_cmd, &tt_cli_pool_cmd, NULL,
};

int main(int argc, char **argv)
{
    return tt_cli_main(commands, argc, argv);
}
