/*
 * The streaming binder: records bound while the text streams in, fed
 * whole, one byte at a time and split at every place, with the same
 * outcome; members it does not bind skipped at any size; list elements one
 * at a time; one element's error not the list's.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#if TT_FEATURE_JSON_BIND && TT_FEATURE_JSON_WRITE

#include "../testlib.h"
#include "suites.h"
#include "tether/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the records -------------------------------------------------------------- */

typedef struct link_rec {
    char ip[16];
    int64_t vid;
} link_rec;

typedef struct iface_rec {
    char name[8];
    char mac[18];
    uint32_t mtu;
    int enabled;
    char tags[2][8];
    size_t ntags;
    link_rec link;               /* the list slot */
} iface_rec;

typedef struct where_rec {
    char zone[12];
    double weight;
} where_rec;

typedef struct host_rec {
    char id[12];
    int32_t cores;
    uint64_t bytes;
    where_rec where;
    char note[12];               /* cut for display */
    char extra[24];              /* any JSON value as text */
    iface_rec iface;             /* the list slot */
    char alias[10];              /* list-of-strings slot */
} host_rec;

static const tt_json_field link_fields[] = {
    TT_JSON_STR(link_rec, ip, "ip", TT_JF_REQUIRED),
    TT_JSON_INT(link_rec, vid, "vid", 0),
};
static const tt_json_field iface_fields[] = {
    TT_JSON_STR(iface_rec, name, "name", TT_JF_REQUIRED),
    TT_JSON_STR(iface_rec, mac, "mac", 0),
    TT_JSON_UINT(iface_rec, mtu, "mtu", 0),
    TT_JSON_BOOL(iface_rec, enabled, "enabled", 0),
    TT_JSON_ARR_STR(iface_rec, tags, "tags", 0, ntags),
    TT_JSON_LIST(iface_rec, link, "links", 0, link_fields),
};
static const tt_json_field where_fields[] = {
    TT_JSON_STR(where_rec, zone, "zone", 0),
    TT_JSON_DOUBLE(where_rec, weight, "weight", 0),
};
static const tt_json_field host_fields[] = {
    TT_JSON_STR(host_rec, id, "id", TT_JF_REQUIRED),
    TT_JSON_INT(host_rec, cores, "cores", 0),
    TT_JSON_UINT(host_rec, bytes, "bytes", 0),
    TT_JSON_OBJ(host_rec, where, "where", 0, where_fields),
    TT_JSON_STR(host_rec, note, "note", TT_JF_CUT),
    TT_JSON_JSON(host_rec, extra, "extra", 0),
    TT_JSON_LIST(host_rec, iface, "interfaces", 0, iface_fields),
    TT_JSON_LIST_STR(host_rec, alias, "aliases", 0),
    TT_JSON_TEXT("blob", 0),
};
static const tt_json_field host_root = TT_JSON_ROOT_OBJ(host_rec, host_fields);
static const tt_json_field hosts_root = TT_JSON_ROOT_LIST(host_rec, host_fields);

/* ---- what the callbacks saw, as text, so that runs compare as strings ------ */

typedef struct seen {
    char log[16384];
    size_t n;
    unsigned long texts;         /* text pieces */
    int stop_at;                 /* item callback fails at this item (1-based) */
    unsigned long items;
} seen;

static void say(seen *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (s->n < sizeof s->log - 1) {
        s->n += (size_t)vsnprintf(s->log + s->n, sizeof s->log - s->n, fmt, ap);
        if (s->n > sizeof s->log - 1)
            s->n = sizeof s->log - 1; /* a long run keeps its beginning */
    }
    va_end(ap);
}

static int on_item(void *user, const tt_json_item *it, tt_error *err)
{
    seen *s = user;
    char what[160];
    s->items++;
    if (it->list->elem == TT_JF_STRING) {
        snprintf(what, sizeof what, "alias[%zu]=%s", it->index, (const char *)it->record);
    } else if (strcmp(it->list->name, "links") == 0) {
        const link_rec *l = it->record;
        const iface_rec *parent = it->parent->record;
        snprintf(what, sizeof what, "link[%zu.%zu] %s vid=%lld (iface so far '%s')",
                 it->parent->index, it->index, l->ip, (long long)l->vid, parent->name);
    } else if (strcmp(it->list->name, "interfaces") == 0) {
        const iface_rec *f = it->record;
        snprintf(what, sizeof what, "iface[%zu] %s %s mtu=%u en=%d tags=%zu:%s,%s", it->index,
                 f->name, f->mac, (unsigned)f->mtu, f->enabled, f->ntags, f->tags[0], f->tags[1]);
    } else {
        const host_rec *h = it->record;
        snprintf(what, sizeof what, "host[%zu] %s cores=%d zone=%s", it->index, h->id,
                 (int)h->cores, h->where.zone);
    }
    say(s, "%s%s\n", what, it->error != NULL ? " ERROR " : "");
    if (it->error != NULL)
        say(s, "  %s\n", it->error->msg);
    if (s->stop_at > 0 && (int)s->items == s->stop_at)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "stop here");
    return 0;
}

