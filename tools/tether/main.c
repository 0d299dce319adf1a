/* tether: the command-line program. One static binary, subcommands by name. */
#include "cli.h"

#include <string.h>

int main(int argc, char **argv)
{
    return tt_cli_http(argc, argv);
}
