/*
 * libFuzzer target for binding: any text is bound by the streaming binder
 * into records shaped like a control-plane answer (a list of records with
 * every scalar kind, a nested object, a fixed array, a nested list, a
 * display string, a JSON member, a text stream), fed whole, in pieces
 * chosen by the input, and one byte at a time; and by tt_json_bind from a
 * parsed document.
 *
 * Checks beyond "no crash": the three feeds give the same callbacks, the
 * same records and the same result; the binder accepts exactly what the
 * validator accepts; every bound string is NUL-terminated inside its
 * buffer; an array count never exceeds its capacity; bytes past the
 * records (a guard) are never written; a failure is a JSON-class error.
 */
#include "tether/json.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct disk {
    char name[8];
    int64_t size;
    int boot;
} disk;

typedef struct place {
    char zone[8];
    int32_t rack;
} place;

typedef struct vm {
    char name[16];
    int32_t cpus;
    int64_t memory;
    uint32_t port;
    uint64_t serial;
    double load;
    int running;
    place place;
    char note[8];
    char extra[24];
    char tags[2][6];
    size_t ntags;
    disk disk;
} vm;

static const tt_json_field disk_fields[] = {
    TT_JSON_STR(disk, name, "name", TT_JF_REQUIRED),
    TT_JSON_INT(disk, size, "size", 0),
    TT_JSON_BOOL(disk, boot, "boot", 0),
};
static const tt_json_field place_fields[] = {
    TT_JSON_STR(place, zone, "zone", 0),
    TT_JSON_INT(place, rack, "rack", 0),
};
static const tt_json_field vm_fields[] = {
    TT_JSON_STR(vm, name, "name", TT_JF_REQUIRED),
    TT_JSON_INT(vm, cpus, "cpus", 0),
    TT_JSON_INT(vm, memory, "memory", 0),
    TT_JSON_UINT(vm, port, "port", 0),
    TT_JSON_UINT(vm, serial, "serial", 0),
    TT_JSON_DOUBLE(vm, load, "load", 0),
    TT_JSON_BOOL(vm, running, "running", 0),
    TT_JSON_OBJ(vm, place, "place", 0, place_fields),
    TT_JSON_STR(vm, note, "note", TT_JF_CUT),
    TT_JSON_JSON(vm, extra, "extra", 0),
    TT_JSON_ARR_STR(vm, tags, "tags", 0, ntags),
    TT_JSON_LIST(vm, disk, "disks", 0, disk_fields),
    TT_JSON_TEXT("log", 0),
};
static const tt_json_field vms_root = TT_JSON_ROOT_LIST(vm, vm_fields);

/* What one run saw, folded into a hash: callbacks, records, the result. */
typedef struct run_state {
    struct { vm v; unsigned char guard[64]; } out;
    uint64_t h;
    unsigned long items;
} run_state;

static run_state runs[3];

static void fold(run_state *r, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i;
    for (i = 0; i < n; i++)
        r->h = (r->h ^ b[i]) * 1099511628211ULL;
}

static void nul_inside(const char *s, size_t cap)
{
    if (memchr(s, '\0', cap) == NULL)
        abort();
}

static void check_vm(const vm *v)
{
    size_t i;
    nul_inside(v->name, sizeof v->name);
    nul_inside(v->place.zone, sizeof v->place.zone);
    nul_inside(v->note, sizeof v->note);
    nul_inside(v->extra, sizeof v->extra);
    nul_inside(v->disk.name, sizeof v->disk.name);
    if (v->ntags > 2)
        abort();
    for (i = 0; i < v->ntags; i++)
        nul_inside(v->tags[i], sizeof v->tags[i]);
}

