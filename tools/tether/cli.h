/*
 * Shared pieces of the tether command-line program: exit codes, error
 * printing, number parsing, the trace hook and output sinks. The CLI may
 * use stdio; the library below it never does.
 */
#ifndef TT_CLI_H
#define TT_CLI_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "tether/client.h"
#include "tether/json.h"
#include "tether/port_posix.h"

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

/* A whole decimal number lo..hi into *out: 0, or -1 when it is empty, has
 * anything after the digits, overflows or is out of range (the one
 * number reader of the CLI: no atoi). */
int tt_cli_parse_long(const char *s, long lo, long hi, long *out);

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
    const char *tls_max;    /* --tls-max 1.2|1.3 */
    const char *min_rsa;    /* --tls-min-rsa-bits N */
    unsigned tls_min;       /* --tlsv1.2 / --tlsv1.3: TT_TLS_VERSION_*, 0 unset */
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

/* Option helpers: a is short s or long l; the value after option i. */
int tt_cli_is_opt(const char *a, const char *s, const char *l);
const char *tt_cli_opt_value(int argc, char **argv, int *i);

/* "host/path" without a scheme means http:// (as curl does). */
const char *tt_cli_full_url(const char *u, char *buf, size_t cap);

#define TT_CLI_MAX_HEADERS 32

/* A macro's value as a string literal. */
#define TT_CLI_STR_(x) #x
#define TT_CLI_STR(x) TT_CLI_STR_(x)

/* Options every command that talks HTTP shares: -H, -v, -s,
 * --connect-timeout, --resolve and the TLS options. */
typedef struct tt_cli_common {
    tt_header headers[TT_CLI_MAX_HEADERS];
    size_t nheaders;
    char header_store[8192];
    size_t header_used;
    int verbose;
    int silent;
    long long connect_ms;
    char resolve_host[TT_URL_HOST_MAX];
    char resolve_addr[64];
    unsigned resolve_port;
    tt_cli_tls tls;
} tt_cli_common;

void tt_cli_common_init(tt_cli_common *c);

/* Take argv[*i] when it is a common option: 1 taken, 0 not one, -1 usage
 * error (printed). */
int tt_cli_common_option(tt_cli_common *c, int argc, char **argv, int *i);

/* Apply the options to cfg (timeouts, trace, --resolve, cancel flag,
 * TLS). Returns 0 or an exit code (message printed). */
int tt_cli_common_setup(tt_cli_common *c, tt_client_config *cfg, int need_tls);

/* The generic request command (curl-like). */
int tt_cli_http(int argc, char **argv);

/* `tether events URL`: follow an event stream. */
int tt_cli_events(int argc, char **argv);

/*
 * Settings of the protocol commands, from (highest first) a flag, an
 * environment variable, or the --config file: "key = value" lines, '#'
 * comments. Keys are the flag names without dashes ("address", "ca").
 */
typedef struct tt_cli_conf {
    char store[8192];
    size_t used;
    const char *keys[64];
    const char *values[64];
    size_t n;
} tt_cli_conf;

/* Read FILE into conf; an exit code (message printed) or 0. */
int tt_cli_conf_load(tt_cli_conf *conf, const char *path);

/* The setting: flag (when non-NULL), else $env (when env is non-NULL and
 * set), else the file's key, else def. */
const char *tt_cli_setting(const tt_cli_conf *conf, const char *flag, const char *key,
                           const char *env, const char *def);

/*
 * Records printed as they stream in (cli_print.c). A tt_cli_printer is the
 * item callback of a binding: each list element is written from its table
 * as it completes, into one JSON document whose root record is written by
 * tt_cli_printer_end (lines = 0), or, for an answer that is a list, one
 * line per element (lines = 1). Elements not read whole are printed with
 * "_error" and reported on stderr; tt_cli_printer_status gives the exit
 * code they call for (0 when there were none).
 */
typedef struct tt_cli_level {
    int opened;                  /* "{" written, its members follow */
    const tt_json_field *list;   /* the list being written in it */
    size_t count;                /* elements written in that list */
    size_t members;              /* members written in it */
} tt_cli_level;

typedef struct tt_cli_printer {
    const tt_json_field *root;
    int lines;
    tt_cli_level lv[TT_JSON_BIND_LEVELS];
    unsigned long problems;
    tt_error first;
    int write_failed;
    char scratch[160 * 1024];    /* one record's members (the largest, a
                                  * plexd secret, is 64 KiB of base64) */
} tt_cli_printer;

void tt_cli_printer_init(tt_cli_printer *p, const tt_json_field *root, int lines);
int tt_cli_printer_item(void *printer, const tt_json_item *it, tt_error *err);
/* The root record (ignored in line mode) and its own problem, or NULL:
 * 0 or an exit code (message printed). */
int tt_cli_printer_end(tt_cli_printer *p, const void *root_record, const tt_error *problem);
int tt_cli_printer_status(const tt_cli_printer *p);

/* Print a JSON document that a writer built, with a newline. */
int tt_cli_print_json(const char *json, size_t len);

/* Arguments of a protocol command: positionals, "--name value" options
 * (repeatable), and boolean switches named in `switches` (" force detach ").
 * TLS and common options go to common (may be NULL). */
typedef struct tt_cli_args {
    const char *pos[8];
    size_t npos;
    const char *names[48];
    const char *values[48];
    size_t nopts;
    tt_cli_common common;
    const char *config;          /* --config FILE */
} tt_cli_args;

int tt_cli_args_parse(tt_cli_args *a, int argc, char **argv, const char *switches);

/* The last value of --name, or NULL; switches read as "1". */
const char *tt_cli_arg(const tt_cli_args *a, const char *name);

/* All values of a repeatable --name, in order, into out[max]; the count. */
size_t tt_cli_arg_all(const tt_cli_args *a, const char *name, const char **out, size_t max);

/* A whole number option (or def); -1 printed as a usage error when bad. */
int tt_cli_arg_int(const tt_cli_args *a, const char *name, long long def, long long *out);

/*
 * The start every protocol command shares: help (-h or no arguments),
 * arguments (switches as for tt_cli_args_parse), a command word, the
 * --config file. Returns -1 to go on, else the exit code to return.
 */
int tt_cli_proto_begin(int argc, char **argv, const char *usage, const char *switches,
                       const char *group, tt_cli_args *a, tt_cli_conf *conf);

/* A duration setting (flag --NAME, config key, env) in ms into *ms, left
 * alone when unset: 0, or the usage exit code (message printed). */
int tt_cli_setting_ms(const tt_cli_conf *conf, const tt_cli_args *a, const char *name,
                      const char *key, const char *env, int64_t *ms);

/* A whole-number setting in [lo, hi] into *out, left alone when unset: 0,
 * or the usage exit code (message printed). */
int tt_cli_setting_int(const tt_cli_conf *conf, const tt_cli_args *a, const char *name,
                       const char *key, const char *env, long lo, long hi, int *out);

/* Hook a protocol client to the CLI: signals cancel it, -v traces it. */
void tt_cli_attach(tt_client *c, const tt_cli_args *a);

/* The protocol command groups. */
int tt_cli_vmm(int argc, char **argv);
int tt_cli_pool(int argc, char **argv);
int tt_cli_sky(int argc, char **argv);
int tt_cli_maas(int argc, char **argv);
int tt_cli_plexd(int argc, char **argv);

#endif
