/*
 * The option tables at work: one parser, the --help text and the man page
 * are all read from each command's groups, so that an option exists,
 * is checked and is documented in one place.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <limits.h>
#include <string.h>

#include "tether/gzip.h"

/* Help: the option column, then what it does. */
#define HELP_COLUMN 28

/* The exit codes as scripts read them: --help and EXIT STATUS. */
static const struct {
    int code;
    const char *what;
} exits[] = {
    { TT_EXIT_OK, "ok" },
    { TT_EXIT_LOCAL, "local failure: output file, stdin" },
    { TT_EXIT_USAGE, "usage: bad option, number, URL, header or configuration" },
    { TT_EXIT_NETWORK, "network: resolve, connect, reset, closed early" },
    { TT_EXIT_TIMEOUT, "timeout: connect, request or idle" },
    { TT_EXIT_TLS, "TLS: handshake or certificate failure" },
    { TT_EXIT_PROTOCOL, "protocol: the server broke HTTP, JSON or SSE rules" },
    { TT_EXIT_LIMIT, "a configured size limit was reached" },
    { TT_EXIT_HTTP, "HTTP status >= 400 (with -f, and API calls)" },
    { TT_EXIT_API, "the API answered with an error envelope" },
    { TT_EXIT_CANCELLED, "cancelled by SIGINT or SIGTERM" },
};

/* ---- finding options ------------------------------------------------------ */

const tt_cli_opt *tt_cli_find(const tt_cli_cmd *cmd, const char *name)
{
    const tt_cli_group *const *g;
    size_t i;
    for (g = cmd->groups; *g != NULL; g++)
        for (i = 0; i < (*g)->n; i++)
            if (strcmp((*g)->opts[i].name, name) == 0)
                return &(*g)->opts[i];
    return NULL;
}

static const tt_cli_opt *find_letter(const tt_cli_cmd *cmd, char letter)
{
    const tt_cli_group *const *g;
    size_t i;
    for (g = cmd->groups; *g != NULL; g++)
        for (i = 0; i < (*g)->n; i++)
            if ((*g)->opts[i].letter == letter)
                return &(*g)->opts[i];
    return NULL;
}

/* The option argv spells ("--name" or "-x"), or NULL. */
static const tt_cli_opt *lookup(const tt_cli_cmd *cmd, const char *arg)
{
    if (arg[0] == '-' && arg[1] == '-')
        return tt_cli_find(cmd, arg + 2);
    if (arg[0] == '-' && arg[1] != '\0' && arg[2] == '\0')
        return find_letter(cmd, arg[1]);
    return NULL;
}

#define WORD_MAX 64

