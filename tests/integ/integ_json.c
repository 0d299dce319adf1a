/*
 * Streaming JSON against nginx: the VM lists (2,000 and 20,000 entries,
 * 3.7 MB) are decoded element by element from the response body with a
 * 4 KiB element buffer, each element bound to a struct and checked. The
 * memory test runs the decode in fresh processes and compares their peak
 * resident sizes.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#if TT_FEATURE_JSON_STREAM && TT_FEATURE_JSON_BIND

#include "integ.h"
#include "tether/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/personality.h>
#include <sys/wait.h>
#include <unistd.h>

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

typedef struct list_check {
    size_t seen;
    size_t bad;      /* elements whose content was not what the file holds */
} list_check;

static int check_vm(void *user, const tt_json *elem, size_t index, tt_error *err)
{
    list_check *lc = user;
    vm_row vm;
    char want[16];
    memset(&vm, 0, sizeof vm);
    if (tt_json_bind(elem, 0, vm_fields, TT_COUNT(vm_fields), &vm, err) != 0)
        return -1;
    snprintf(want, sizeof want, "vm-%05zu", index);
    if (strcmp(vm.name, want) != 0 || vm.cpus != (int32_t)(1 + index % 8) ||
        vm.memory_mb != 1024u * (uint32_t)(1 + index % 4) || vm.ntags != 2 ||
        strcmp(vm.tags[1], "t\xc3\xa9st") != 0 ||
        strcmp(vm.state, index % 2 ? "stopped" : "running") != 0)
        lc->bad++;
    lc->seen++;
    return 0;
}

/* Decode /vms-N.json with a 4 KiB element buffer; 0 or -1. */
static int decode_list(int n, list_check *lc, uint64_t *body_bytes, tt_error *err)
{
    static tt_client client;
    static tt_json elem_doc;
    static char elem_buf[4096];
    static tt_json_stream js;
    tt_request rq;
    tt_response res;
    char path[32];

    memset(lc, 0, sizeof *lc);
    snprintf(path, sizeof path, "/vms-%d.json", n);
    integ_client(&client, NULL);
    tt_json_stream_init(&js, "data.vms", &elem_doc, elem_buf, sizeof elem_buf, check_vm, lc);
    memset(&rq, 0, sizeof rq);
    rq.url = integ_url(integ_nginx_port(), path);
    rq.on_body = tt_json_stream_body;
    rq.user = &js;
    if (tt_client_request(&client, &rq, &res, err) != 0)
        return -1;
    tt_client_close(&client);
    *body_bytes = res.body_bytes;
    if (res.status != 200)
        return tt_error_set(err, TT_ERR_HTTP, TT_E_HTTP_STATUS, NULL, "status %d", res.status);
    return tt_json_stream_finish(&js, err);
}

static void test_stream_vm_list(void)
{
    list_check lc;
    uint64_t bytes;
    tt_error e;
    if (decode_list(20000, &lc, &bytes, &e) != 0) {
        tt_test_fail(__FILE__, __LINE__, "%s", e.msg);
        return;
    }
    CHECK_INT(lc.seen, 20000);
    CHECK_INT(lc.bad, 0);
    CHECK(bytes > 3500000);
}

static void test_stream_small_buffer_is_a_limit_error(void)
{
    static tt_client client;
    static tt_json elem_doc;
    static char elem_buf[100];
    static tt_json_stream js;
    list_check lc;
    tt_request rq;
    tt_response res;
    tt_error e;

    memset(&lc, 0, sizeof lc);
    integ_client(&client, NULL);
    tt_json_stream_init(&js, "data.vms", &elem_doc, elem_buf, sizeof elem_buf, check_vm, &lc);
    memset(&rq, 0, sizeof rq);
    rq.url = integ_url(integ_nginx_port(), "/vms-2000.json");
    rq.on_body = tt_json_stream_body;
    rq.user = &js;
    CHECK_INT(tt_client_request(&client, &rq, &res, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_ELEMENT);
    CHECK(strstr(e.msg, "element 0 is 180 bytes") != NULL);
    CHECK_INT(lc.seen, 0);
    tt_client_close(&client);
}

/* The child side: decode and print "N HWM_KB" on stdout. */
int integ_json_stream_child(int n)
{
    list_check lc;
    uint64_t bytes;
    tt_error e;
    if (decode_list(n, &lc, &bytes, &e) != 0 || lc.bad != 0) {
        printf("error %s\n", e.msg);
        return 1;
    }
    printf("%zu %ld\n", lc.seen, integ_peak_rss_kb());
    return 0;
}

/* Run this binary as "--json-stream-child N"; returns the child's peak
 * RSS in KiB, or -1. */
static long child_peak(int n, size_t *seen)
{
    int fds[2];
    pid_t pid;
    char out[256], arg[16];
    long len = 0, r, hwm = -1;
    int status;

    if (pipe(fds) != 0)
        return -1;
    snprintf(arg, sizeof arg, "%d", n);
    pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        /* a fixed address layout makes the peak exact from run to run (with
         * random layouts it varies by some tens of KiB) */
        personality(ADDR_NO_RANDOMIZE);
        execl("/proc/self/exe", "integ", "--json-stream-child", arg, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    while (len < (long)sizeof out - 1 &&
           (r = read(fds[0], out + len, sizeof out - 1 - (size_t)len)) > 0)
        len += r;
    close(fds[0]);
    out[len] = '\0';
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        sscanf(out, "%zu %ld", seen, &hwm) != 2) {
        printf("  child for %d: %s\n", n, out);
        return -1;
    }
    return hwm;
}

static void test_stream_memory_does_not_grow(void)
{
    size_t seen_small = 0, seen_large = 0;
    long small = child_peak(2000, &seen_small);
    long large = child_peak(20000, &seen_large);
    printf("  peak RSS: %ld KiB for 2,000 VMs, %ld KiB for 20,000 VMs\n", small, large);
    CHECK(small > 0 && large > 0);
    CHECK_INT(seen_small, 2000);
    CHECK_INT(seen_large, 20000);
    /* ten times the data (3.3 MB more) and the same memory, to a page or
     * two of slack */
    CHECK(large - small <= 8);
}

void suite_integ_json(void)
{
    static const tt_test tests[] = {
        { "stream_vm_list", test_stream_vm_list },
        { "stream_small_buffer_is_a_limit_error", test_stream_small_buffer_is_a_limit_error },
        { "stream_memory_does_not_grow", test_stream_memory_does_not_grow },
    };
    tt_run_suite("integ_json", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
