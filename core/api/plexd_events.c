/*
 * plexd's event manager: the SSE engine on /v1/nodes/{id}/events, signed
 * envelopes decoded and checked, handlers by event type, and FetchState as
 * the polling fallback.
 */
#include "tether/config.h"
#if TT_FEATURE_PLEXD

#include "tether/plexd.h"

#include <stddef.h>
#include <string.h>

const char *const tt_plexd_event_types[12] = {
    "peer_added", "peer_removed", "peer_key_rotated", "peer_endpoint_changed",
    "policy_updated", "action_request", "session_revoked", "ssh_session_setup",
    "rotate_keys", "signing_key_rotated", "node_state_updated", "node_secrets_updated"
};

static const tt_json_field envelope_fields[] = {
    TT_JSON_STR(tt_plexd_envelope, event_type, "event_type", TT_JF_REQUIRED),
    TT_JSON_STR(tt_plexd_envelope, event_id, "event_id", TT_JF_REQUIRED),
    TT_JSON_STR(tt_plexd_envelope, issued_at, "issued_at", TT_JF_OMIT),
    TT_JSON_STR(tt_plexd_envelope, nonce, "nonce", TT_JF_OMIT),
    TT_JSON_STR(tt_plexd_envelope, key_id, "key_id", TT_JF_OMIT),
    TT_JSON_STR(tt_plexd_envelope, signature, "signature", TT_JF_OMIT),
    TT_JSON_RAW(tt_plexd_envelope, payload, "payload", 0),
};
const tt_json_field tt_plexd_envelope_json = TT_JSON_ROOT_OBJ(tt_plexd_envelope, envelope_fields);

static void report(tt_plexd_events *E, const tt_plexd_envelope *env, const tt_error *why)
{
    if (E->report != NULL)
        E->report(E->user, env, why);
}

static int type_matches(const char *want, const char *type)
{
    return want == NULL || strcmp(want, type) == 0;
}

/* Go's time.Time{} (what an absent issued_at leaves): 0001-01-01T00:00:00Z. */
static const tt_rfc3339_time zero_time = { -62135596800LL, 0, 0 };

int tt_plexd_envelope_decode(tt_json *doc, const char *json, size_t len,
                             tt_plexd_envelope *env, tt_error *err)
{
    memset(env, 0, sizeof *env);
    env->issued = zero_time;
    /* a member twice, anywhere in the envelope or its payload, could mean
     * one thing to the signer and another here: malformed */
    if (tt_json_parse(doc, json, len, err) != 0 || tt_json_check_unique(doc, err) != 0 ||
        tt_json_bind(doc, 0, envelope_fields, sizeof envelope_fields / sizeof envelope_fields[0],
                     env, err) != 0)
        return -1;
    if (env->event_type[0] == '\0' || env->event_id[0] == '\0')
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_JSON_MISSING, NULL,
                            "envelope without event_type or event_id");
    if (env->issued_at[0] != '\0' &&
        tt_rfc3339_parse_time(env->issued_at, strlen(env->issued_at), &env->issued) != 0)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_JSON_TYPE, NULL,
                            "%s: issued_at is not an RFC 3339 time", env->event_id);
    return 0;
}

/* Verified, or unsigned and allowed: 0; else -1 with e set. */
static int checked(tt_plexd_events *E, const tt_plexd_envelope *env, tt_error *e)
{
    if (E->keys != NULL)
        return tt_plexd_verify(E->keys, env, e);
    if (E->verify != NULL && E->verify(E->verify_user, env, e) != 0) {
        if (e->cls == TT_ERR_NONE)
            tt_error_set(e, TT_ERR_PROTOCOL, TT_E_SSE_REJECTED, NULL, "envelope rejected");
        return -1;
    }
    return 0;
}

/* signing_key_rotated, once dispatched: its keys check the next events
 * (the event itself was checked with the keys before it). */
static void rotate(tt_plexd_events *E, const tt_plexd_envelope *env)
{
    static const tt_json_field f[] = {
        TT_JSON_STR(tt_plexd_signing_keys, current, "current", TT_JF_REQUIRED),
        TT_JSON_STR(tt_plexd_signing_keys, previous, "previous", 0),
        TT_JSON_STR(tt_plexd_signing_keys, transition_expires, "transition_expires", 0),
    };
    tt_plexd_signing_keys sk;
    tt_error e;
    memset(&sk, 0, sizeof sk);
    if (tt_json_parse(&E->doc, env->payload.p, env->payload.n, &e) != 0 ||
        tt_json_bind(&E->doc, 0, f, sizeof f / sizeof f[0], &sk, &e) != 0 ||
        tt_plexd_keys_install(E->keys, &sk, &e) != 0) {
        E->handler_errors++;
        report(E, env, &e);
        return;
    }
    E->rotations++;
}

