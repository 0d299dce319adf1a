/*
 * JSON decode speed on the 20,000-VM list (3.7 MB):
 *   stream    tt_json_stream fed in 4 KiB pieces, each element bound
 *   whole     tt_json_parse of the whole text, each element bound
 *   validate  tt_json_validate alone
 *   jsmn      bare jsmn (strict mode) on the same bytes: no validation
 *   parse     tt_json_parse (validation + jsmn)
 *   load      nothing (the baseline for instruction counts)
 *
 * usage: bench_json FILE [MODE]    no MODE: time every mode, print MB/s
 */
#define _POSIX_C_SOURCE 200809L
#define JSMN_STRICT
#define JSMN_STATIC
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include "tether/json.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct vm_row {
    char id[40];
    char name[16];
    char state[12];
    int32_t cpus;
    uint32_t memory_mb;
    char tags[4][12];
    size_t ntags;
} vm_row;

static const tt_json_field vm_fields[] = {
    TT_JSON_STR(vm_row, id, "id", TT_JF_REQUIRED),
    TT_JSON_STR(vm_row, name, "name", TT_JF_REQUIRED),
    TT_JSON_STR(vm_row, state, "state", TT_JF_REQUIRED),
    TT_JSON_INT(vm_row, cpus, "cpus", TT_JF_REQUIRED),
    TT_JSON_UINT(vm_row, memory_mb, "memory_mb", 0),
    TT_JSON_ARR_STR(vm_row, tags, "tags", 0, ntags),
};

/* The same list bound in one pass by the streaming binder: each VM in
 * the slot, handed over as it completes. */
typedef struct vms_data {
    vm_row vm;
} vms_data;
typedef struct vms_answer {
    vms_data data;
} vms_answer;
static const tt_json_field data_fields[] = {
    TT_JSON_LIST(vms_data, vm, "vms", 0, vm_fields),
};
static const tt_json_field answer_fields[] = {
    TT_JSON_OBJ(vms_answer, data, "data", 0, data_fields),
};
static const tt_json_field answer_root = TT_JSON_ROOT_OBJ(vms_answer, answer_fields);

static char *text;
static size_t text_len;
static tt_json doc, elem_doc;
static jsmntok_t jtokens[TT_JSON_MAX_TOKENS];
static volatile unsigned long sink;

static int on_elem(void *user, const tt_json *elem, size_t index, tt_error *err)
{
    vm_row vm;
    (void)user;
    (void)index;
    if (tt_json_bind(elem, 0, vm_fields, COUNT(vm_fields), &vm, err) != 0)
        return -1;
    sink += (unsigned long)vm.cpus;
    return 0;
}

static void die(const char *what, const tt_error *e)
{
    fprintf(stderr, "bench_json: %s: %s\n", what, e != NULL ? e->msg : "");
    exit(1);
}

static void run_stream(void)
{
    static char elem_buf[4096];
    tt_json_stream s;
    tt_error e;
    size_t off = 0;
    tt_json_stream_init(&s, "data.vms", &elem_doc, elem_buf, sizeof elem_buf, on_elem, NULL);
    while (off < text_len) {
        size_t n = text_len - off < 4096 ? text_len - off : 4096;
        if (tt_json_stream_feed(&s, text + off, n, &e) != 0)
            die("stream", &e);
        off += n;
    }
    if (tt_json_stream_finish(&s, &e) != 0)
        die("stream", &e);
}

static int on_vm(void *user, const tt_json_item *it, tt_error *err)
{
    const vm_row *vm = it->record;
    (void)user;
    (void)err;
    if (it->error != NULL)
        return -1;
    sink += (unsigned long)vm->cpus;
    return 0;
}

static void run_binder(void)
{
    static vms_answer a;
    tt_json_binder b;
    tt_error e;
    size_t off = 0;
    tt_json_binder_init(&b, &answer_root, &a, on_vm, NULL, NULL);
    while (off < text_len) {
        size_t n = text_len - off < 4096 ? text_len - off : 4096;
        if (tt_json_binder_feed(&b, text + off, n, &e) != 0)
            die("binder", &e);
        off += n;
    }
    if (tt_json_binder_finish(&b, &e) != 0)
        die("binder", &e);
}

static void run_whole(void)
{
    tt_json_iter it;
    tt_json_val k, v;
    tt_error e;
    if (tt_json_parse(&doc, text, text_len, &e) != 0)
        die("parse", &e);
    tt_json_iter_init(&it, &doc, tt_json_find(&doc, 0, "data.vms"));
    while (tt_json_iter_next(&it, &k, &v)) {
        vm_row vm;
        if (tt_json_bind(&doc, v, vm_fields, COUNT(vm_fields), &vm, &e) != 0)
            die("bind", &e);
        sink += (unsigned long)vm.cpus;
    }
}

static void run_validate(void)
{
    tt_error e;
    if (tt_json_validate(text, text_len, &e) != 0)
        die("validate", &e);
}

static void run_jsmn(void)
{
    jsmn_parser p;
    int n;
    jsmn_init(&p);
    n = jsmn_parse(&p, text, text_len, jtokens, TT_JSON_MAX_TOKENS);
    if (n < 1)
        die("jsmn", NULL);
    sink += (unsigned long)n;
}

static void run_parse(void)
{
    tt_error e;
    if (tt_json_parse(&doc, text, text_len, &e) != 0)
        die("parse", &e);
    sink += (unsigned long)doc.ntokens;
}

static void run_load(void)
{
}

typedef struct mode {
    const char *name;
    void (*fn)(void);
} mode;

static const mode modes[] = {
    { "stream", run_stream }, { "whole", run_whole }, { "validate", run_validate },
    { "jsmn", run_jsmn }, { "parse", run_parse }, { "binder", run_binder },
    { "load", run_load },
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Best of several runs: the least disturbed one. */
static double best_time(void (*fn)(void))
{
    double best = 1e9;
    int i;
    for (i = 0; i < 9; i++) {
        double t0 = now_s();
        fn();
        t0 = now_s() - t0;
        if (t0 < best)
            best = t0;
    }
    return best;
}

static void load(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0)
        die(path, NULL);
    rewind(f);
    text = malloc((size_t)n);
    if (text == NULL || fread(text, 1, (size_t)n, f) != (size_t)n)
        die(path, NULL);
    text_len = (size_t)n;
    fclose(f);
}

int main(int argc, char **argv)
{
    size_t i;
    double mb, t[7];
    if (argc < 2) {
        fprintf(stderr, "usage: bench_json FILE [MODE]\n");
        return 2;
    }
    load(argv[1]);
    if (argc > 2) {
        for (i = 0; i < COUNT(modes); i++)
            if (strcmp(argv[2], modes[i].name) == 0) {
                modes[i].fn();
                return 0;
            }
        return 2;
    }
    mb = text_len / 1e6;
    for (i = 0; i < 6; i++)
        t[i] = best_time(modes[i].fn);
    printf("  decode with binding  streaming binder (one pass) %6.0f MB/s   "
           "element stream (4 KiB buffer) %6.0f MB/s   whole buffer %6.0f MB/s\n",
           mb / t[5], mb / t[0], mb / t[1]);
    printf("  tokenize             strict tt_json_parse %6.0f MB/s   bare jsmn %6.0f MB/s   "
           "ratio %.2f (validate alone %.0f MB/s)\n", mb / t[4], mb / t[3], t[4] / t[3],
           mb / t[2]);
    return 0;
}
