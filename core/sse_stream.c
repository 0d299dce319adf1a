/*
 * The event-stream engine: one explicit state machine around repeated
 * streaming requests. Waiting is done in port sleeps that the stop flag
 * cuts short, so a stop is seen within TT_PORT_POLL_SLICE_MS.
 */
#include "tether/config.h"
#if TT_FEATURE_SSE

#include "tether/sse_stream.h"
#include "tether/backoff.h"

#include <string.h>

/* What one attempt came to. */
enum {
    OUT_NONE,
    OUT_ENDED,       /* a stream was open and ended (closed, dead, reset) */
    OUT_RETRY,       /* no stream: network, 5xx, wrong content type */
    OUT_RETRY_AFTER, /* 429 */
    OUT_AUTH,        /* 401 */
    OUT_NO_CONTENT,  /* 204: the server says stop */
    OUT_PERMANENT,   /* 403, 404, other 4xx, usage errors */
    OUT_STOPPED,     /* tt_sse_stop */
    OUT_CALLER       /* the event callback returned -1 */
};

const char *tt_sse_state_name(tt_sse_state s)
{
    static const char *const names[] = {
        "disconnected", "connecting", "connected", "backoff", "polling", "stopped"
    };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

void tt_sse_config_default(tt_sse_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->backoff_base_ms = TT_SSE_BACKOFF_BASE_MS;
    cfg->backoff_max_ms = TT_SSE_BACKOFF_MAX_MS;
    cfg->jitter_pct = TT_SSE_JITTER_PCT;
    cfg->healthy_ms = TT_SSE_HEALTHY_MS;
    cfg->idle_timeout_ms = TT_SSE_IDLE_TIMEOUT_MS;
    cfg->poll_after_ms = TT_SSE_POLL_AFTER_MS;
    cfg->poll_interval_ms = TT_SSE_POLL_INTERVAL_MS;
}

static int64_t now(const tt_sse_stream *s)
{
    const tt_port *p = &s->client->port;
    return p->ops->now_ms(p->ctx);
}

int tt_sse_stream_init(tt_sse_stream *s, tt_client *client, tt_sse_parser *parser,
                       const tt_sse_config *cfg, tt_error *err)
{
    memset(s, 0, sizeof *s);
    if (cfg == NULL || cfg->url == NULL)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                            "event stream: no URL");
    if (cfg->nheaders > TT_SSE_HEADERS_MAX)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                            "event stream: more than TT_SSE_HEADERS_MAX (%u) headers",
                            (unsigned)TT_SSE_HEADERS_MAX);
    if (cfg->backoff_base_ms < 0 || cfg->backoff_max_ms < cfg->backoff_base_ms ||
        cfg->jitter_pct > 100)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                            "event stream: bad backoff settings");
    s->cfg = *cfg;
    s->client = client;
    s->parser = parser;
    s->state = TT_SSE_DISCONNECTED;
    s->stop_flag = cfg->cancel != NULL ? cfg->cancel : &s->stop;
    client->cfg.cancel = s->stop_flag;
    return 0;
}

void tt_sse_stop(tt_sse_stream *s)
{
    *s->stop_flag = 1;
}

static void enter(tt_sse_stream *s, tt_sse_state to, int64_t delay, const tt_error *why)
{
    tt_sse_state from = s->state;
    s->state = to;
    if (s->cfg.on_state != NULL && from != to)
        s->cfg.on_state(s->cfg.user, from, to, delay, why);
}

/* ---- backoff -------------------------------------------------------------------- */

/* The server's retry: field replaces the configured base. */
static int64_t base_ms(const tt_sse_stream *s)
{
    return s->parser->retry_ms >= 0 ? s->parser->retry_ms : s->cfg.backoff_base_ms;
}

int64_t tt_sse_backoff_ms(const tt_sse_stream *s, unsigned failures)
{
    return tt_backoff_ms(base_ms(s), s->cfg.backoff_max_ms, failures);
}

int64_t tt_sse_jitter_ms(const tt_sse_stream *s, int64_t delay, uint16_t rnd)
{
    return tt_jitter_ms(delay, s->cfg.jitter_pct, rnd);
}