/* The SSE parser's callback: one event's data is one envelope. */
static int on_event(void *user, const tt_sse_event *ev, tt_error *err)
{
    tt_plexd_events *E = user;
    tt_plexd_envelope env;
    tt_error e;
    size_t i;
    int any = 0;

    (void)err;
    tt_error_clear(&e);
    if (tt_plexd_envelope_decode(&E->doc, ev->data, ev->data_len, &env, &e) != 0) {
        E->malformed++;
        report(E, NULL, &e);
        return 0;
    }
    if (checked(E, &env, &e) != 0) {
        E->rejected++;
        report(E, &env, &e);
        return 0;
    }
    for (i = 0; i < E->nhandlers; i++) {
        const tt_plexd_handler *h = &E->handlers[i];
        if (!type_matches(h->type, env.event_type))
            continue;
        any = 1;
        tt_error_clear(&e);
        if (h->fn(h->user, &env, &e) != 0) {
            E->handler_errors++;
            report(E, &env, &e);
        }
    }
    if (any)
        E->delivered++;
    if (E->keys != NULL && strcmp(env.event_type, "signing_key_rotated") == 0)
        rotate(E, &env);
    return 0;
}

/* Before every connection: the current token (it may have been swapped). */
static void refresh_auth(tt_plexd_events *E)
{
    char token[TT_API_TOKEN_MAX];
    tt_api_token_copy(&E->plexd->api, token, sizeof token);
    tt_fmt(E->auth_value, sizeof E->auth_value, "Bearer %s", token);
}

static void on_state(void *user, tt_sse_state from, tt_sse_state to, int64_t delay,
                     const tt_error *why)
{
    tt_plexd_events *E = user;
    (void)from;
    (void)delay;
    (void)why;
    if (to == TT_SSE_CONNECTING)
        refresh_auth(E);
}

/* 401: the token may have been swapped meanwhile; try once more with it. */
static int on_auth(void *user, const tt_error *why)
{
    tt_plexd_events *E = user;
    char before[sizeof E->auth_value];
    (void)why;
    memcpy(before, E->auth_value, sizeof before);
    refresh_auth(E);
    return strcmp(before, E->auth_value) != 0;
}

static int poll_state(void *user, tt_error *err)
{
    tt_plexd_events *E = user;
    E->polls++;
    if (tt_plexd_fetch_state(E->plexd, &E->state, E->on_state_item, E->user, err) != 0)
        return -1;
    /* the state's keys are the control plane's word too (the agent's
     * reconcile installs them) */
    if (E->keys != NULL && E->state.signing_keys.current[0] != '\0') {
        tt_error e;
        if (tt_plexd_keys_install(E->keys, &E->state.signing_keys, &e) != 0)
            report(E, NULL, &e);
    }
    if (E->on_state != NULL)
        E->on_state(E->user, &E->state);
    return 0;
}

int tt_plexd_events_init(tt_plexd_events *ev, tt_plexd *p, tt_error *err)
{
    tt_client_config cc;
    memset(ev, 0, sizeof *ev);
    if (p->node_id[0] == '\0')
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, p->api.label,
                            "plexd events: no node id (register first)");
    ev->plexd = p;
    cc = p->client.cfg;
    if (tt_client_init(&ev->client, &p->client.port, &cc, err) != 0)
        return -1;
    if (tt_fmt(ev->url, sizeof ev->url, "%s/v1/nodes/%s/events", p->api.base, p->node_id) >=
        sizeof ev->url)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_LIMIT_URL, p->api.label,
                            "plexd events URL longer than TT_URL_MAX (%d)", TT_URL_MAX);
    refresh_auth(ev);
    ev->auth.name = "Authorization";
    ev->auth.value = ev->auth_value;
    tt_sse_init(&ev->parser, ev->event_buf, sizeof ev->event_buf, on_event, NULL, ev);
    tt_sse_config_default(&ev->scfg);
    ev->scfg.url = ev->url;
    ev->scfg.headers = &ev->auth;
    ev->scfg.nheaders = 1;
    ev->scfg.idle_timeout_ms = p->cfg.sse_idle_timeout_ms > 0 ? p->cfg.sse_idle_timeout_ms : 90000;
    ev->scfg.on_state = on_state;
    ev->scfg.on_auth = on_auth;
    ev->scfg.poll = poll_state;
    ev->scfg.user = ev;
    return tt_sse_stream_init(&ev->stream, &ev->client, &ev->parser, &ev->scfg, err);
}

int tt_plexd_on(tt_plexd_events *ev, const char *type, tt_plexd_event_fn fn, void *user,
                tt_error *err)
{
    if (ev->nhandlers >= TT_SSE_HANDLERS_MAX)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_SSE_HANDLERS, NULL,
                            "more than TT_SSE_HANDLERS_MAX (%u) event handlers",
                            (unsigned)TT_SSE_HANDLERS_MAX);
    ev->handlers[ev->nhandlers].type = type;
    ev->handlers[ev->nhandlers].fn = fn;
    ev->handlers[ev->nhandlers].user = user;
    ev->nhandlers++;
    return 0;
}