static int on_text(void *user, const tt_json_field *f, void *record, const char *p, size_t n,
                   int last, tt_error *err)
{
    seen *s = user;
    (void)record;
    (void)err;
    if (last) {
        say(s, "<%s end>\n", f->name);
        return 0;
    }
    s->texts++;
    if (s->n + n < sizeof s->log) {
        memcpy(s->log + s->n, p, n);
        s->n += n;
    }
    return 0;
}

/* The outcome of one run as a string: the log, the record, the result. */
typedef struct outcome {
    seen s;
    host_rec h;
    int rc;
    int partial;
    unsigned long item_errors;
    tt_error err;
} outcome;

/* Feed text in pieces of `step` bytes (0: whole), or split once at `at`. */
static void run(const tt_json_field *root, const char *text, size_t len, size_t step,
                size_t at, outcome *o)
{
    tt_json_binder b;
    size_t i = 0;
    memset(o, 0, sizeof *o);
    memset(&o->h, 0, sizeof o->h);
    tt_json_binder_init(&b, root, &o->h, on_item, on_text, &o->s);
    o->rc = 0;
    while (i < len) {
        size_t n = step ? step : (at ? (i < at ? at - i : len - i) : len - i);
        if (n > len - i)
            n = len - i;
        if (tt_json_binder_feed(&b, text + i, n, &o->err) != 0) {
            o->rc = -1;
            break;
        }
        i += n;
    }
    if (o->rc == 0)
        o->rc = tt_json_binder_finish(&b, &o->err);
    o->partial = b.partial;
    o->item_errors = b.item_errors;
    o->s.log[o->s.n < sizeof o->s.log ? o->s.n : sizeof o->s.log - 1] = '\0';
}

static int same(const outcome *a, const outcome *b)
{
    return a->rc == b->rc && a->partial == b->partial && a->item_errors == b->item_errors &&
           strcmp(a->s.log, b->s.log) == 0 && memcmp(&a->h, &b->h, sizeof a->h) == 0 &&
           (a->rc == 0 || (a->err.code == b->err.code && strcmp(a->err.msg, b->err.msg) == 0));
}

/* Whole, byte by byte, and split at every place: one outcome, returned. */
static int all_splits(const tt_json_field *root, const char *text, outcome *whole)
{
    static outcome o;
    size_t len = strlen(text), at;
    run(root, text, len, 0, 0, whole);
    run(root, text, len, 1, 0, &o);
    if (!same(whole, &o)) {
        tt_test_fail(__FILE__, __LINE__, "byte by byte differs:\n%s\n---\n%s\n(%s / %s)",
                     whole->s.log, o.s.log, whole->err.msg, o.err.msg);
        return -1;
    }
    for (at = 1; at < len; at++) {
        run(root, text, len, 0, at, &o);
        if (!same(whole, &o)) {
            tt_test_fail(__FILE__, __LINE__, "split at %zu differs:\n%s\n---\n%s", at,
                         whole->s.log, o.s.log);
            return -1;
        }
    }
    return 0;
}

/* ---- tests ---------------------------------------------------------------------------- */

static const char host_text[] =
    "{\"id\":\"h-1\",\"ignored\":{\"deep\":[[[{\"x\":\"\\\"}]\"}]]],\"n\":-0.5e10},"
    "\"cores\":-8,\"bytes\":18446744073709551615,"
    "\"where\":{\"weight\":0.125,\"zone\":\"z\\u00e9\\ud83d\\ude00\"},"
    "\"note\":\"a note that is longer than twelve\","
    "\"extra\":{\"k\":[1,true,null]},"
    "\"interfaces\":[{\"links\":[{\"ip\":\"10.0.0.5\",\"vid\":10},{\"ip\":\"fe80::1\"}],"
    "\"name\":\"eth0\",\"mac\":\"52:54:00:aa:bb:cc\",\"mtu\":9000,\"enabled\":true,"
    "\"tags\":[\"a\",\"b\"]},"
    "{\"name\":\"eth1\",\"links\":[],\"enabled\":false,\"unknown\":[1,2,3]}],"
    "\"aliases\":[\"one\",\"two\"],"
    "\"blob\":\"<\\\"x\\\\y\\n\\u0041>\"}";

