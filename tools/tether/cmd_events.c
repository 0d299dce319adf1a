/*
 * `tether events URL`: follow a text/event-stream for as long as it lives,
 * reconnecting, and either print each event as one JSON line or run a
 * command per event -- so that an initramfs hook or a shell script can
 * react to a control plane's pushes.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#if TT_FEATURE_SSE /* else the command is left out (main.c) */
#include "tether/json.h"
#include "tether/sse_stream.h"

#include <errno.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct events_opts {
    tt_cli_common *c;
    const char *url;
    const char *last_id;
    const char *exec;
    long long idle_ms;
    unsigned long max_events;    /* 0: no limit */
} events_opts;

typedef struct events_run {
    events_opts *o;
    tt_sse_stream stream;
    unsigned long seen;
    int exec_failed;
} events_run;

static const tt_cli_opt own[] = {
    { "last-event-id", 0, TT_CLI_TEXT, "ID", 0, 0, NULL, "resume after this event id" },
    { "exec", 0, TT_CLI_TEXT, "CMD", 0, 0, NULL,
      "run CMD (with /bin/sh) per event instead of printing:\n"
      "data on its stdin, TETHER_EVENT_TYPE and\nTETHER_EVENT_ID in its environment" },
    { "max-events", 0, TT_CLI_NUMBER, "N", 1, LONG_MAX, NULL, "exit 0 after N events" },
    { "idle-timeout", 0, TT_CLI_SECONDS, "S", 0, 0, NULL,
      "no byte for S seconds: reconnect (default 90)" },
};

static const tt_cli_group own_group = TT_CLI_GROUP("Options", own);

static const tt_cli_group *const groups[] = {
    &own_group, &tt_cli_general_opts, &tt_cli_silent_opts, &tt_cli_request_opts,
    &tt_cli_connect_opts, &tt_cli_trust_opts, &tt_cli_tls_opts, NULL,
};

static int run(tt_cli_args *a);

const tt_cli_cmd tt_cli_events_cmd = {
    "events", "follow a Server-Sent Events stream: a JSON line or a command per event",
    "tether events URL [options]",
    "Follows a Server-Sent Events stream, reconnecting with backoff and\n"
    "Last-Event-ID, and prints each event as one JSON line:\n"
    "  {\"type\":\"message\",\"id\":\"42\",\"data\":\"...\"}\n"
    "It exits 0 when the server ends the stream (204) or --max-events is\n"
    "reached, 10 when interrupted, otherwise as requests do (8 for 403/404).\n"
    "Reconnects and dropped events are reported on stderr unless -s.\n",
    groups, run,
};

static int read_args(events_opts *o, tt_cli_args *a)
{
    const char *idle = tt_cli_arg(a, "idle-timeout");
    memset(o, 0, sizeof *o);
    o->c = &a->common;
    if (tt_cli_one_url(a, &o->url) != 0)
        return TT_EXIT_USAGE;
    o->last_id = tt_cli_arg(a, "last-event-id");
    o->exec = tt_cli_arg(a, "exec");
    o->max_events = (unsigned long)tt_cli_arg_long(a, "max-events", 0);
    o->idle_ms = idle != NULL ? tt_cli_parse_seconds(idle) : TT_SSE_IDLE_TIMEOUT_MS;
    return 0;
}

/* One event as a JSON line on stdout. */
static int print_event(const tt_sse_event *ev, tt_error *err)
{
    static char line[6 * TT_SSE_EVENT_MAX + 6 * TT_SSE_TYPE_MAX + 6 * TT_SSE_ID_MAX + 64];
    tt_json_writer w;
    size_t n;
    tt_jw_init(&w, line, sizeof line);
    tt_jw_object(&w);
    tt_jw_key(&w, "type");
    tt_jw_string_n(&w, ev->type, ev->type_len);
    tt_jw_key(&w, "id");
    tt_jw_string_n(&w, ev->id, ev->id_len);
    tt_jw_key(&w, "data");
    tt_jw_string_n(&w, ev->data, ev->data_len);
    tt_jw_end(&w);
    if (tt_jw_finish(&w, &n, err) != 0)
        return -1;
    line[n++] = '\n';
    if (fwrite(line, 1, n, stdout) != n || fflush(stdout) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                            "cannot write to stdout");
    return 0;
}

static void child_exec(const char *cmd, const tt_sse_event *ev, int in_fd)
{
    static char type[TT_SSE_TYPE_MAX], id[TT_SSE_ID_MAX];
    memcpy(type, ev->type, ev->type_len);
    type[ev->type_len] = '\0';
    memcpy(id, ev->id, ev->id_len);
    id[ev->id_len] = '\0';
    dup2(in_fd, 0);
    close(in_fd);
    setenv("TETHER_EVENT_TYPE", type, 1);
    setenv("TETHER_EVENT_ID", id, 1);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
}