static int64_t next_delay(tt_sse_stream *s)
{
    return tt_backoff_jittered(&s->client->port, base_ms(s), s->cfg.backoff_max_ms,
                               s->cfg.jitter_pct, s->stats.failures++);
}

/* ---- one attempt ------------------------------------------------------------------ */

static int is_event_stream(const char *ct)
{
    static const char want[] = "text/event-stream";
    size_t i;
    for (i = 0; i < sizeof want - 1; i++) {
        char c = ct[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != want[i])
            return 0;
    }
    return ct[i] == '\0' || ct[i] == ';' || ct[i] == ' ' || ct[i] == '\t';
}

static int classify_status(int status)
{
    if (status == 204)
        return OUT_NO_CONTENT;
    if (status == 401)
        return OUT_AUTH;
    if (status == 429)
        return OUT_RETRY_AFTER;
    if (status == 408 || status >= 500 || status < 400)
        return OUT_RETRY;
    return OUT_PERMANENT;
}

static int on_head(void *user, const tt_response *res, tt_error *err)
{
    tt_sse_stream *s = user;
    const char *host = s->client->url.host;
    if (res->status == 200 && is_event_stream(res->content_type)) {
        s->outcome = OUT_ENDED;
        s->connected_at_ms = now(s);
        s->last_ok_ms = s->connected_at_ms;
        s->stats.opened++;
        s->polling = 0;
        enter(s, TT_SSE_CONNECTED, 0, NULL);
        return 0;
    }
    s->retry_after = res->retry_after;
    if (res->status == 200) {
        s->outcome = OUT_RETRY;
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_SSE_CONTENT_TYPE, host,
                            "not an event stream (Content-Type \"%s\")", res->content_type);
    }
    s->outcome = classify_status(res->status);
    if (s->outcome == OUT_NO_CONTENT)
        return tt_error_set(err, TT_ERR_HTTP, TT_E_HTTP_STATUS, host,
                            "HTTP 204: the server ended the event stream");
    return tt_error_from_status(err, host, res->status, res->retry_after);
}

static int on_body(void *user, const unsigned char *data, size_t len, tt_error *err)
{
    tt_sse_stream *s = user;
    if (tt_sse_feed(s->parser, (const char *)data, len, err) != 0) {
        s->outcome = OUT_CALLER;
        return -1;
    }
    return 0;
}

static size_t build_headers(tt_sse_stream *s)
{
    size_t n = 0, i;
    s->hdrs[n].name = "Accept";
    s->hdrs[n++].value = "text/event-stream";
    s->hdrs[n].name = "Cache-Control";
    s->hdrs[n++].value = "no-cache";
    for (i = 0; i < s->cfg.nheaders; i++)
        s->hdrs[n++] = s->cfg.headers[i];
    if (s->parser->last_id_len > 0) {
        s->parser->last_id[s->parser->last_id_len] = '\0';
        s->hdrs[n].name = "Last-Event-ID";
        s->hdrs[n++].value = s->parser->last_id;
    }
    return n;
}

static int attempt(tt_sse_stream *s)
{
    tt_request rq;
    tt_response res;
    int rc;

    memset(&rq, 0, sizeof rq);
    rq.url = s->cfg.url;
    rq.headers = s->hdrs;
    rq.nheaders = build_headers(s);
    rq.max_redirects = -1;
    rq.stream = 1;
    rq.idle_timeout_ms = s->cfg.idle_timeout_ms;
    rq.on_head = on_head;
    rq.on_body = on_body;
    rq.user = s;
    s->outcome = OUT_NONE;
    s->retry_after = -1;
    s->stats.attempts++;
    enter(s, TT_SSE_CONNECTING, 0, NULL);
    rc = tt_client_request(s->client, &rq, &res, &s->why);
    tt_sse_end_of_stream(s->parser);
    if (*s->stop_flag)
        return OUT_STOPPED;
    if (s->outcome == OUT_ENDED) {
        /* the stream was open: it ended one way or another */
        if (rc == 0)
            tt_error_set(&s->why, TT_ERR_NETWORK, TT_E_EOF, s->client->url.host,
                         "the server closed the event stream");
        tt_client_close(s->client);
        s->last_ok_ms = now(s);
        if (s->last_ok_ms - s->connected_at_ms >= s->cfg.healthy_ms)
            s->stats.failures = 0;
        return OUT_ENDED;
    }
    tt_client_close(s->client);
    if (s->outcome != OUT_NONE)
        return s->outcome;
    /* failed before a response head */
    return s->why.cls == TT_ERR_USAGE ? OUT_PERMANENT : OUT_RETRY;
}