int tt_plexd_events_run(tt_plexd_events *ev, tt_error *err)
{
    int rc;
    if (ev->keys == NULL && ev->verify == NULL && !ev->insecure_unsigned)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, ev->plexd->api.label,
                            "plexd events: no signing key to verify events with (keys), and "
                            "unsigned events not allowed (insecure_unsigned)");
    /* the configuration may have been changed between init and run */
    ev->stream.cfg = ev->scfg;
    rc = tt_sse_stream_run(&ev->stream, err);
    tt_client_close(&ev->client);
    return rc;
}

/* ---- canonical bytes for signatures ------------------------------------------------ */


/* One string byte as Go's encoder writes it with HTML escaping on. */
static void go_char(tt_text *c, const unsigned char *s, size_t *i, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b = s[*i];
    char u[6] = { '\\', 'u', '0', '0', 0, 0 };
    if (b == '"' || b == '\\') {
        char e[2] = { '\\', (char)b };
        tt_text_put(c, e, 2);
    } else if (b == '\n') {
        tt_text_put(c, "\\n", 2);
    } else if (b == '\b') {
        tt_text_put(c, "\\b", 2); /* Go 1.22 and later; \u0008 before */
    } else if (b == '\f') {
        tt_text_put(c, "\\f", 2);
    } else if (b == '\r') {
        tt_text_put(c, "\\r", 2);
    } else if (b == '\t') {
        tt_text_put(c, "\\t", 2);
    } else if (b < 0x20 || b == '<' || b == '>' || b == '&') {
        u[4] = hex[b >> 4];
        u[5] = hex[b & 15];
        tt_text_put(c, u, 6);
    } else if (b == 0xe2 && *i + 2 < n && s[*i + 1] == 0x80 && (s[*i + 2] == 0xa8 || s[*i + 2] == 0xa9)) {
        tt_text_put(c, s[*i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
        *i += 2;
    } else {
        tt_text_put(c, (const char *)&s[*i], 1);
    }
}

static void go_string(tt_text *c, const char *s)
{
    size_t i, n = strlen(s);
    tt_text_put(c, "\"", 1);
    for (i = 0; i < n; i++)
        go_char(c, (const unsigned char *)s, &i, n);
    tt_text_put(c, "\"", 1);
}

/* Raw JSON compacted as Go's json.Compact with HTML escaping: whitespace
 * outside strings goes; <, >, & and U+2028/9 inside strings are escaped;
 * escapes already there stay as they are. */
static void go_compact(tt_text *c, const char *p, size_t n)
{
    size_t i;
    int in_str = 0;
    for (i = 0; i < n; i++) {
        unsigned char b = (unsigned char)p[i];
        if (!in_str) {
            if (b == ' ' || b == '\t' || b == '\n' || b == '\r')
                continue;
            in_str = b == '"';
            tt_text_put(c, &p[i], 1);
        } else if (b == '\\' && i + 1 < n) {
            tt_text_put(c, &p[i], 2);
            i++;
        } else if (b == '"') {
            in_str = 0;
            tt_text_put(c, &p[i], 1);
        } else if (b == '<' || b == '>' || b == '&' || b == 0xe2) {
            go_char(c, (const unsigned char *)p, &i, n);
        } else {
            tt_text_put(c, &p[i], 1);
        }
    }
}

int tt_plexd_canonical_bytes(const tt_plexd_envelope *env, char *out, size_t cap,
                             size_t *len, tt_error *err)
{
    tt_text c;
    size_t n;
    tt_text_init(&c, out, cap);
    tt_text_put(&c, "{\"event_type\":", 14);
    go_string(&c, env->event_type);
    tt_text_put(&c, ",\"event_id\":", 12);
    go_string(&c, env->event_id);
    tt_text_put(&c, ",\"issued_at\":\"", 14);
    /* time.Time marshals itself: the text as Go writes it back */
    n = tt_rfc3339_format_time(&env->issued, c.buf + c.len, c.cap - c.len);
    if (n == 0)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_SSE_REJECTED, NULL,
                            "%s: issued_at cannot be written as Go writes times", env->event_id);
    tt_text_took(&c, n);
    tt_text_put(&c, "\"", 1);
    tt_text_put(&c, ",\"nonce\":", 9);
    go_string(&c, env->nonce);
    tt_text_put(&c, ",\"payload\":", 11);
    if (env->payload.p != NULL && env->payload.n > 0)
        go_compact(&c, env->payload.p, env->payload.n);
    else
        tt_text_put(&c, "null", 4);
    tt_text_put(&c, "}", 1);
    if (c.overflow)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_BUFFER, NULL,
                            "canonical envelope larger than %zu bytes", cap);
    *len = c.len;
    return 0;
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
