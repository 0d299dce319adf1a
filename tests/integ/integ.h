/* Shared helpers of the integration tests (real servers on loopback). */
#ifndef TT_INTEG_H
#define TT_INTEG_H

#include "../testlib.h"
#include "tether/client.h"
#include "tether/port_posix.h"

#include <stdint.h>

/* Environment from tests/env.sh; NULL/0 when absent. */
const char *integ_env_dir(void);
int integ_nginx_port(void);
int integ_bad_port(void);

/* "http://127.0.0.1:PORT/path" into a static rotating buffer. */
const char *integ_url(int port, const char *path);

/* Monotonic milliseconds. */
int64_t integ_now_ms(void);

/* A client on the POSIX port with defaults (optionally changed). */
void integ_client(tt_client *c, const tt_client_config *cfg);

/* Read a whole file into buf; returns its length or -1. */
long integ_read_file(const char *path, char *buf, size_t cap);

/* A KiB figure of this process from /proc/self/status ("RssAnon:"), or -1. */
long integ_status_kb(const char *field);

/* Peak resident set size of this process in KiB (VmHWM). */
long integ_peak_rss_kb(void);

void suite_integ_http(void);
void suite_integ_bad(void);
void suite_integ_fault(void);
void suite_integ_tls(void);
void suite_integ_json(void);
void suite_integ_sse(void);
void suite_integ_vmm(void);
void suite_integ_pool(void);
void suite_integ_sky(void);
void suite_integ_maas(void);
void suite_integ_plexd(void);

/* The reference control plane: the port of a protocol ("POOL"), and an
 * admin POST (/_faults, /_reset) to a plain-HTTP listener; 0 or -1. */
int integ_cp_port(const char *proto);
int integ_cp_admin(int port, const char *path, const char *json);

/* Child mode of the JSON memory test: decode /vms-N.json, print "count hwm_kb". */
int integ_json_stream_child(int n);

/* Child mode of the plexd memory test: fetch the state as node with
 * token, print "peers hwm_kb". */
int integ_plexd_state_child(const char *node, const char *token);

#endif
