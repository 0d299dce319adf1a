/*
 * maas: Canonical MAAS REST API 2.0, VM hosts and machines. Every request
 * carries an OAuth 1.0 PLAINTEXT Authorization header built from the API
 * key "consumer_key:token_key:token_secret" with a fresh nonce and
 * timestamp; operations use MAAS's ?op= convention with form-encoded
 * parameters. MAAS answers many errors as text/plain: the text becomes the
 * message ("maas: HTTP 409 Conflict: No matching resources").
 *
 * VM-host filters (type, zone, pool, tag) are applied here, on the
 * listing: MAAS's vm-hosts endpoint does not filter.
 */
#ifndef TT_MAAS_H
#define TT_MAAS_H

#include "api.h"

#define TT_MAAS_TAGS_MAX 8
#define TT_MAAS_IFACES_MAX 8
#define TT_MAAS_LINKS_MAX 4

typedef struct tt_maas_config {
    const char *url;             /* ".../MAAS" */
    const char *api_key;         /* "consumer:token:secret" */
    int64_t timeout_ms;          /* 0: 30 s */
} tt_maas_config;

typedef struct tt_maas_resources {
    int32_t cores;
    int64_t memory;              /* MiB */
    int64_t local_storage;       /* bytes */
} tt_maas_resources;

typedef struct tt_maas_named { char name[64]; } tt_maas_named;

typedef struct tt_maas_vmhost {
    int32_t id;
    char name[64];
    char type[16];               /* "lxd", "virsh" */
    tt_maas_named zone;
    tt_maas_named pool;
    char tags[TT_MAAS_TAGS_MAX][32];
    size_t ntags;
    tt_maas_resources total, used, available;
} tt_maas_vmhost;

typedef struct tt_maas_filter {
    const char *type, *zone, *pool, *tag;    /* NULL: any */
} tt_maas_filter;

typedef struct tt_maas_compose_req {
    int32_t cores;               /* required */
    int64_t memory;              /* MiB, required */
    const char *storage;         /* "root:20(ssd),data:100" (GB) or NULL */
    const char *hostname;
    const char *zone;
    const char *pool;
    const char *interfaces;      /* "eth0:space=dmz;eth1:subnet=10.0.0.0/24" */
    const char *profile;         /* LXD profile */
    const char *project;         /* LXD project */
    const char *user_data;       /* cloud-init text (sent base64-encoded) */
} tt_maas_compose_req;

typedef struct tt_maas_link {
    char ip_address[48];
    struct { char gateway_ip[48]; char cidr[48]; } subnet;
} tt_maas_link;

typedef struct tt_maas_iface {
    char name[32];
    char mac_address[24];
    tt_maas_link links[TT_MAAS_LINKS_MAX];
    size_t nlinks;
} tt_maas_iface;

typedef struct tt_maas_machine {
    char system_id[16];
    char hostname[64];
    char status_name[32];
    tt_maas_named zone;
    tt_maas_iface interfaces[TT_MAAS_IFACES_MAX];
    size_t ninterfaces;
} tt_maas_machine;

typedef struct tt_maas {
    tt_client client;
    tt_api api;
    char buf[TT_API_BODY_MAX];
    char req[TT_API_REQUEST_MAX];
    char elem[TT_JSON_ELEMENT_MAX];
    tt_json doc;
    tt_json elem_doc;
} tt_maas;

int tt_maas_init(tt_maas *m, const tt_port *port, const tt_maas_config *cfg, tt_error *err);
void tt_maas_close(tt_maas *m);

/* VM hosts matching the filter, one at a time (the list streams). */
typedef int (*tt_maas_vmhost_fn)(void *user, const tt_maas_vmhost *h, tt_error *err);
int tt_maas_vmhosts(tt_maas *m, const tt_maas_filter *f, tt_maas_vmhost_fn fn, void *user,
                    tt_error *err);

int tt_maas_read_vmhost(tt_maas *m, int32_t id, tt_maas_vmhost *out, tt_error *err);

/* Compose a VM on host id: its system id into system_id[cap]. */
int tt_maas_compose(tt_maas *m, int32_t id, const tt_maas_compose_req *q, char *system_id,
                    size_t cap, tt_error *err);

int tt_maas_read_machine(tt_maas *m, const char *system_id, tt_maas_machine *out, tt_error *err);

#endif /* TT_MAAS_H */
