/* tether: the command-line program. One static binary, subcommands by name. */
#include "cli.h"

#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "events") == 0)
        return tt_cli_events(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "vmm") == 0)
        return tt_cli_vmm(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "pool") == 0)
        return tt_cli_pool(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "sky") == 0)
        return tt_cli_sky(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "maas") == 0)
        return tt_cli_maas(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "plexd") == 0)
        return tt_cli_plexd(argc - 1, argv + 1);
    return tt_cli_http(argc, argv);
}