unsigned tt_cli_distance(const char *a, const char *b)
{
    /* two rows of the edit-distance table; words are short (option
     * names), longer ones are as far as anything gets */
    unsigned row[2][WORD_MAX + 1];
    size_t la = strlen(a), lb = strlen(b), i, j;
    if (la > WORD_MAX || lb > WORD_MAX)
        return 255;
    for (j = 0; j <= lb; j++)
        row[0][j] = (unsigned)j;
    for (i = 1; i <= la; i++) {
        unsigned *prev = row[(i - 1) & 1], *cur = row[i & 1];
        cur[0] = (unsigned)i;
        for (j = 1; j <= lb; j++) {
            unsigned sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            unsigned del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    }
    return row[la & 1][lb] > 255 ? 255 : row[la & 1][lb];
}

/* The option of cmd nearest to what was typed, when it is near enough to
 * be what was meant: at most two edits, and fewer than the word has. */
static const tt_cli_opt *nearest(const tt_cli_cmd *cmd, const char *typed)
{
    const tt_cli_group *const *g;
    const tt_cli_opt *best = NULL;
    unsigned best_d = 3, d;
    size_t i;
    for (g = cmd->groups; *g != NULL; g++)
        for (i = 0; i < (*g)->n; i++) {
            d = tt_cli_distance(typed, (*g)->opts[i].name);
            if (d < best_d && d < strlen(typed)) {
                best = &(*g)->opts[i];
                best_d = d;
            }
        }
    return best;
}

/* "tether" or "tether pool", for messages. */
static const char *title(const tt_cli_cmd *cmd, char *buf, size_t cap)
{
    snprintf(buf, cap, "tether%s%s", cmd->name != NULL ? " " : "",
             cmd->name != NULL ? cmd->name : "");
    return buf;
}

static int unknown_option(const tt_cli_cmd *cmd, const char *arg)
{
    const char *typed = arg;
    const tt_cli_opt *near;
    char t[32];
    while (*typed == '-')
        typed++;
    near = nearest(cmd, typed);
    if (near != NULL)
        fprintf(stderr, "tether: unknown option %s for '%s'; did you mean --%s?\n", arg,
                title(cmd, t, sizeof t), near->name);
    else
        fprintf(stderr, "tether: unknown option %s for '%s' (see %s --help)\n", arg,
                title(cmd, t, sizeof t), t);
    return TT_EXIT_USAGE;
}

/* ---- parsing -------------------------------------------------------------- */

/* A number or duration is read whole when it is given, so that a bad one
 * is a usage error before anything is sent. */
static int check_value(const tt_cli_cmd *cmd, const tt_cli_opt *o, const char *spelt,
                       const char *v)
{
    char t[32];
    long n;
    if (o->kind == TT_CLI_NUMBER && tt_cli_parse_long(v, o->lo, o->hi, &n) != 0) {
        if (o->hi == LONG_MAX)
            fprintf(stderr, "tether: bad %s '%s' for '%s': a whole number, %ld or more\n",
                    spelt, v, title(cmd, t, sizeof t), o->lo);
        else
            fprintf(stderr, "tether: bad %s '%s' for '%s': a whole number, %ld to %ld\n",
                    spelt, v, title(cmd, t, sizeof t), o->lo, o->hi);
        return TT_EXIT_USAGE;
    }
    if (o->kind == TT_CLI_SECONDS && tt_cli_parse_seconds(v) < 0) {
        fprintf(stderr, "tether: bad %s '%s' for '%s': seconds (\"2\", \"0.5\", \"10m\", \"1h\")\n",
                spelt, v, title(cmd, t, sizeof t));
        return TT_EXIT_USAGE;
    }
    return 0;
}

/* Take the option at argv[*i] (and its value): 0 or an exit code. */
static int take_option(const tt_cli_cmd *cmd, int argc, char **argv, int *i, tt_cli_args *a)
{
    const char *arg = argv[*i], *v;
    const tt_cli_opt *o = lookup(cmd, arg);
    int rc;
    if (o == NULL)
        return unknown_option(cmd, arg);
    if (a->nopts == TT_CLI_MAX_OPTS)
        return tt_cli_usage_error("more than %d options", TT_CLI_MAX_OPTS);
    if (o->kind == TT_CLI_FLAG) {
        v = o->arg != NULL ? o->arg : "1";
    } else {
        if (*i + 1 >= argc)
            return tt_cli_usage_error("option %s needs a value", arg);
        v = argv[++*i];
        if ((rc = check_value(cmd, o, arg, v)) != 0)
            return rc;
    }
    a->names[a->nopts] = o->key != NULL ? o->key : o->name;
    a->values[a->nopts++] = v;
    return 0;
}

int tt_cli_parse(const tt_cli_cmd *cmd, int argc, char **argv, tt_cli_args *a)
{
    int i, rc;
    memset(a, 0, sizeof *a);
    a->cmd = cmd;
    for (i = 1; i < argc; i++) {
        /* "-" alone is a name (standard input, for some) */
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            if ((rc = take_option(cmd, argc, argv, &i, a)) != 0)
                return rc;
            continue;
        }
        if (a->npos == TT_CLI_MAX_POS)
            return tt_cli_usage_error("too many arguments");
        a->pos[a->npos++] = argv[i];
    }
    return tt_cli_common_read(&a->common, a);
}

/* ---- help ----------------------------------------------------------------- */

/* "  -X, --request METHOD" */
static void spelling(const tt_cli_opt *o, char *buf, size_t cap)
{
    int n = o->letter ? snprintf(buf, cap, "  -%c, --%s", o->letter, o->name)
                      : snprintf(buf, cap, "      --%s", o->name);
    if (o->kind != TT_CLI_FLAG && n > 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, " %s", o->arg);
}

static void help_option(const tt_cli_opt *o, FILE *out)
{
    char left[96];
    const char *h;
    spelling(o, left, sizeof left);
    if (strlen(left) + 2 > HELP_COLUMN)
        fprintf(out, "%s\n%*s", left, HELP_COLUMN, "");
    else
        fprintf(out, "%-*s", HELP_COLUMN, left);
    for (h = o->help; *h != '\0'; h++) {
        fputc(*h, out);
        if (*h == '\n')
            fprintf(out, "%*s", HELP_COLUMN, "");
    }
    fputc('\n', out);
}

