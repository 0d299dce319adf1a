/*
 * Shared pieces of the tether command-line program: exit codes, error
 * printing, number parsing, the trace hook and output sinks. The CLI may
 * use stdio; the library below it never does.
 */
#ifndef TT_CLI_H
#define TT_CLI_H

#include <signal.h>
#include <stdio.h>

#include "client.h"
#include "port_posix.h"

/* Exit codes: documented in --help and README; scripts branch on them. */
enum {
    TT_EXIT_OK = 0,
    TT_EXIT_LOCAL = 1,     /* local failure: output file, stdin */
    TT_EXIT_USAGE = 2,     /* bad option, URL or configuration */
    TT_EXIT_NETWORK = 3,   /* resolve, connect, reset, closed early */
    TT_EXIT_TIMEOUT = 4,   /* connect, request or idle timeout */
    TT_EXIT_TLS = 5,       /* handshake or certificate failure */
    TT_EXIT_PROTOCOL = 6,  /* the server broke HTTP/JSON/SSE rules */
    TT_EXIT_LIMIT = 7,     /* a configured size limit was reached */
    TT_EXIT_HTTP = 8,      /* HTTP status >= 400 (with -f, and API calls) */
    TT_EXIT_API = 9,       /* the API answered with an error envelope */
    TT_EXIT_CANCELLED = 10 /* interrupted by a signal */
};

/* Exit code for an error class. */
int tt_cli_exit_code(const tt_error *err);

/* Print "tether: <message>" to stderr and return the exit code. */
int tt_cli_fail(const tt_error *err);

/* Print "tether: <text>" to stderr and return TT_EXIT_USAGE. */
int tt_cli_usage_error(const char *fmt, ...);

/* Seconds as a decimal ("2", "0.5", "10m" and "1h" accepted too) into
 * milliseconds; -1 when invalid or not positive. */
long long tt_cli_parse_seconds(const char *s);

/* The trace hook: writes each line to stderr. */
void tt_cli_trace(void *user, const char *line);

/* Cancellation flag set by SIGINT/SIGTERM once tt_cli_signals() ran. */
extern volatile sig_atomic_t tt_cli_cancel;
void tt_cli_signals(void);

/* Body sink writing to a FILE* (user); fails on write errors. */
int tt_cli_write_body(void *user, const unsigned char *data, size_t len,
                      tt_error *err);

/* The generic request command (curl-like). */
int tt_cli_http(int argc, char **argv);

#endif
