/*
 * libFuzzer target for struct binding: any JSON text is parsed and bound
 * to a struct shaped like a control-plane answer (strings, every integer
 * width, doubles, booleans, a nested object, an array of objects, a raw
 * slice).
 *
 * Checks beyond "no crash": every bound string is NUL-terminated inside
 * its buffer; an array count never exceeds its capacity; bytes past the
 * struct (a guard) are never written; a raw slice points inside the text;
 * a failure is a JSON-class error, never another.
 */
#include "json.h"

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

typedef struct vm {
    char name[16];
    int32_t cpus;
    int64_t memory;
    uint32_t port;
    uint64_t serial;
    double load;
    int running;
    struct { char zone[8]; int32_t rack; } place;
    disk disks[3];
    size_t ndisks;
    tt_json_slice extra;
    char tags[2][6];
    size_t ntags;
} vm;

static const tt_json_field disk_fields[] = {
    { "name", TT_JF_STRING, offsetof(disk, name), sizeof ((disk *)0)->name, TT_JF_REQUIRED, NULL, 0, 0, 0 },
    { "size", TT_JF_I64, offsetof(disk, size), 0, 0, NULL, 0, 0, 0 },
    { "boot", TT_JF_BOOL, offsetof(disk, boot), 0, 0, NULL, 0, 0, 0 },
};
static const tt_json_field disk_elem = { "", TT_JF_OBJECT, 0, 0, 0, disk_fields, 3, 0, 0 };
static const tt_json_field tag_elem = { "", TT_JF_STRING, 0, 0, 0, NULL, 0, 0, 0 };

static const tt_json_field place_fields[] = {
    { "zone", TT_JF_STRING, 0, 8, 0, NULL, 0, 0, 0 },
    { "rack", TT_JF_I32, 8, 0, 0, NULL, 0, 0, 0 },
};

static const tt_json_field vm_fields[] = {
    { "name", TT_JF_STRING, offsetof(vm, name), sizeof ((vm *)0)->name, TT_JF_REQUIRED, NULL, 0, 0, 0 },
    { "cpus", TT_JF_I32, offsetof(vm, cpus), 0, 0, NULL, 0, 0, 0 },
    { "memory", TT_JF_I64, offsetof(vm, memory), 0, 0, NULL, 0, 0, 0 },
    { "port", TT_JF_U32, offsetof(vm, port), 0, 0, NULL, 0, 0, 0 },
    { "serial", TT_JF_U64, offsetof(vm, serial), 0, 0, NULL, 0, 0, 0 },
    { "load", TT_JF_DOUBLE, offsetof(vm, load), 0, 0, NULL, 0, 0, 0 },
    { "running", TT_JF_BOOL, offsetof(vm, running), 0, 0, NULL, 0, 0, 0 },
    { "place", TT_JF_OBJECT, offsetof(vm, place), 0, 0, place_fields, 2, 0, 0 },
    { "disks", TT_JF_ARRAY, offsetof(vm, disks), sizeof(disk), 0, &disk_elem, 1, 3,
      offsetof(vm, ndisks) },
    { "tags", TT_JF_ARRAY, offsetof(vm, tags), 6, 0, &tag_elem, 1, 2, offsetof(vm, ntags) },
    { "extra", TT_JF_RAW, offsetof(vm, extra), 0, 0, NULL, 0, 0, 0 },
};

static tt_json doc;
static struct { vm v; unsigned char guard[64]; } out;

static void nul_inside(const char *s, size_t cap)
{
    if (memchr(s, '\0', cap) == NULL)
        abort();
}

/* After a successful bind the struct is sound. */
static void check_bound(const char *js, size_t size)
{
    size_t i;
    nul_inside(out.v.name, sizeof out.v.name);
    nul_inside(out.v.place.zone, sizeof out.v.place.zone);
    if (out.v.ndisks > 3 || out.v.ntags > 2)
        abort();
    for (i = 0; i < out.v.ndisks; i++)
        nul_inside(out.v.disks[i].name, sizeof out.v.disks[i].name);
    for (i = 0; i < out.v.ntags; i++)
        nul_inside(out.v.tags[i], sizeof out.v.tags[i]);
    if (out.v.extra.p != NULL &&
        (out.v.extra.p < js || out.v.extra.p + out.v.extra.n > js + size))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *js = (const char *)data;
    tt_error err;
    size_t i;
    tt_json_val root = 0;
    if (tt_json_parse(&doc, js, size, &err) != 0)
        return 0;
    /* bind the root, an envelope's data, or the first array element */
    if (tt_json_type_of(&doc, 0) == TT_JSON_ARRAY)
        root = tt_json_index(&doc, 0, 0);
    else if (tt_json_find(&doc, 0, "data") > 0)
        root = tt_json_find(&doc, 0, "data");
    memset(&out.v, 0, sizeof out.v);
    memset(out.guard, 0xa5, sizeof out.guard);
    if (tt_json_bind(&doc, root, vm_fields, sizeof vm_fields / sizeof vm_fields[0], &out.v,
                     &err) == 0)
        check_bound(js, size);
    else if (err.cls != TT_ERR_PROTOCOL && err.cls != TT_ERR_LIMIT)
        abort();
    for (i = 0; i < sizeof out.guard; i++)
        if (out.guard[i] != 0xa5)
            abort();
    return 0;
}