static void test_bind_record_all_kinds(void)
{
    static outcome o;
    CHECK(all_splits(&host_root, host_text, &o) == 0);
    CHECK_INT(o.rc, 0);
    CHECK_STR(o.h.id, "h-1");
    CHECK_INT(o.h.cores, -8);
    CHECK(o.h.bytes == UINT64_MAX);
    CHECK(o.h.where.weight == 0.125);
    CHECK_STR(o.h.where.zone, "z\xc3\xa9\xf0\x9f\x98\x80");
    CHECK_STR(o.h.note, "a note t...");
    CHECK_STR(o.h.extra, "{\"k\":[1,true,null]}");
    CHECK_STR(o.s.log,
              "link[0.0] 10.0.0.5 vid=10 (iface so far '')\n"
              "link[0.1] fe80::1 vid=0 (iface so far '')\n"
              "iface[0] eth0 52:54:00:aa:bb:cc mtu=9000 en=1 tags=2:a,b\n"
              "iface[1] eth1  mtu=0 en=0 tags=0:,\n"
              "alias[0]=one\n"
              "alias[1]=two\n"
              "<\"x\\y\nA><blob end>\n");
}

static void test_bind_list_slot_is_fresh(void)
{
    /* the second element must not keep the first one's fields */
    static outcome o;
    CHECK(all_splits(&host_root,
                     "{\"id\":\"x\",\"interfaces\":[{\"name\":\"a\",\"mac\":\"m1\",\"mtu\":1,"
                     "\"tags\":[\"t\"]},{\"name\":\"b\"}]}", &o) == 0);
    CHECK_STR(o.s.log, "iface[0] a m1 mtu=1 en=0 tags=1:t,\n"
                       "iface[1] b  mtu=0 en=0 tags=0:,\n");
}

/* A list with one bad element: that element's error, the others whole. */
static void test_bind_element_error_not_the_lists(void)
{
    static outcome o;
    CHECK(all_splits(&hosts_root,
                     "[{\"id\":\"a\",\"cores\":1},"
                     "{\"id\":\"this id is far too long\",\"cores\":2,\"where\":{\"zone\":\"z\"}},"
                     "{\"cores\":3},"
                     "{\"id\":\"d\",\"cores\":4.5},"
                     "{\"id\":\"e\",\"interfaces\":[{\"name\":\"eth0\",\"tags\":[\"1\",\"2\",\"3\"]}]},"
                     "{\"id\":\"f\",\"cores\":6}]", &o) == 0);
    CHECK_INT(o.rc, 0);
    CHECK_INT(o.item_errors, 4);
    CHECK_STR(o.s.log,
              "host[0] a cores=1 zone=\n"
              "host[1]  cores=2 zone=z ERROR \n"
              "  [1].id: string of 23 bytes, longer than its 12-byte buffer\n"
              "host[2]  cores=3 zone= ERROR \n"
              "  [2].id: required field missing\n"
              "host[3] d cores=0 zone= ERROR \n"
              "  [3].cores: number out of range or not an integer\n"
              "iface[0] eth0  mtu=0 en=0 tags=2:1,2 ERROR \n"
              "  [4].interfaces[0].tags: 3 items, more than the 2 it can hold\n"
              "host[4] e cores=0 zone=\n"
              "host[5] f cores=6 zone=\n");
}

static void test_bind_root_record_error_is_partial(void)
{
    static outcome o;
    CHECK(all_splits(&host_root, "{\"id\":\"h\",\"cores\":\"x\",\"bytes\":7,\"extra\":"
                                 "\"0123456789012345678901234567890\"}", &o) == 0);
    CHECK_INT(o.rc, -1);
    CHECK_INT(o.partial, 1);
    CHECK_INT(o.err.cls, TT_ERR_PROTOCOL);
    CHECK_INT(o.err.code, TT_E_JSON_TYPE);
    CHECK_STR(o.err.msg, "cores: expected a number");
    CHECK_STR(o.h.id, "h");
    CHECK_INT(o.h.bytes, 7);
    CHECK_STR(o.h.extra, ""); /* it did not fit: empty, never cut */
}

static void test_bind_duplicates_refused(void)
{
    static outcome o;
    /* a bound member twice: the record's error, the first value kept */
    CHECK(all_splits(&host_root, "{\"id\":\"a\",\"cores\":1,\"cores\":2}", &o) == 0);
    CHECK_INT(o.rc, -1);
    CHECK_INT(o.err.code, TT_E_JSON_SYNTAX);
    CHECK_STR(o.err.msg, "cores: member given twice");
    CHECK_INT(o.h.cores, 1);
    /* spelt differently, the same name */
    CHECK(all_splits(&host_root, "{\"id\":\"a\",\"c\\u006fres\":1,\"cores\":2}", &o) == 0);
    CHECK_STR(o.err.msg, "cores: member given twice");
    /* members not bound may repeat: they mean nothing here */
    CHECK(all_splits(&host_root, "{\"id\":\"a\",\"x\":1,\"x\":2}", &o) == 0);
    CHECK_INT(o.rc, 0);
    /* in a list element: that element's error */
    CHECK(all_splits(&hosts_root, "[{\"id\":\"a\",\"id\":\"b\"},{\"id\":\"c\"}]", &o) == 0);
    CHECK_INT(o.rc, 0);
    CHECK_STR(o.s.log, "host[0] a cores=0 zone= ERROR \n  [0].id: member given twice\n"
                       "host[1] c cores=0 zone=\n");
}

