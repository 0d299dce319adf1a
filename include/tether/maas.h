/*
 * maas: Canonical MAAS REST API 2.0, VM hosts and machines. Every request
 * carries an OAuth 1.0 PLAINTEXT Authorization header built from the API
 * key "consumer_key:token_key:token_secret" with a fresh nonce and
 * timestamp; operations use MAAS's ?op= convention with form-encoded
 * parameters. MAAS answers many errors as text/plain: the text becomes the
 * message ("maas: HTTP 409 Conflict: No matching resources").
 *
 * VM-host filters (type, zone, pool, tag) are applied here, on the
 * listing: MAAS's vm-hosts endpoint does not filter. Answers are bound
 * while they stream (a machine is tens of KB pretty-printed, in any key
 * order). A 401 "Expired timestamp" (a device whose clock is behind)
 * is retried once with the timestamp corrected from the server's Date,
 * and the correction is kept.
 */
#ifndef TT_MAAS_H
#define TT_MAAS_H

#include "api.h"

#if !TT_FEATURE_MAAS
#error "this build has no maas client (TT_FEATURE_MAAS is 0 or what it needs is off)"
#endif

/* Read only by tt_maas_init (URL and key copied): cfg may go after it. */
typedef struct tt_maas_config {
    const char *url;             /* ".../MAAS" */
    const char *api_key;         /* "consumer:token:secret" */
    int64_t timeout_ms;          /* 0: 30 s */
    int64_t compose_timeout_ms;  /* 0: TT_MAAS_COMPOSE_TIMEOUT_MS (the
                                  * server itself waits up to 120 s) */
    int max_retries;             /* < 0: TT_API_RETRIES; 0: none (compose
                                  * and deploy only when MAAS cannot have
                                  * acted) */
} tt_maas_config;

/*
 * The records, sized for real answers (MAAS 3.x: names up to 255, tags
 * up to 256 characters). Objects MAAS nests (zone, pool, VLAN, subnet,
 * filesystem) are records of their own; lists that can be long
 * (interfaces, their links, block devices, their partitions) reach the
 * caller one element at a time through a tt_json_item_fn, from the
 * record's slot; tt_maas_which() tells which list. A field that does not
 * fit is that record's error (TT_E_LIMIT_JSON_STRING, or
 * TT_E_LIMIT_JSON_ARRAY past a fixed array's count): the listing goes on.
 * Only strings marked "cut" are ever shortened, and visibly ("...").
 * Strings are "" and numbers 0 when absent. All are caller-owned.
 */
typedef struct tt_maas_named {
    int32_t id;
    char name[256];
} tt_maas_named;

typedef struct tt_maas_resources {
    int32_t cores;
    int64_t memory;              /* MiB */
    int64_t local_storage;       /* bytes */
} tt_maas_resources;

typedef struct tt_maas_storage_pool {
    char id[64];
    char name[128];
    char type[16];               /* "dir", "lvm", "zfs" */
    char path[256];
    int64_t total, used, available;
    int is_default;
} tt_maas_storage_pool;

typedef struct tt_maas_vmhost {
    int32_t id;
    char name[256];
    char type[32];               /* "lxd", "virsh" */
    char version[32];
    tt_maas_named zone;
    tt_maas_named pool;
    char tags[TT_MAAS_TAGS_MAX][TT_MAAS_TAG_MAX];
    size_t ntags;
    tt_maas_resources total, used, available;
    double cpu_over_commit_ratio, memory_over_commit_ratio;
    tt_maas_storage_pool storage_pools[TT_MAAS_POOLS_MAX];
    size_t nstorage_pools;
} tt_maas_vmhost;

/* A zone or pool matches by name or by numeric id; type and tag
 * exactly. Read during the call only. */
typedef struct tt_maas_filter {
    const char *type, *zone, *pool, *tag;    /* NULL: any */
} tt_maas_filter;

/*
 * Compose (forms/pods.py ComposeMachineForm): only what MAAS takes. zone,
 * pool and domain are IDs to MAAS; a name is looked up here first (zones/,
 * resourcepools/, domains/). User data is not a compose parameter: it goes
 * with tt_maas_deploy. Read during the call only; NULL or "" (0 for
 * numbers) leaves a parameter out.
 */
typedef struct tt_maas_compose_req {
    int32_t cores;               /* required */
    int64_t memory;              /* MiB, required */
    const char *storage;         /* "root:20(ssd),data:100" (GB) or NULL */
    const char *interfaces;      /* "eth0:space=dmz;eth1:subnet=10.0.0.0/24" */
    const char *hostname;
    const char *zone;            /* name or id */
    const char *pool;            /* name or id */
    const char *domain;          /* name or id */
    const char *architecture;    /* "amd64/generic" */
    const char *pinned_cores;    /* "0,2,3" */
    int32_t cpu_speed;           /* MHz; 0: MAAS's */
    int hugepages_backed;
    int skip_commissioning;
} tt_maas_compose_req;