static int on_item(void *user, const tt_json_item *it, tt_error *err)
{
    run_state *r = user;
    const vm *v = it->record;
    (void)err;
    r->items++;
    fold(r, &it->index, sizeof it->index);
    fold(r, it->list->name, strlen(it->list->name));
    if (it->error != NULL)
        fold(r, it->error->msg, strlen(it->error->msg));
    if (strcmp(it->list->name, "disks") == 0) {
        const disk *d = it->record;
        nul_inside(d->name, sizeof d->name);
        fold(r, d->name, strlen(d->name));
        fold(r, &d->size, sizeof d->size);
        if (it->parent == NULL)
            abort();
        return 0;
    }
    check_vm(v);
    fold(r, v->name, strlen(v->name));
    fold(r, v->note, strlen(v->note));
    fold(r, v->extra, strlen(v->extra));
    fold(r, &v->cpus, sizeof v->cpus);
    fold(r, &v->memory, sizeof v->memory);
    fold(r, &v->serial, sizeof v->serial);
    fold(r, &v->ntags, sizeof v->ntags);
    return 0;
}

static int on_text(void *user, const tt_json_field *f, void *record, const char *p, size_t n,
                   int last, tt_error *err)
{
    run_state *r = user;
    (void)f;
    (void)record;
    (void)err;
    /* pieces differ with the feed; their bytes and the end do not */
    if (last)
        fold(r, "<end>", 5);
    else
        fold(r, p, n);
    return 0;
}

/* Bind data[0..size) in pieces: step 0 whole, 1 byte by byte, else at
 * cut points taken from the input itself. */
static int bind(run_state *r, const char *js, size_t size, int mode, tt_error *err)
{
    tt_json_binder b;
    size_t i = 0, n, j;
    memset(r, 0, sizeof *r);
    r->h = 1469598103934665603ULL;
    memset(r->out.guard, 0xa5, sizeof r->out.guard);
    tt_json_binder_init(&b, &vms_root, &r->out.v, on_item, on_text, r);
    while (i < size) {
        n = size - i;
        if (mode == 1)
            n = 1;
        else if (mode == 2)
            n = 1 + (unsigned char)js[i] % 7 + (i % 3) * 5;
        if (n > size - i)
            n = size - i;
        if (tt_json_binder_feed(&b, js + i, n, err) != 0)
            goto done;
        i += n;
    }
    if (tt_json_binder_finish(&b, err) != 0)
        goto done;
    fold(r, "ok", 2);
    for (j = 0; j < sizeof r->out.guard; j++)
        if (r->out.guard[j] != 0xa5)
            abort();
    return 0;
done:
    for (j = 0; j < sizeof r->out.guard; j++)
        if (r->out.guard[j] != 0xa5)
            abort();
    if (err->cls != TT_ERR_PROTOCOL && err->cls != TT_ERR_LIMIT)
        abort();
    fold(r, err->msg, strlen(err->msg));
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tt_json doc;
    static struct { vm v; unsigned char guard[64]; } one;
    const char *js = (const char *)data;
    tt_error err, e2;
    int rc[3], mode, valid;
    size_t i;

    for (mode = 0; mode < 3; mode++)
        rc[mode] = bind(&runs[mode], js, size, mode, &err);
    if (rc[0] != rc[1] || rc[0] != rc[2] || runs[0].h != runs[1].h || runs[0].h != runs[2].h ||
        runs[0].items != runs[1].items)
        abort();
    /* a text that is JSON is never refused as a syntax error, and one that
     * is not is never bound */
    valid = tt_json_validate_stream(js, size, &e2) == 0;
    if (!valid && rc[0] == 0)
        abort();
    /* the same records through a parsed document */
    if (tt_json_parse(&doc, js, size, &err) == 0 && tt_json_type_of(&doc, 0) == TT_JSON_OBJECT) {
        memset(&one, 0, sizeof one);
        memset(one.guard, 0xa5, sizeof one.guard);
        if (tt_json_bind(&doc, 0, vm_fields, sizeof vm_fields / sizeof vm_fields[0], &one.v,
                         &err) == 0)
            check_vm(&one.v);
        else if (err.cls != TT_ERR_PROTOCOL && err.cls != TT_ERR_LIMIT)
            abort();
        for (i = 0; i < sizeof one.guard; i++)
            if (one.guard[i] != 0xa5)
                abort();
    }
    return 0;
}