/* ---- waiting ----------------------------------------------------------------------- */

static void poll_now(tt_sse_stream *s)
{
    tt_error e;
    tt_error_clear(&e);
    s->stats.polls++;
    if (s->cfg.poll(s->cfg.user, &e) != 0 && s->cfg.on_state != NULL)
        s->cfg.on_state(s->cfg.user, TT_SSE_POLLING, TT_SSE_POLLING, 0, &e);
}

/* Wait `delay` ms before the next attempt, polling meanwhile when the
 * stream has been down for poll_after_ms. 0, or -1 when stopped. */
static int wait_for(tt_sse_stream *s, int64_t delay)
{
    const tt_port *p = &s->client->port;
    int64_t t = now(s), until = t + delay;

    if (s->cfg.poll != NULL && !s->polling && t - s->last_ok_ms >= s->cfg.poll_after_ms) {
        s->polling = 1;
        s->next_poll_ms = t;
    }
    enter(s, s->polling ? TT_SSE_POLLING : TT_SSE_BACKOFF, delay, &s->why);
    for (;;) {
        int64_t step;
        if (*s->stop_flag)
            return -1;
        t = now(s);
        /* the stream first: a poll that takes longer than the interval
         * must not starve the next attempt */
        if (t >= until)
            return 0;
        if (s->polling && t >= s->next_poll_ms) {
            poll_now(s);
            s->next_poll_ms = now(s) + s->cfg.poll_interval_ms;
            continue;
        }
        step = until - t;
        if (s->polling && s->next_poll_ms - t < step)
            step = s->next_poll_ms - t;
        if (p->ops->sleep_ms(p->ctx, step, s->stop_flag) != TT_PORT_OK)
            return -1;
        /* entering polling can also happen during a long backoff */
        if (s->cfg.poll != NULL && !s->polling &&
            now(s) - s->last_ok_ms >= s->cfg.poll_after_ms) {
            s->polling = 1;
            s->next_poll_ms = now(s);
            enter(s, TT_SSE_POLLING, until - now(s), &s->why);
        }
    }
}

/* The wait after an attempt, by its outcome; -1 for "do not retry". */
static int64_t delay_for(tt_sse_stream *s, int outcome, int *auth_retries)
{
    switch (outcome) {
    case OUT_ENDED:
    case OUT_RETRY:
        *auth_retries = 0;
        return next_delay(s);
    case OUT_RETRY_AFTER:
        *auth_retries = 0;
        if (s->retry_after >= 0) {
            /* honoured, up to the longest backoff: a stream is never
             * parked for hours because a server said so */
            int64_t ms = (int64_t)s->retry_after * 1000;
            s->stats.failures++;
            return ms < s->cfg.backoff_max_ms ? ms : s->cfg.backoff_max_ms;
        }
        return next_delay(s);
    case OUT_AUTH:
        if (s->cfg.on_auth == NULL || !s->cfg.on_auth(s->cfg.user, &s->why))
            return -1;
        /* a new token is tried at once; a second 401 in a row backs off */
        return (*auth_retries)++ == 0 ? 0 : next_delay(s);
    default:
        return -1;
    }
}

int tt_sse_stream_run(tt_sse_stream *s, tt_error *err)
{
    int auth_retries = 0;

    tt_error_clear(err);
    s->last_ok_ms = now(s);
    for (;;) {
        int outcome;
        int64_t delay;
        if (*s->stop_flag)
            break;
        outcome = attempt(s);
        if (outcome == OUT_STOPPED)
            break;
        if (outcome == OUT_NO_CONTENT) {
            enter(s, TT_SSE_STOPPED, 0, &s->why);
            return 0;
        }
        delay = delay_for(s, outcome, &auth_retries);
        if (delay < 0) {
            enter(s, TT_SSE_STOPPED, 0, &s->why);
            *err = s->why;
            return -1;
        }
        if (wait_for(s, delay) != 0)
            break;
    }
    enter(s, TT_SSE_STOPPED, 0, NULL);
    return 0;
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
