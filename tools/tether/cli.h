/*
 * Shared pieces of the tether command-line program: exit codes, error
 * printing, number parsing, the option tables and their parser, the trace
 * hook and output sinks. The CLI may use stdio; the library below it
 * never does.
 */
#ifndef TT_CLI_H
#define TT_CLI_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "tether/client.h"
#include "tether/json.h"
#include "tether/port_posix.h"

/* Exit codes: scripts branch on them. Their text for --help and the man
 * page is the table in cli_opt.c; README.md and docs/cli.md list them too. */
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

/* A duration (tt_duration_ms: "2", "0.5", "10m", "1h") in milliseconds;
 * -1 when invalid, not positive, or longer than 30 days. */
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

/*
 * Options: one table per command drives parsing, --help and the man page.
 * A tt_cli_opt is one option; a tt_cli_group a table of them, either a
 * command's own or one that several commands share (TLS, -v, ...); a
 * command lists its groups, its own first.
 */
struct tt_cli_args;
struct tt_cli_cmd;

typedef enum tt_cli_kind {
    TT_CLI_FLAG,     /* no value: records `arg`, or "1" when that is NULL */
    TT_CLI_TEXT,     /* any text */
    TT_CLI_FILE,     /* a file name, read or written when the command runs */
    TT_CLI_NUMBER,   /* a whole number lo..hi (tt_cli_parse_long) */
    TT_CLI_SECONDS   /* a duration (tt_cli_parse_seconds) */
} tt_cli_kind;

typedef struct tt_cli_opt {
    const char *name;     /* long spelling, without "--" */
    char letter;          /* short spelling (-x), or 0 */
    tt_cli_kind kind;
    const char *arg;      /* the value's name in help ("FILE"); of a flag, what it records */
    long lo, hi;          /* TT_CLI_NUMBER: the range */
    const char *key;      /* recorded under this name (--capath as cacert); NULL: name */
    const char *help;     /* what it does; '\n' continues the line */
} tt_cli_opt;

typedef struct tt_cli_group {
    const char *title;    /* heading in help and man; NULL: under the previous one */
    const tt_cli_opt *opts;
    size_t n;
} tt_cli_group;

#define TT_CLI_GROUP(title, opts) { title, opts, sizeof opts / sizeof opts[0] }
/* A protocol command's own settings, each read by tt_cli_setting. */
#define TT_CLI_SETTINGS(opts) \
    TT_CLI_GROUP("Settings (flag, else environment, else --config FILE key)", opts)

/* The shared groups (cli.c, cli_tls.c). */
extern const tt_cli_group tt_cli_general_opts;   /* -h, -v: every command */
extern const tt_cli_group tt_cli_silent_opts;    /* -s */
extern const tt_cli_group tt_cli_connect_opts;   /* --connect-timeout */
extern const tt_cli_group tt_cli_request_opts;   /* -H, --resolve */
extern const tt_cli_group tt_cli_trust_opts;     /* --cacert, --cert, --key, --tlsv1.x */
extern const tt_cli_group tt_cli_tls_opts;       /* -k, pins, --tls-time, --tls-max, ... */
extern const tt_cli_group tt_cli_config_opts;    /* --config */

/* TLS options, as parsed. */
typedef struct tt_cli_tls {
    const char *cacert;     /* --cacert FILE|DIR (--capath DIR) */
    const char *cert;       /* --cert FILE */
    const char *key;        /* --key FILE (default: the --cert file) */
    const char *pins;       /* --pinnedpubkey sha256//... */
    const char *time;       /* --tls-time system|floor|UNIX-SECONDS */
    const char *tls_max;    /* --tls-max 1.2|1.3 */
    long min_rsa;           /* --tls-min-rsa-bits N, 0 unset */
    unsigned tls_min;       /* --tlsv1.2 / --tlsv1.3: TT_TLS_VERSION_*, 0 unset */
    int insecure;           /* -k */
} tt_cli_tls;

/* Load what the options name and fill cfg (static storage inside).
 * `need` is 1 when https may be used; without --cacert the system bundle
 * /etc/ssl/certs/ca-certificates.crt is loaded then. Returns 0 or an exit
 * code (message printed). */
int tt_cli_tls_setup(const tt_cli_tls *o, int need, tt_client_config *cfg);

/* "host/path" without a scheme means http:// (as curl does). */
const char *tt_cli_full_url(const char *u, char *buf, size_t cap);

#define TT_CLI_MAX_HEADERS 32

/* A macro's value as a string literal. */
#define TT_CLI_STR_(x) #x
#define TT_CLI_STR(x) TT_CLI_STR_(x)

/* What the shared options say, once parsed. */
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
    tt_port_posix_config port_cfg; /* --dns-servers */
    tt_cli_tls tls;
} tt_cli_common;

/* Read the shared options of a into c: 0, or TT_EXIT_USAGE (printed). */
int tt_cli_common_read(tt_cli_common *c, const struct tt_cli_args *a);
void tt_cli_tls_read(tt_cli_tls *o, const struct tt_cli_args *a);

