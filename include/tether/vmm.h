/*
 * vmm: the VM host API over mutual TLS. REST under /api/v1 (vms,
 * vms/{name}, vms/{name}/start, vms/{name}/stop, status, health), answers
 * in the envelope {"data": ..., "error": {"code", "message"}}.
 *
 * Policy: request timeout 30 s, 300 s for create (an image import can take
 * minutes); no retries (the caller owns the policy); keep-alive pool of
 * TT_CLIENT_POOL_SIZE connections per client; ListVMs streams, one VM at a
 * time, in constant memory. Errors name the host: "host-a: vm not found:
 * worker-1" (API class, with the API code); a network failure is network
 * class, never confused with an API error.
 *
 * Memory: one tt_vmm holds its client, trust store, buffers and tokens
 * (113 KiB in the default configuration, of which 64 KiB is the client
 * with the TLS connection buffers of its pool).
 */
#ifndef TT_VMM_H
#define TT_VMM_H

#include "api.h"

#if !TT_FEATURE_VMM
#error "this build has no vmm client (TT_FEATURE_VMM is 0 or what it needs is off)"
#endif

#define TT_VMM_NAME_MAX 64
#define TT_VMM_DNS_MAX 4

/* Read only by tt_vmm_init: strings are copied and the PEM files loaded
 * there, so cfg may go once init returns. */
typedef struct tt_vmm_config {
    const char *name;            /* host name in messages, "host-a"; NULL:
                                  * the address's host; cut at 255 bytes */
    const char *address;         /* "192.168.1.10:8443" or "host:port" */
    const char *labels;          /* free text, "rack=r1,zone=a" (kept, not
                                  * sent); 127 bytes at most */
    const char *ca;              /* PEM file of the CA that signed the host */
    const char *cert;            /* client certificate chain (PEM) */
    const char *key;             /* client key (PEM) */
    int64_t timeout_ms;          /* 0: 30 s */
    int64_t long_timeout_ms;     /* 0: 300 s */
    const char *scheme;          /* NULL: "https"; "http" for tests only */
    /* The lowest TLS version (TT_TLS_VERSION_*); 0: TLS 1.3, as the vmm
     * host's own client demands (MinVersion TLS 1.3). A BearSSL build
     * speaks 1.2 only: there it must be lowered explicitly, else every
     * call fails with TT_E_TLS_CONFIG saying so. */
    unsigned tls_min_version;
} tt_vmm_config;

/* A VM as the host answers it; caller-owned. A string longer than its
 * array is an error (TT_E_LIMIT_JSON_STRING), never cut; "" when absent. */
typedef struct tt_vmm_vm {
    char name[TT_VMM_NAME_MAX];  /* required */
    char state[16];              /* "running", "stopped", ... */
    int32_t cpus;
    int64_t memory_mb;
    int64_t disk_size_mb;
    char image[128];
    char ip[48];
    char created_at[40];         /* as the host wrote it */
} tt_vmm_vm;

/* Read during tt_vmm_create only. The JSON body must fit
 * TT_API_REQUEST_MAX, else TT_E_LIMIT_JSON_BODY. */
typedef struct tt_vmm_create_req {
    const char *name;            /* required */
    int32_t cpus;                /* required, > 0 */
    int64_t memory_mb;           /* required, > 0 */
    int64_t disk_size_mb;        /* 0: omitted */
    const char *ssh_public_key;  /* NULL/"": omitted */
    const char *dns_servers[TT_VMM_DNS_MAX];
    size_t ndns;                 /* 0: omitted; more than TT_VMM_DNS_MAX
                                  * is TT_E_INVALID_ARG */
    const char *image;           /* NULL/"": omitted */
    const char *kernel;          /* NULL/"": omitted */
} tt_vmm_create_req;