static void help_commands(const tt_cli_cmd *const *cmds, FILE *out)
{
    size_t i;
    fputs("\nCommands (tether COMMAND --help for each one's usage):\n", out);
    for (i = 1; cmds[i] != NULL; i++)
        fprintf(out, "  %-8s %s\n", cmds[i]->name, cmds[i]->summary);
}

void tt_cli_help(const tt_cli_cmd *const *cmds, const tt_cli_cmd *cmd, FILE *out)
{
    const tt_cli_group *const *g;
    size_t i;
    fprintf(out, "usage: %s\n", cmd->usage);
    if (cmd->text != NULL)
        fprintf(out, "\n%s", cmd->text);
    if (cmd->name == NULL && cmds != NULL)
        help_commands(cmds, out);
    for (g = cmd->groups; *g != NULL; g++) {
        if ((*g)->title != NULL)
            fprintf(out, "\n%s:\n", (*g)->title);
        for (i = 0; i < (*g)->n; i++)
            help_option(&(*g)->opts[i], out);
    }
    fputs("\nExit codes:\n", out);
    for (i = 0; i < sizeof exits / sizeof exits[0]; i++)
        fprintf(out, "  %2d  %s\n", exits[i].code, exits[i].what);
}

/* ---- the man page ----------------------------------------------------------- */

/* How roff() lays text out. */
enum {
    ROFF_FILL,       /* line breaks become spaces: a filled paragraph */
    ROFF_LINES,      /* lines kept (in .nf) */
    ROFF_FLUSH       /* lines kept, their indentation dropped (usage lines) */
};

/* Text for roff: backslashes and hyphens escaped, a line that would
 * start with a control character made plain. */
static void roff(const char *s, int layout)
{
    int bol = 1, join = layout == ROFF_FILL;
    for (; *s != '\0'; s++) {
        if (bol && layout == ROFF_FLUSH && *s == ' ')
            continue;
        if (bol && (*s == '.' || *s == '\''))
            fputs("\\&", stdout);
        bol = 0;
        if (*s == '\\')
            fputs("\\e", stdout);
        else if (*s == '-')
            fputs("\\-", stdout);
        else if (*s == '\n' && join)
            fputc(' ', stdout);
        else
            fputc(*s, stdout);
        if (*s == '\n' && !join)
            bol = 1;
    }
}

static void man_option(const tt_cli_opt *o)
{
    fputs(".TP\n", stdout);
    if (o->letter)
        printf("\\fB\\-%c\\fR, ", o->letter);
    fputs("\\fB\\-\\-", stdout);
    roff(o->name, ROFF_FILL);
    fputs("\\fR", stdout);
    if (o->kind != TT_CLI_FLAG) {
        fputs(" \\fI", stdout);
        roff(o->arg, ROFF_FILL);
        fputs("\\fR", stdout);
    }
    fputc('\n', stdout);
    roff(o->help, ROFF_FILL);
    fputc('\n', stdout);
}

static void man_command(const tt_cli_cmd *cmd)
{
    const tt_cli_group *const *g;
    size_t i;
    if (cmd->name != NULL) {
        fputs(".SH \"TETHER ", stdout);
        for (i = 0; cmd->name[i] != '\0'; i++)
            fputc(cmd->name[i] >= 'a' && cmd->name[i] <= 'z' ? cmd->name[i] - 32 : cmd->name[i],
                  stdout);
        fputs("\"\n", stdout);
    } else {
        fputs(".SH REQUESTS\n", stdout);
    }
    fputs(".nf\n", stdout);
    roff(cmd->usage, ROFF_FLUSH);
    fputs("\n", stdout);
    if (cmd->text != NULL) {
        fputs("\n", stdout);
        roff(cmd->text, ROFF_LINES);
    }
    fputs(".fi\n", stdout);
    for (g = cmd->groups; *g != NULL; g++) {
        if ((*g)->title != NULL) {
            fputs(".SS \"", stdout);
            roff((*g)->title, ROFF_FILL);
            fputs("\"\n", stdout);
        }
        for (i = 0; i < (*g)->n; i++)
            man_option(&(*g)->opts[i]);
    }
}