/* Run the --exec command with the event: data on stdin. */
static int exec_event(const char *cmd, const tt_sse_event *ev, tt_error *err)
{
    int fds[2], status;
    size_t off = 0;
    pid_t pid;

    if (pipe(fds) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "pipe: %s",
                            strerror(errno));
    pid = fork();
    if (pid == 0) {
        close(fds[1]);
        child_exec(cmd, ev, fds[0]);
    }
    close(fds[0]);
    while (pid > 0 && off < ev->data_len) {
        ssize_t k = write(fds[1], ev->data + off, ev->data_len - off);
        if (k <= 0)
            break; /* the command did not read it all: its business */
        off += (size_t)k;
    }
    close(fds[1]);
    if (pid < 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "fork: %s",
                            strerror(errno));
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                            "--exec command failed for event id '%.*s' (status %d)",
                            (int)ev->id_len, ev->id,
                            WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}

static int on_event(void *user, const tt_sse_event *ev, tt_error *err)
{
    events_run *r = user;
    int rc;
    if (r->o->max_events > 0 && r->seen >= r->o->max_events)
        return 0; /* the rest of the piece being parsed */
    if (r->o->exec != NULL) {
        /* a failing command is reported; the stream goes on */
        tt_error e;
        if (exec_event(r->o->exec, ev, &e) != 0 && !r->o->c->silent)
            fprintf(stderr, "tether: %s\n", e.msg);
        rc = 0;
    } else {
        rc = print_event(ev, err);
    }
    if (rc == 0 && r->o->max_events > 0 && ++r->seen >= r->o->max_events)
        tt_sse_stop(&r->stream);
    return rc;
}

static void on_drop(void *user, const tt_error *why)
{
    events_run *r = user;
    if (!r->o->c->silent)
        fprintf(stderr, "tether: %s\n", why->msg);
}

static void on_state(void *user, tt_sse_state from, tt_sse_state to, int64_t delay,
                     const tt_error *why)
{
    events_run *r = user;
    if (r->o->c->verbose)
        fprintf(stderr, "* events: %s -> %s\n", tt_sse_state_name(from), tt_sse_state_name(to));
    if ((to == TT_SSE_BACKOFF || to == TT_SSE_POLLING) && !r->o->c->silent && why != NULL)
        fprintf(stderr, "tether: %s; reconnecting in %lld ms\n", why->msg, (long long)delay);
}

static int run(tt_cli_args *a)
{
    static events_opts o;
    static events_run r;
    static tt_client client;
    static tt_sse_parser parser;
    static char event_buf[TT_SSE_EVENT_MAX];
    static char urlbuf[TT_URL_MAX];
    tt_client_config cfg;
    tt_sse_config scfg;
    tt_error err;
    tt_port port;
    int rc;

    if ((rc = read_args(&o, a)) != 0)
        return rc;
    tt_cli_signals();
    tt_cli_port_init(&a->common, &port);
    tt_client_config_default(&cfg);
    tt_sse_config_default(&scfg);
    scfg.url = tt_cli_full_url(o.url, urlbuf, sizeof urlbuf);
    if ((rc = tt_cli_common_setup(o.c, &cfg, strncmp(scfg.url, "https:", 6) == 0)) != 0)
        return rc;
    if (tt_client_init(&client, &port, &cfg, &err) != 0)
        return tt_cli_fail(&err);
    r.o = &o;
    tt_sse_init(&parser, event_buf, sizeof event_buf, on_event, on_drop, &r);
    if (o.last_id != NULL && tt_sse_set_last_id(&parser, o.last_id, strlen(o.last_id)) != 0)
        return tt_cli_usage_error("--last-event-id is too long (max %d bytes)",
                                  TT_SSE_ID_MAX - 1);
    scfg.headers = o.c->headers;
    scfg.nheaders = o.c->nheaders;
    scfg.idle_timeout_ms = o.idle_ms;
    scfg.on_state = on_state;
    scfg.user = &r;
    scfg.cancel = &tt_cli_cancel;
    if (tt_sse_stream_init(&r.stream, &client, &parser, &scfg, &err) != 0)
        return tt_cli_fail(&err);
    rc = tt_sse_stream_run(&r.stream, &err);
    tt_client_close(&client);
    if (rc != 0)
        return o.c->silent ? tt_cli_exit_code(&err) : tt_cli_fail(&err);
    if (o.max_events > 0 && r.seen >= o.max_events)
        return 0;
    if (tt_cli_cancel)
        return TT_EXIT_CANCELLED;
    return 0;
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