/* Caller-owned; hostname as tt_vmm_vm's strings. */
typedef struct tt_vmm_status {
    char hostname[64];
    int32_t total_cpus, used_cpus;
    int64_t total_memory_mb, used_memory_mb, available_memory_mb;
    int32_t running_vms, total_vms;
} tt_vmm_status;

/* The tables of the records (printing them, binding them from a caller's
 * own text): each the root of its answer's data. */
extern const tt_json_field tt_vmm_vm_json;
extern const tt_json_field tt_vmm_status_json;

/* Caller-owned; points into itself after init: never copy or move it.
 * One call at a time. */
typedef struct tt_vmm {
    tt_client client;
    tt_api api;
    tt_tls_store store;
    tt_tls_config tls;
    unsigned char arena[TT_API_TLS_ARENA];
    char buf[TT_API_BODY_MAX];
    char req[TT_API_REQUEST_MAX];
    tt_json doc;
    tt_vmm_vm slot;              /* ListVMs: each VM while it is handed over */
    char labels[128];            /* cfg->labels */
} tt_vmm;

/* Load the CA and the client credentials (https only; the port reads the
 * files) and prepare the client. -1 with err: no address, labels over
 * 127 bytes, or https without ca, cert and key (TT_E_INVALID_ARG); TT_E_TLS_LOAD or
 * TT_E_LIMIT_TLS_ARENA from loading; a URL that is bad or longer than
 * TT_URL_MAX (TT_E_URL_*, TT_E_LIMIT_URL). */
int tt_vmm_init(tt_vmm *v, const tt_port *port, const tt_vmm_config *cfg, tt_error *err);

/* Close pooled connections; v may be used again. */
void tt_vmm_close(tt_vmm *v);

/* POST /vms with the long timeout, never retried; the new VM into out.
 * TT_E_INVALID_ARG (usage) without name, cpus > 0 and memory_mb > 0. */
int tt_vmm_create(tt_vmm *v, const tt_vmm_create_req *req, tt_vmm_vm *out, tt_error *err);

/*
 * One VM by name: get, start, stop (POST .../start, .../stop), delete
 * (force: ?force=true). name is percent-encoded here; NULL, "", "." or
 * "..", or an encoding of 3 * TT_VMM_NAME_MAX bytes or more is
 * TT_E_INVALID_ARG (usage). out may be NULL; it is zeroed and bound only
 * once the call succeeded (untouched when it failed): TT_E_JSON_TYPE when
 * the data is no object, TT_E_JSON_MISSING without a name,
 * TT_E_LIMIT_JSON_STRING for a field too long (the others bound). Call
 * errors as tt_api_call, an API error naming the host.
 */
int tt_vmm_get(tt_vmm *v, const char *name, tt_vmm_vm *out, tt_error *err);
int tt_vmm_delete(tt_vmm *v, const char *name, int force, tt_error *err);
int tt_vmm_start(tt_vmm *v, const char *name, tt_vmm_vm *out, tt_error *err);
int tt_vmm_stop(tt_vmm *v, const char *name, tt_vmm_vm *out, tt_error *err);

/* GET /status into out (zeroed once the call succeeded); errors as
 * tt_vmm_get. */
int tt_vmm_get_status(tt_vmm *v, tt_vmm_status *out, tt_error *err);

/* GET /health: 0 for a 2xx answer that is no error envelope. */
int tt_vmm_health(tt_vmm *v, tt_error *err);

/* ListVMs: fn once per VM while the list streams in, with the VM's own
 * problem when a field of it did not fit (the rest of it is bound, the
 * list goes on); fn's -1 stops, and is returned with fn's err. vm and
 * problem are v's, valid during fn only. The count goes to *count (when
 * not NULL) only on success. */
typedef int (*tt_vmm_vm_fn)(void *user, const tt_vmm_vm *vm, const tt_error *problem,
                            tt_error *err);
int tt_vmm_list(tt_vmm *v, tt_vmm_vm_fn fn, void *user, size_t *count, tt_error *err);

#endif /* TT_VMM_H */