int tt_cli_man(const tt_cli_cmd *const *cmds)
{
    size_t i;
    printf(".TH TETHER 1 \"\" \"tether %s\" \"User Commands\"\n", TT_VERSION);
    fputs(".SH NAME\ntether \\- control\\-plane client for appliances, BMCs and boot hooks\n"
          ".SH SYNOPSIS\n.nf\n"
          "\\fBtether\\fR [\\fIoptions\\fR] \\fIURL\\fR\n"
          "\\fBtether\\fR \\fICOMMAND\\fR [\\fIARGS\\fR] [\\fIoptions\\fR]\n"
          ".fi\n.SH DESCRIPTION\n"
          "One static program: an HTTP client with curl's options (\\fBtether\\fR \\fIURL\\fR),\n"
          "and the commands below. Results go to standard output (JSON for the\n"
          "commands), messages to standard error, and the exit status says what\n"
          "failed.\n",
          stdout);
    for (i = 1; cmds[i] != NULL; i++) {
        printf(".TP\n.B %s\n", cmds[i]->name);
        roff(cmds[i]->summary, ROFF_FILL);
        fputc('\n', stdout);
    }
    for (i = 0; cmds[i] != NULL; i++)
        man_command(cmds[i]);
    fputs(".SH \"EXIT STATUS\"\n", stdout);
    for (i = 0; i < sizeof exits / sizeof exits[0]; i++) {
        printf(".TP\n.B %d\n", exits[i].code);
        roff(exits[i].what, ROFF_FILL);
        fputc('\n', stdout);
    }
    fputs(".SH \"SEE ALSO\"\n.BR curl (1),\n.BR openssl (1)\n", stdout);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "tether: cannot write to stdout\n");
        return TT_EXIT_LOCAL;
    }
    return 0;
}

/* ---- version and dispatch ---------------------------------------------------- */

int tt_cli_version(void)
{
    const char *tls = NULL, *gzip = tt_gzip_version();
#if TT_FEATURE_TLS
    tls = tt_tls_backend();
#endif
    printf("tether %s\n", TT_VERSION);
    printf("tls: %s\n", tls != NULL ? tls : "no (TT_FEATURE_TLS 0)");
    printf("gzip: %s%s\n", gzip != NULL ? gzip : "no (TT_FEATURE_GZIP 0)",
           gzip != NULL && !TT_FEATURE_GZIP_REQUEST ? ", inflate only" : "");
    /* libsodium's version.h is generated by its configure, which the
     * build does not run: its version is not known here */
    printf("ed25519: %s\n", TT_FEATURE_ED25519 ? "libsodium (verification only)"
                                               : "no (TT_FEATURE_ED25519 0)");
    printf("features:%s%s%s%s%s%s%s%s%s\n", TT_FEATURE_SSE ? " sse" : "",
           TT_FEATURE_JSON_WRITE ? " json-write" : "", TT_FEATURE_JSON_BIND ? " json-bind" : "",
           TT_FEATURE_JSON_STREAM ? " json-stream" : "", TT_FEATURE_VMM ? " vmm" : "",
           TT_FEATURE_PLEXD ? " plexd" : "", TT_FEATURE_MAAS ? " maas" : "",
           TT_FEATURE_SKYPILOT ? " skypilot" : "", TT_FEATURE_POOLMGR ? " poolmgr" : "");
    printf("profile: %s\n", TT_PROFILE_NAME);
    return fflush(stdout) != 0 ? TT_EXIT_LOCAL : 0;
}

/* Whether argv asks for the option `name` of cmd anywhere: -h and -V win
 * over everything else on the line, as with curl. */
static int asks(const tt_cli_cmd *cmd, int argc, char **argv, const char *name)
{
    const tt_cli_opt *o;
    int i;
    for (i = 1; i < argc; i++)
        if ((o = lookup(cmd, argv[i])) != NULL && strcmp(o->name, name) == 0)
            return 1;
    return 0;
}

int tt_cli_main(const tt_cli_cmd *const *cmds, int argc, char **argv)
{
    static tt_cli_args a;
    const tt_cli_cmd *cmd = cmds[0];
    size_t i;
    int rc;
    if (argc > 1 && strcmp(argv[1], "--man") == 0)
        return tt_cli_man(cmds);
    for (i = 1; argc > 1 && cmds[i] != NULL; i++)
        if (strcmp(argv[1], cmds[i]->name) == 0) {
            cmd = cmds[i];
            argc--;
            argv++;
            break;
        }
    if (asks(cmd, argc, argv, "help")) {
        tt_cli_help(cmds, cmd, stdout);
        return fflush(stdout) != 0 ? TT_EXIT_LOCAL : 0;
    }
    if (asks(cmd, argc, argv, "version"))
        return tt_cli_version();
    if ((rc = tt_cli_parse(cmd, argc, argv, &a)) != 0)
        return rc;
    return cmd->run(&a);
}