/* Read during the call only. */
typedef struct tt_maas_deploy_req {
    const char *user_data;       /* cloud-init text, sent base64 (NULL: none) */
    size_t user_data_len;
    const char *distro_series;   /* "jammy" or NULL: MAAS's default */
    const char *hwe_kernel;
} tt_maas_deploy_req;

typedef struct tt_maas_vlan {
    int32_t id;
    int32_t vid;
    char name[64];
    char fabric[256];
    int32_t mtu;
    int dhcp_on;
} tt_maas_vlan;

typedef struct tt_maas_subnet {
    int32_t id;
    char name[256];
    char cidr[48];
    char gateway_ip[48];
    char space[256];
    tt_maas_vlan vlan;
} tt_maas_subnet;

typedef struct tt_maas_link {
    int32_t id;
    char mode[16];               /* "auto", "dhcp", "static", "link_up" */
    char ip_address[48];
    tt_maas_subnet subnet;
} tt_maas_link;

typedef struct tt_maas_iface {
    int32_t id;
    char name[64];
    char type[16];               /* "physical", "bond", "bridge", "vlan", "alias" */
    char mac_address[24];
    int enabled;
    int link_connected;
    int32_t effective_mtu;
    int32_t link_speed;          /* Mbit/s */
    tt_maas_vlan vlan;
    char parents[TT_MAAS_PARENTS_MAX][64];
    size_t nparents;
    size_t nlinks;               /* counted while they pass */
    tt_maas_link link;           /* slot: each link */
} tt_maas_iface;

typedef struct tt_maas_filesystem {
    char fstype[16];
    char label[64];
    char uuid[48];
    char mount_point[256];
} tt_maas_filesystem;

typedef struct tt_maas_partition {
    int32_t id;
    char uuid[48];
    char path[256];
    int64_t size;
    int bootable;
    char used_for[256];
    tt_maas_filesystem filesystem;
} tt_maas_partition;

typedef struct tt_maas_blockdevice {
    int32_t id;
    char name[64];
    char type[16];               /* "physical", "virtual" */
    char path[256];
    char model[128];
    char serial[128];
    char id_path[256];
    int64_t size;
    int32_t block_size;
    char used_for[256];
    char partition_table_type[8];
    tt_maas_filesystem filesystem;
    char tags[TT_MAAS_TAGS_MAX][TT_MAAS_TAG_MAX];
    size_t ntags;
    size_t npartitions;          /* counted while they pass */
    tt_maas_partition partition; /* slot: each partition */
} tt_maas_blockdevice;

typedef struct tt_maas_ref {
    int32_t id;
    char name[64];
} tt_maas_ref;

typedef struct tt_maas_machine {
    char system_id[32];
    char hostname[256];
    char fqdn[512];
    char description[256];
    char hardware_uuid[48];
    int32_t status;
    char status_name[64];
    char status_message[256];    /* a message for people: cut, marked */
    char architecture[64];
    int32_t cpu_count;
    int32_t cpu_speed;           /* MHz */
    int64_t memory;              /* MiB */
    double storage;              /* MB */
    char power_state[16];
    char power_type[32];
    char osystem[32];
    char distro_series[64];
    char owner[256];
    int locked;
    tt_maas_named zone, pool, domain;
    tt_maas_ref boot_interface;
    char tag_names[TT_MAAS_TAGS_MAX][TT_MAAS_TAG_MAX];
    size_t ntag_names;
    char ip_addresses[TT_MAAS_ADDRESSES_MAX][48];
    size_t nip_addresses;
    size_t ninterfaces, nblockdevices; /* counted while they pass */
    /* slots: each element of its list */
    tt_maas_iface interface;
    tt_maas_blockdevice blockdevice;
} tt_maas_machine;

typedef enum tt_maas_list {
    TT_MAAS_LIST_OTHER = 0,
    TT_MAAS_LIST_INTERFACES,     /* tt_maas_iface */
    TT_MAAS_LIST_LINKS,          /* tt_maas_link; parent: its interface */
    TT_MAAS_LIST_BLOCKDEVICES,   /* tt_maas_blockdevice */
    TT_MAAS_LIST_PARTITIONS,     /* tt_maas_partition; parent: its device */
    TT_MAAS_LIST_VMHOSTS         /* tt_maas_vmhost */
} tt_maas_list;

/* Which list of a MAAS answer an item handed to a callback is from. */
tt_maas_list tt_maas_which(const tt_json_item *item);

/* The record tables (to print the records, or bind a caller's own text). */
extern const tt_json_field tt_maas_machine_json;
extern const tt_json_field tt_maas_vmhosts_json;

