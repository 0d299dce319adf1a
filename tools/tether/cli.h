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

/* TLS options shared by every command that talks https. */
typedef struct tt_cli_tls {
    const char *cacert;     /* --cacert FILE|DIR (--capath DIR) */
    const char *cert;       /* --cert FILE */
    const char *key;        /* --key FILE (default: the --cert file) */
    const char *pins;       /* --pinnedpubkey sha256//... */
    const char *time;       /* --tls-time system|floor|UNIX-SECONDS */
    int insecure;           /* -k */
} tt_cli_tls;

/* If argv[*i] is a TLS option, take it (and its value) and return 1; 0
 * when it is not one; -1 (usage error printed) when its value is missing. */
int tt_cli_tls_option(tt_cli_tls *o, int argc, char **argv, int *i);

/* Load what the options name and fill cfg (static storage inside).
 * `need` is 1 when https may be used; without --cacert the system bundle
 * /etc/ssl/certs/ca-certificates.crt is loaded then. Returns 0 or an exit
 * code (message printed). */
int tt_cli_tls_setup(const tt_cli_tls *o, int need, tt_client_config *cfg);

/* Help lines for the TLS options. */
extern const char tt_cli_tls_help[];

/* The generic request command (curl-like). */
int tt_cli_http(int argc, char **argv);

#endif