/* Members not bound are skipped at any size and depth, holding nothing. */
static void test_bind_skips_any_size(void)
{
    static char text[3 * 1024 * 1024];
    static outcome o;
    size_t n = 0, i;
    n += (size_t)snprintf(text + n, sizeof text - n, "{\"big\":\"");
    for (i = 0; i < 1024 * 1024; i++)
        text[n++] = (char)('a' + i % 26);
    n += (size_t)snprintf(text + n, sizeof text - n, "\",\"deep\":");
    for (i = 0; i + 1 < TT_JSON_MAX_DEPTH; i++) /* as deep as the build reads */
        text[n++] = '[';
    for (i = 0; i + 1 < TT_JSON_MAX_DEPTH; i++)
        text[n++] = ']';
    n += (size_t)snprintf(text + n, sizeof text - n, ",\"many\":[");
    for (i = 0; i < 100000; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s{\"id\":\"%zu\"}", i ? "," : "", i);
    n += (size_t)snprintf(text + n, sizeof text - n, "],\"id\":\"last\"}");
    run(&host_root, text, n, 4096, 0, &o);
    CHECK_INT(o.rc, 0);
    CHECK_STR(o.h.id, "last");
    CHECK_INT(o.s.n, 0);
    run(&host_root, text, n, 0, 0, &o);
    CHECK_STR(o.h.id, "last");
}

/* Thousands of elements, each delivered once and in order. */
static void test_bind_long_list(void)
{
    static char text[2 * 1024 * 1024];
    static outcome o;
    size_t n = 0, i;
    n += (size_t)snprintf(text + n, sizeof text - n, "[");
    for (i = 0; i < 5000; i++)
        n += (size_t)snprintf(text + n, sizeof text - n,
                              "%s{\"id\":\"h%zu\",\"cores\":%zu,\"pad\":\"%0200d\"}",
                              i ? "," : "", i, i, 0);
    n += (size_t)snprintf(text + n, sizeof text - n, "]");
    run(&hosts_root, text, n, 1000, 0, &o);
    CHECK_INT(o.rc, 0);
    CHECK_INT(o.s.items, 5000);
    CHECK(strstr(o.s.log, "host[0] h0 cores=0") == o.s.log);
}

static void test_bind_fatal_errors(void)
{
    static outcome o;
    tt_json_binder b;
    tt_error e;
    host_rec h;
    /* not JSON: the whole binding fails, never partial */
    CHECK(all_splits(&host_root, "{\"id\":\"a\",\"cores\":01}", &o) == 0);
    CHECK_INT(o.rc, -1);
    CHECK_INT(o.partial, 0);
    CHECK_INT(o.err.code, TT_E_JSON_SYNTAX);
    CHECK(all_splits(&host_root, "{\"id\":\"a\"", &o) == 0);
    CHECK_INT(o.err.code, TT_E_JSON_SYNTAX);
    /* a root of the wrong kind */
    CHECK(all_splits(&host_root, "[1]", &o) == 0);
    CHECK_INT(o.err.code, TT_E_JSON_TYPE);
    CHECK_STR(o.err.msg, "(root): expected an object");
    CHECK(all_splits(&hosts_root, "{\"id\":\"a\"}", &o) == 0);
    CHECK_STR(o.err.msg, "(root): expected an array");
    CHECK(all_splits(&host_root, "null", &o) == 0);
    CHECK_STR(o.err.msg, "(root): expected an object");
    /* a callback's error stops the binding and is what the caller sees,
     * even when the rest of the piece is not JSON */
    tt_json_binder_init(&b, &hosts_root, &h, on_item, NULL, &o.s);
    memset(&o.s, 0, sizeof o.s);
    o.s.stop_at = 1;
    CHECK_INT(tt_json_binder_feed(&b, "[{\"id\":\"a\"},{\"id\"::", 19, &e), -1);
    CHECK_STR(e.msg, "stop here");
    CHECK_INT(tt_json_binder_feed(&b, "1", 1, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(tt_json_binder_finish(&b, &e), -1);
}

static void test_bind_numbers(void)
{
    static outcome o;
    CHECK(all_splits(&host_root, "{\"id\":\"a\",\"cores\":-2147483648}", &o) == 0);
    CHECK_INT(o.rc, 0);
    CHECK_INT(o.h.cores, INT32_MIN);
    CHECK(all_splits(&host_root, "{\"id\":\"a\",\"cores\":2147483648}", &o) == 0);
    CHECK_STR(o.err.msg, "cores: number out of range or not an integer");
    CHECK(all_splits(&host_root, "{\"id\":\"a\",\"bytes\":-1}", &o) == 0);
    CHECK_INT(o.err.code, TT_E_JSON_RANGE);
    CHECK(all_splits(&host_root, "{\"id\":\"a\",\"bytes\":1e3}", &o) == 0);
    CHECK_INT(o.err.code, TT_E_JSON_RANGE);
    CHECK(all_splits(&host_root, "{\"id\":\"a\",\"where\":{\"weight\":-1.5E-3}}", &o) == 0);
    CHECK(o.h.where.weight == -1.5e-3);
    CHECK(all_splits(&host_root, "{\"id\":\"a\",\"cores\":"
                                 "1000000000000000000000000000000000000000000000000}", &o) == 0);
    CHECK_STR(o.err.msg, "cores: number of 49 digits, out of range");
}

/* A string value whose content is itself JSON, bound by a second binder
 * fed from the first one's text callback (SkyPilot's error and result). */
typedef struct inner_rec {
    char message[16];
} inner_rec;
static const tt_json_field inner_fields[] = {
    TT_JSON_STR(inner_rec, message, "message", TT_JF_CUT),
};
static const tt_json_field inner_root = TT_JSON_ROOT_OBJ(inner_rec, inner_fields);

typedef struct nested {
    tt_json_binder inner;
    inner_rec rec;
    tt_error err;
    int rc;
} nested;

static int feed_inner(void *user, const tt_json_field *f, void *record, const char *p,
                      size_t n, int last, tt_error *err)
{
    nested *x = user;
    (void)f;
    (void)record;
    (void)err;
    if (x->rc != 0)
        return 0;
    x->rc = last ? tt_json_binder_finish(&x->inner, &x->err)
                 : tt_json_binder_feed(&x->inner, p, n, &x->err);
    return 0;
}

static void test_bind_json_inside_a_string(void)
{
    static char text[64 * 1024];
    static nested x;
    tt_json_binder b;
    host_rec h;
    tt_error e;
    size_t n = 0, i, step;
    n += (size_t)snprintf(text, sizeof text, "{\"id\":\"r\",\"blob\":\"{\\\"object\\\": \\\"");
    for (i = 0; i < 40000; i++)
        text[n++] = (char)('A' + i % 26);
    n += (size_t)snprintf(text + n, sizeof text - n,
                          "\\\", \\\"type\\\": \\\"ValueError\\\", \\\"message\\\": "
                          "\\\"No \\\\\\\"cloud\\\\\\\" access: \\\\u00e9\\\\u00e9 long text\\\"}\"}");
    for (step = 1; step <= 4096; step *= 8) {
        memset(&x, 0, sizeof x);
        tt_json_binder_init(&x.inner, &inner_root, &x.rec, NULL, NULL, NULL);
        tt_json_binder_init(&b, &host_root, &h, NULL, feed_inner, &x);
        for (i = 0; i < n; i += step)
            CHECK_INT(tt_json_binder_feed(&b, text + i, n - i < step ? n - i : step, &e), 0);
        CHECK_INT(tt_json_binder_finish(&b, &e), 0);
        CHECK_INT(x.rc, 0);
        CHECK_STR(x.rec.message, "No \"cloud\" a...");
    }
}

static void test_bind_raw_slices(void)
{
    typedef struct r { tt_json_slice v; char id[4]; } r;
    static const tt_json_field f[] = {
        TT_JSON_RAW(r, v, "v", 0),
        TT_JSON_STR(r, id, "id", 0),
    };
    static const tt_json_field root = TT_JSON_ROOT_OBJ(r, f);
    static const char text[] = "{\"v\": {\"a\": [1, 2]} , \"id\":\"x\"}";
    tt_json_binder b;
    tt_error e;
    r out;
    memset(&out, 0, sizeof out);
    tt_json_binder_init(&b, &root, &out, NULL, NULL, NULL);
    CHECK_INT(tt_json_binder_feed(&b, text, sizeof text - 1, &e), 0);
    CHECK_INT(tt_json_binder_finish(&b, &e), 0);
    CHECK_MEM(out.v.p, out.v.n, "{\"a\": [1, 2]}", 13);
    /* split inside the value: refused, never a slice of freed text */
    memset(&out, 0, sizeof out);
    tt_json_binder_init(&b, &root, &out, NULL, NULL, NULL);
    CHECK_INT(tt_json_binder_feed(&b, text, 10, &e), 0);
    CHECK_INT(tt_json_binder_feed(&b, text + 10, sizeof text - 11, &e), 0);
    CHECK_INT(tt_json_binder_finish(&b, &e), -1);
    CHECK_STR(e.msg, "v: a raw slice split across pieces of the text");
    CHECK_STR(out.id, "x");
}

/* A text deeper than its table: the table decides what is bound. */
static void test_bind_text_deeper_than_table(void)
{
    typedef struct d { struct d1 { struct d2 { int v; } c; } b; } d;
    static const tt_json_field f2[] = { TT_JSON_BOOL(struct d2, v, "v", 0) };
    static const tt_json_field f1[] = { TT_JSON_OBJ(struct d1, c, "c", 0, f2) };
    static const tt_json_field f0[] = { TT_JSON_OBJ(d, b, "b", 0, f1) };
    static const tt_json_field root = TT_JSON_ROOT_OBJ(d, f0);
    char text[256];
    tt_json_binder b;
    tt_error e;
    d out;
    size_t i, n = 0;
    memset(&out, 0, sizeof out);
    tt_json_binder_init(&b, &root, &out, NULL, NULL, NULL);
    CHECK_INT(tt_json_binder_feed(&b, "{\"b\":{\"c\":{\"v\":true}}}", 22, &e), 0);
    CHECK_INT(tt_json_binder_finish(&b, &e), 0);
    CHECK_INT(out.b.c.v, 1);
    n += (size_t)snprintf(text + n, sizeof text - n, "{\"b\":{\"c\":{\"v\":");
    for (i = 0; i < 20 && i + 3 < TT_JSON_MAX_DEPTH; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "{\"v\":");
    text[n++] = '1';
    for (i += 3; i > 0; i--)
        text[n++] = '}';
    tt_json_binder_init(&b, &root, &out, NULL, NULL, NULL);
    CHECK_INT(tt_json_binder_feed(&b, text, n, &e), 0);
    CHECK_INT(tt_json_binder_finish(&b, &e), -1);
    CHECK_STR(e.msg, "b.c.v: expected true or false");
}

/* A table that refers to itself lets the text decide the depth: the
 * frames run out and that is a usage error, never an overrun. */
typedef struct chain {
    struct chain_link { int v; } next;
} chain;
static const tt_json_field chain_fields[1];
static const tt_json_field chain_fields[1] = {
    TT_JSON_F_("n", TT_JF_OBJECT, 0, 0, 0, sizeof(chain), chain_fields, 1, 0, 0),
};
static const tt_json_field chain_root = TT_JSON_ROOT_OBJ(chain, chain_fields);

static void test_bind_frames_run_out(void)
{
    char text[512];
    tt_json_binder b;
    tt_error e;
    chain out;
    size_t i, n = 0;
    for (i = 0; i < TT_JSON_BIND_DEPTH + 2; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "{\"n\":");
    n += (size_t)snprintf(text + n, sizeof text - n, "{}");
    for (i = 0; i < TT_JSON_BIND_DEPTH + 2; i++)
        text[n++] = '}';
    tt_json_binder_init(&b, &chain_root, &out, NULL, NULL, NULL);
    CHECK_INT(tt_json_binder_feed(&b, text, n, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_STR(e.msg, "record table nested deeper than TT_JSON_BIND_DEPTH");
}

static void test_bind_keys_and_nulls(void)
{
    static outcome o;
    /* a key longer than any field name is simply unknown */
    CHECK(all_splits(&host_root, "{\"id\":\"a\",\"a-key-that-is-much-longer-than-any-buffer-"
                                 "of-key-names-is-here\":{\"id\":\"b\"}}", &o) == 0);
    CHECK_INT(o.rc, 0);
    CHECK_STR(o.h.id, "a");
    /* a NUL in a key never matches a name it starts with */
    CHECK(all_splits(&host_root, "{\"id\":\"a\",\"cores\\u0000\":5}", &o) == 0);
    CHECK_INT(o.h.cores, 0);
    /* null: absent for a member, an error for a list element */
    CHECK(all_splits(&host_root, "{\"id\":\"a\",\"where\":null,\"aliases\":[null,\"b\"]}",
                     &o) == 0);
    CHECK_INT(o.rc, 0);
    CHECK_STR(o.s.log, "alias[0]= ERROR \n  aliases[0]: expected a string\nalias[1]=b\n");
    CHECK(all_splits(&host_root, "{\"id\":null}", &o) == 0);
    CHECK_STR(o.err.msg, "id: required field missing");
}

/* Key bytes reach the binder before the scanner has judged them: an
 * invalid escape in a key (found by fuzzing: a NUL after the backslash
 * read past a table) is refused as the syntax error it is. */
static void test_bind_invalid_key_escape(void)
{
    static const char text[] = "[{\"name\":\"\",\"\\\0\0\0001r\":[]}]";
    static outcome o;
    size_t i;
    for (i = 0; i < 3; i++) {
        run(&hosts_root, text, sizeof text - 1, i, 0, &o);
        CHECK_INT(o.rc, -1);
        CHECK_INT(o.err.code, TT_E_JSON_SYNTAX);
        CHECK(strstr(o.err.msg, "invalid escape") != NULL);
    }
}

/* A text stream with a bad byte in it gets the bytes before it, however
 * the answer was cut (found by fuzzing: whole, the bytes were dropped). */
static void test_bind_text_before_a_bad_byte(void)
{
    static const char *const texts[] = {
        "{\"id\":\"h\",\"blob\":\"a\\tbc\001def\"}",
        "{\"id\":\"h\",\"blob\":\"a\\tbc\303(\"}",
    };
    static outcome o;
    size_t i;
    for (i = 0; i < TT_COUNT(texts); i++) {
        CHECK_OK(all_splits(&host_root, texts[i], &o));
        CHECK_INT(o.rc, -1);
        CHECK(o.err.code == TT_E_JSON_SYNTAX || o.err.code == TT_E_JSON_UTF8);
        CHECK_STR(o.s.log, i == 0 ? "a\tbc" : "a\tbc\303");
    }
}

/* ---- records written by their tables ------------------------------------------ */

/* w's text after writing rec as one object by the table f[n]. */
static const char *written(char *buf, size_t cap, const tt_json_field *f, size_t n,
                           const void *rec)
{
    tt_json_writer w;
    tt_error e;
    tt_jw_init(&w, buf, cap);
    tt_jw_object(&w);
    tt_jw_members(&w, f, n, rec);
    tt_jw_end(&w);
    if (tt_jw_finish(&w, NULL, &e) != 0)
        tt_fmt(buf, cap, "(%s)", e.msg);
    return buf;
}

/* The table that binds a record prints it: bound from a text and written
 * back, every kind comes out as it went in (nested object and array). */
static void test_write_round_trip(void)
{
    static const char text[] =
        "{\"name\":\"eth0\",\"mac\":\"52:54:00:12:34:56\",\"mtu\":9000,\"enabled\":true,"
        "\"tags\":[\"a\",\"bb\"],\"where\":{\"zone\":\"z1\",\"weight\":0.5}}";
    typedef struct rec { iface_rec i; where_rec w; } rec;
    static const tt_json_field wf[] = {
        TT_JSON_STR(where_rec, zone, "zone", 0),
        TT_JSON_DOUBLE(where_rec, weight, "weight", 0),
    };
    static const tt_json_field f[] = {
        TT_JSON_STR(rec, i.name, "name", 0),
        TT_JSON_STR(rec, i.mac, "mac", 0),
        TT_JSON_UINT(rec, i.mtu, "mtu", 0),
        TT_JSON_BOOL(rec, i.enabled, "enabled", 0),
        TT_JSON_ARR_STR(rec, i.tags, "tags", 0, i.ntags),
        TT_JSON_OBJ(rec, w, "where", 0, wf),
    };
    static tt_json doc;
    char buf[256];
    tt_error e;
    rec r;
    memset(&r, 0, sizeof r);
    CHECK_INT(tt_json_parse(&doc, text, sizeof text - 1, &e), 0);
    CHECK_INT(tt_json_bind(&doc, 0, f, TT_JSON_NFIELDS(f), &r, &e), 0);
    CHECK_STR(written(buf, sizeof buf, f, TT_JSON_NFIELDS(f), &r), text);
}

/* Request bodies: the caller's pointers, left out or null when unset, a
 * zero that is a value, JSON text as it is, string arrays in the record
 * and elsewhere; an alias is never written, a derived member never bound. */
static void test_write_request_kinds(void)
{
    typedef struct body {
        const char *name, *note, *meta, *gone;
        const char *dns[3];
        size_t ndns;
        const char *const *names;
        size_t nnames;
        int64_t disk, job;
        int32_t slots;
        char derived[8];
    } body;
    static const tt_json_field f[] = {
        TT_JSON_PSTR(body, name, "name", 0),
        TT_JSON_PSTR(body, note, "note", TT_JF_OMIT),
        TT_JSON_PJSON(body, meta, "meta", TT_JF_OMIT),
        TT_JSON_PSTR(body, gone, "gone", TT_JF_NULL),
        TT_JSON_PSTRS(body, dns, "dns", TT_JF_OMIT, ndns),
        TT_JSON_PSTRV(body, names, "names", TT_JF_NULL, nnames),
        TT_JSON_INT(body, disk, "disk", TT_JF_OMIT),
        TT_JSON_INT(body, job, "job", TT_JF_NULL),
        TT_JSON_INT(body, slots, "slots", TT_JF_OMIT | TT_JF_ZERO_SET),
        TT_JSON_STR(body, derived, "derived", TT_JF_WRITE_ONLY | TT_JF_OMIT),
        TT_JSON_F_("alias", TT_JF_OBJECT, 0, TT_JF_READ_ONLY, 0, sizeof(body), NULL, 0, 0, 0),
    };
    static const char *const two[] = { "a", "b\"" };
    char buf[512];
    body b;
    memset(&b, 0, sizeof b);
    CHECK_STR(written(buf, sizeof buf, f, TT_JSON_NFIELDS(f), &b),
              "{\"name\":\"\",\"gone\":null,\"names\":null,\"job\":null,\"slots\":0}");
    b.name = "vm1";
    b.note = "n";
    b.meta = "{\"k\":[1,2]}";
    b.gone = "here";
    b.dns[0] = "1.1.1.1";
    b.dns[1] = "8.8.8.8";
    b.ndns = 5; /* more than the array: its size is the limit */
    b.names = two;
    b.nnames = 2;
    b.disk = 10;
    b.job = -3;
    b.slots = -1;
    strcpy(b.derived, "d");
    CHECK_STR(written(buf, sizeof buf, f, TT_JSON_NFIELDS(f), &b),
              "{\"name\":\"vm1\",\"note\":\"n\",\"meta\":{\"k\":[1,2]},\"gone\":\"here\","
              "\"dns\":[\"1.1.1.1\",\"8.8.8.8\",\"\"],\"names\":[\"a\",\"b\\\"\"],\"disk\":10,"
              "\"job\":null,\"derived\":\"d\"}");
}

/* A written-only member of a bound table is never filled from a member
 * of its name, and a table with pointer kinds binds the rest. */
static void test_write_only_not_bound(void)
{
    typedef struct r { char id[8]; char derived[8]; const char *p; } r;
    static const tt_json_field f[] = {
        TT_JSON_STR(r, id, "id", 0),
        TT_JSON_STR(r, derived, "derived", TT_JF_WRITE_ONLY),
        TT_JSON_PSTR(r, p, "p", 0),
    };
    static const char text[] = "{\"id\":\"x\",\"derived\":\"no\",\"p\":\"no\"}";
    static tt_json doc;
    tt_error e;
    r out;
    memset(&out, 0, sizeof out);
    CHECK_INT(tt_json_parse(&doc, text, sizeof text - 1, &e), 0);
    CHECK_INT(tt_json_bind(&doc, 0, f, TT_JSON_NFIELDS(f), &out, &e), 0);
    CHECK_STR(out.id, "x");
    CHECK_STR(out.derived, "");
    CHECK(out.p == NULL);
}

/* A raw slice is written as it points, null when nothing was received. */
static void test_write_raw_slice(void)
{
    typedef struct r { tt_json_slice v; } r;
    static const tt_json_field f[] = { TT_JSON_RAW(r, v, "v", 0) };
    static const tt_json_field root = TT_JSON_ROOT_OBJ(r, f);
    tt_json_writer w;
    char buf[64];
    tt_error e;
    r x;
    memset(&x, 0, sizeof x);
    CHECK_STR(written(buf, sizeof buf, f, 1, &x), "{\"v\":null}");
    x.v.p = "[1, {}]";
    x.v.n = 7;
    tt_jw_init(&w, buf, sizeof buf);
    tt_jw_record(&w, &root, &x);
    CHECK_INT(tt_jw_finish(&w, NULL, &e), 0);
    CHECK_STR(buf, "{\"v\":[1, {}]}");
}

void suite_json_bind(void)
{
    static const tt_test tests[] = {
        { "record_all_kinds", test_bind_record_all_kinds },
        { "list_slot_is_fresh", test_bind_list_slot_is_fresh },
        { "element_error_not_the_lists", test_bind_element_error_not_the_lists },
        { "root_record_error_is_partial", test_bind_root_record_error_is_partial },
        { "duplicates_refused", test_bind_duplicates_refused },
        { "skips_any_size", test_bind_skips_any_size },
        { "long_list", test_bind_long_list },
        { "fatal_errors", test_bind_fatal_errors },
        { "numbers", test_bind_numbers },
        { "json_inside_a_string", test_bind_json_inside_a_string },
        { "raw_slices", test_bind_raw_slices },
        { "text_deeper_than_table", test_bind_text_deeper_than_table },
        { "frames_run_out", test_bind_frames_run_out },
        { "keys_and_nulls", test_bind_keys_and_nulls },
        { "invalid_key_escape", test_bind_invalid_key_escape },
        { "text_before_a_bad_byte", test_bind_text_before_a_bad_byte },
        { "write_round_trip", test_write_round_trip },
        { "write_request_kinds", test_write_request_kinds },
        { "write_only_not_bound", test_write_only_not_bound },
        { "write_raw_slice", test_write_raw_slice },
    };
    tt_run_suite("json_bind", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