/* Caller-owned (118 KiB in the default configuration: the client's pool,
 * buffers, tokens, slots); points into itself after init: never copy or
 * move it. One call at a time. */
typedef struct tt_maas {
    tt_client client;
    tt_api api;
    char buf[TT_API_BODY_MAX];
    char req[TT_API_REQUEST_MAX];
    tt_json doc;                 /* error bodies */
    tt_maas_named named;         /* slot of zone, pool and domain lookups */
    tt_maas_vmhost host;         /* slot of VM host listings */
} tt_maas;

/* Prepare m (the port is copied). -1 with err: no URL or no key
 * (TT_E_INVALID_ARG), a URL that is bad or too long with /api/2.0
 * (TT_E_URL_*, TT_E_LIMIT_URL), a key that is not three parts or of
 * TT_API_TOKEN_MAX bytes or more (TT_E_INVALID_ARG). */
int tt_maas_init(tt_maas *m, const tt_port *port, const tt_maas_config *cfg, tt_error *err);

/* Close pooled connections; m may be used again. */
void tt_maas_close(tt_maas *m);

/* 1 when the host passes the filter (NULL passes everything). */
int tt_maas_vmhost_matches(const tt_maas_filter *f, const tt_maas_vmhost *h);

/*
 * VM hosts, one at a time while the list streams: fn gets each host that
 * matches the filter, and every host that could not be read whole, with
 * its problem (which field, how big; the rest of it is bound), so that one
 * odd host never hides the others. -1 from fn stops the listing and is
 * returned with fn's err. h and problem are m's: valid during fn only.
 */
typedef int (*tt_maas_vmhost_fn)(void *user, const tt_maas_vmhost *h, const tt_error *problem,
                                 tt_error *err);
int tt_maas_vmhosts(tt_maas *m, const tt_maas_filter *f, tt_maas_vmhost_fn fn, void *user,
                    tt_error *err);

/* One VM host into out (zeroed first). A host with a field that did not
 * fit: -1, out bound but for it. Call errors as tt_api_call. */
int tt_maas_read_vmhost(tt_maas *m, int32_t id, tt_maas_vmhost *out, tt_error *err);

/* Resolve a zone, pool or domain given as a name or an id: its id into
 * *id. kind is "zones", "resourcepools" or "domains". A decimal
 * 0..INT32_MAX is taken as the id without asking; a name is matched
 * exactly (records with a problem are skipped). -1 with TT_E_INVALID_ARG
 * (usage) for another kind, a NULL or "" name, or no match; with
 * TT_E_JSON_RANGE (protocol) when several records carry the name (MAAS
 * keeps them unique); else call errors. */
int tt_maas_lookup(tt_maas *m, const char *kind, const char *name_or_id, int32_t *id,
                   tt_error *err);

/* Compose a VM on host id: its system id into system_id[cap]. Sent once
 * unless MAAS cannot have acted on it; it may take the server 120 s. A
 * form error comes back as "zone: Select a valid choice. ...". Zone, pool
 * and domain names cost a lookup each first. -1 with err: cores or memory
 * not > 0, bad pinned_cores (TT_E_INVALID_ARG); a form longer than
 * TT_API_REQUEST_MAX (TT_E_LIMIT_JSON_BODY); an id that does not fit cap
 * (TT_E_LIMIT_JSON_STRING: the VM exists, its id is in the message,
 * system_id holds it cut); lookup and call errors. */
int tt_maas_compose(tt_maas *m, int32_t id, const tt_maas_compose_req *q, char *system_id,
                    size_t cap, tt_error *err);

/*
 * A machine, in constant memory whatever its size: the fixed parts into
 * out, interfaces (with their links) and block devices (with their
 * partitions) to on_item (may be NULL; then the first element's problem is
 * returned, once the whole answer is read). -1 when a field of the
 * machine itself did not fit (out holds the rest). out is zeroed first;
 * items point into out and are valid during on_item only. system_id is
 * percent-encoded; NULL, "" or an encoding of 64 bytes or more is
 * TT_E_INVALID_ARG (usage).
 */
int tt_maas_read_machine(tt_maas *m, const char *system_id, tt_maas_machine *out,
                         tt_json_item_fn on_item, void *user, tt_error *err);

/* Deploy a machine (op=deploy) with user data; the machine as MAAS
 * answers it (status "Deploying"), as tt_maas_read_machine. The user data
 * in base64, form-encoded, must fit TT_API_REQUEST_MAX with the other
 * parameters, else TT_E_LIMIT_JSON_BODY (nothing sent). q must not be
 * NULL. */
int tt_maas_deploy(tt_maas *m, const char *system_id, const tt_maas_deploy_req *q,
                   tt_maas_machine *out, tt_json_item_fn on_item, void *user, tt_error *err);

#endif /* TT_MAAS_H */