/* The POSIX port with c's name-resolution options (c must outlive it). */
void tt_cli_port_init(const tt_cli_common *c, tt_port *port);

/* Apply the options to cfg (timeouts, trace, --resolve, cancel flag,
 * TLS). Returns 0 or an exit code (message printed). */
int tt_cli_common_setup(tt_cli_common *c, tt_client_config *cfg, int need_tls);

/* A command line, parsed by its command's table: positionals, and the
 * options in the order given, each under its key (repeatable ones once
 * per use); the shared ones read into common. */
#define TT_CLI_MAX_POS 8
#define TT_CLI_MAX_OPTS 64

typedef struct tt_cli_args {
    const struct tt_cli_cmd *cmd;
    const char *pos[TT_CLI_MAX_POS];
    size_t npos;
    const char *names[TT_CLI_MAX_OPTS];
    const char *values[TT_CLI_MAX_OPTS];
    size_t nopts;
    tt_cli_common common;
} tt_cli_args;

/* A command: its name (NULL for the request command, `tether URL`), one
 * line for `tether --help`, its usage lines, what it does (its
 * subcommands), its option groups (NULL-terminated) and what runs it. */
typedef struct tt_cli_cmd {
    const char *name;
    const char *summary;
    const char *usage;
    const char *text;
    const tt_cli_group *const *groups;
    int (*run)(tt_cli_args *a);
} tt_cli_cmd;

/* Run the command named by argv[1] (cmds[0], the request command, when
 * none is): -h, -V, --man, parsing, then its run. cmds ends with NULL. */
int tt_cli_main(const tt_cli_cmd *const *cmds, int argc, char **argv);

/* Parse argv[1..] by cmd's table into a: 0, or TT_EXIT_USAGE (message
 * printed: an unknown option with the nearest one, a missing value, a
 * bad number). */
int tt_cli_parse(const tt_cli_cmd *cmd, int argc, char **argv, tt_cli_args *a);

/* The option of cmd spelt --name, or NULL. */
const tt_cli_opt *tt_cli_find(const tt_cli_cmd *cmd, const char *name);

/* How far apart two words are (Levenshtein), counted up to 255. */
unsigned tt_cli_distance(const char *a, const char *b);

/* Print cmd's usage (generated from its table). */
void tt_cli_help(const tt_cli_cmd *const *cmds, const tt_cli_cmd *cmd, FILE *out);

/* Print the man page tether.1 (roff) of every command. */
int tt_cli_man(const tt_cli_cmd *const *cmds);

/* Print the version, TLS backend and features. */
int tt_cli_version(void);

/* The commands (one file each). */
extern const tt_cli_cmd tt_cli_request_cmd;
extern const tt_cli_cmd tt_cli_events_cmd;
extern const tt_cli_cmd tt_cli_vmm_cmd;
extern const tt_cli_cmd tt_cli_pool_cmd;
extern const tt_cli_cmd tt_cli_sky_cmd;
extern const tt_cli_cmd tt_cli_maas_cmd;
extern const tt_cli_cmd tt_cli_plexd_cmd;

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

/* Print one record by its table (a TT_JSON_ROOT_OBJ field: the one that
 * bound it) as one JSON line, built in buf[cap]: an exit code. */
int tt_cli_print_record(const tt_json_field *root, const void *rec, char *buf, size_t cap);

/* Finish w (whose buffer is the text) and print it: an exit code. */
int tt_cli_print_writer(tt_json_writer *w);

/* The one URL a request command takes (its only positional argument):
 * 0 with *url set, or the usage exit code. */
int tt_cli_one_url(const tt_cli_args *a, const char **url);

/* The last value of --name (its key), or NULL; flags read as "1". */
const char *tt_cli_arg(const tt_cli_args *a, const char *name);

/* The values of a repeatable --name, in order, the first max into out;
 * how many were given (more than max when some did not fit). */
size_t tt_cli_arg_all(const tt_cli_args *a, const char *name, const char **out, size_t max);

/* A number option, already checked against its range by tt_cli_parse, or def. */
long tt_cli_arg_long(const tt_cli_args *a, const char *name, long def);

/*
 * The start every protocol command shares: a command word, the --config
 * file, the signal handlers. Returns -1 to go on, else the exit code.
 */
int tt_cli_proto_begin(const tt_cli_args *a, tt_cli_conf *conf);

/* A duration setting (flag --NAME, config key, env) in ms into *ms, left
 * alone when unset: 0, or the usage exit code (message printed). */
int tt_cli_setting_ms(const tt_cli_conf *conf, const tt_cli_args *a, const char *name,
                      const char *key, const char *env, int64_t *ms);

/* A whole-number setting in the range of its option (--NAME) into *out,
 * left alone when unset: 0, or the usage exit code (message printed). */
int tt_cli_setting_int(const tt_cli_conf *conf, const tt_cli_args *a, const char *name,
                       const char *key, const char *env, int *out);

/* Hook a protocol client to the CLI: signals cancel it, -v traces it. */
void tt_cli_attach(tt_client *c, const tt_cli_args *a);

#endif
