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
 * (about 30 KiB plus the TLS connection buffers of the pool).
 */
#ifndef TT_VMM_H
#define TT_VMM_H

#include "api.h"

#if !TT_FEATURE_VMM
#error "this build has no vmm client (TT_FEATURE_VMM is 0 or what it needs is off)"
#endif

#define TT_VMM_NAME_MAX 64
#define TT_VMM_DNS_MAX 4

typedef struct tt_vmm_config {
    const char *name;            /* host name in messages, "host-a" */
    const char *address;         /* "192.168.1.10:8443" or "host:port" */
    const char *labels;          /* free text, "rack=r1,zone=a" (kept, not sent) */
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

typedef struct tt_vmm_vm {
    char name[TT_VMM_NAME_MAX];
    char state[16];              /* "running", "stopped", ... */
    int32_t cpus;
    int64_t memory_mb;
    int64_t disk_size_mb;
    char image[128];
    char ip[48];
    char created_at[40];
} tt_vmm_vm;

typedef struct tt_vmm_create_req {
    const char *name;            /* required */
    int32_t cpus;                /* required, > 0 */
    int64_t memory_mb;           /* required, > 0 */
    int64_t disk_size_mb;        /* 0: omitted */
    const char *ssh_public_key;  /* NULL/"": omitted */
    const char *dns_servers[TT_VMM_DNS_MAX];
    size_t ndns;                 /* 0: omitted */
    const char *image;           /* NULL/"": omitted */
    const char *kernel;          /* NULL/"": omitted */
} tt_vmm_create_req;

typedef struct tt_vmm_status {
    char hostname[64];
    int32_t total_cpus, used_cpus;
    int64_t total_memory_mb, used_memory_mb, available_memory_mb;
    int32_t running_vms, total_vms;
} tt_vmm_status;

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
    char labels[128];
} tt_vmm;

/* Load the CA and the client credentials and prepare the client. -1 with
 * a usage or TLS-load error naming what is wrong. */
int tt_vmm_init(tt_vmm *v, const tt_port *port, const tt_vmm_config *cfg, tt_error *err);

/* Close pooled connections. */
void tt_vmm_close(tt_vmm *v);

int tt_vmm_create(tt_vmm *v, const tt_vmm_create_req *req, tt_vmm_vm *out, tt_error *err);
int tt_vmm_get(tt_vmm *v, const char *name, tt_vmm_vm *out, tt_error *err);
int tt_vmm_delete(tt_vmm *v, const char *name, int force, tt_error *err);
int tt_vmm_start(tt_vmm *v, const char *name, tt_vmm_vm *out, tt_error *err);
int tt_vmm_stop(tt_vmm *v, const char *name, tt_vmm_vm *out, tt_error *err);
int tt_vmm_get_status(tt_vmm *v, tt_vmm_status *out, tt_error *err);
int tt_vmm_health(tt_vmm *v, tt_error *err);

/* ListVMs: fn once per VM while the list streams in, with the VM's own
 * problem when a field of it did not fit (the rest of it is bound, the
 * list goes on); fn's -1 stops. The count goes to *count when not NULL. */
typedef int (*tt_vmm_vm_fn)(void *user, const tt_vmm_vm *vm, const tt_error *problem,
                            tt_error *err);
int tt_vmm_list(tt_vmm *v, tt_vmm_vm_fn fn, void *user, size_t *count, tt_error *err);

#endif /* TT_VMM_H */
