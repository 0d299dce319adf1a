/*
 * The unit tests' shared fixture, written once: the mock port (with a copy
 * of its table that tests can bend), a client over it, scripted answers,
 * what the client sent, and each protocol client started over the mock.
 *
 * The objects are the tests' own globals, one of each: a test sets up what
 * it uses (fresh, client_setup, a protocol's start) before it uses it.
 */
#ifndef TT_UNIT_FIXTURE_H
#define TT_UNIT_FIXTURE_H

#include "suites.h"
#include "tether/client.h"
#include "port_mock.h"

#include <signal.h>

/* ---- the port and the client ---- */

extern tt_mock mock;
extern tt_port port;       /* the mock's, through port_ops */
extern tt_port_ops port_ops; /* the mock's table, which tests may bend */
extern tt_client client;
extern int random_fails;   /* random() reports a failure */
extern int sleep_cancels;  /* sleep_ms() reports a cancellation */

/* A fresh mock with no connections scripted yet; nothing bent. */
void fresh(void);
/* A fresh mock and the client over it, with cfg (NULL: the defaults). */
void client_setup(const tt_client_config *cfg);

#if TT_FEATURE_API
#include "tether/api.h"

/* ---- scripted answers, and what went out ---- */

/* A fresh mock; when body is not NULL, one connection answering status
 * with it as JSON (kept open). */
void serve_once(int status, const char *body);
/* One more connection answering status with body (JSON unless the extra
 * headers say otherwise); each closes after its answer. */
void answer_with(int status, const char *headers, const char *body);
void answer(int status, const char *body);
/* Everything the client sent so far, as a string. */
const char *wire(void);
int sent(const char *s);
/* How often s appears in every byte sent (NULs in bodies included). */
int sent_count(const char *s);
/* A string of n copies of c (n < the buffer). */
const char *filled(char c, size_t n);
/* A URL of len characters that tt_url_parse accepts, or NULL (long_url);
 * one of len bytes the client must refuse, parsed or not (overlong_url). */
const char *long_url(size_t len);
const char *overlong_url(size_t len, int *parses);

/* The call failed with this class and code (kept in last), and sent
 * nothing. */
extern tt_error last;
#define CHECK_REFUSED(call, cls_, code_) do { tt_error e_; \
    memset(&e_, 0, sizeof e_); \
    CHECK_INT((call), -1); (void)e; \
    CHECK_INT(last.cls, cls_); CHECK_INT(last.code, code_); \
    CHECK_INT(mock.written_len, 0); } while (0)
#endif

/* ---- the protocol clients: *_open on the mock as it is, *_start on a
 * fresh one ---- */

#if TT_FEATURE_PLEXD
#include "tether/plexd.h"
extern tt_plexd plexd;
void plexd_config(tt_plexd_config *cfg);
void plexd_open(void);
/* with node id node unless it is NULL */
void plexd_start(const char *node);
#endif

#if TT_FEATURE_SKYPILOT
#include "tether/skypilot.h"
extern tt_sky sky;
void sky_config(tt_sky_config *cfg);
/* no retries, a user id */
void sky_open(void);
int sky_start(void);
#endif

#if TT_FEATURE_MAAS
#include "tether/maas.h"
extern tt_maas maas;
int maas_open(void);
int maas_start(void);
#endif

#if TT_FEATURE_VMM
#include "tether/vmm.h"
extern tt_vmm vmm;
int vmm_open(void);
int vmm_start(void);
#endif

#if TT_FEATURE_POOLMGR
#include "tether/poolmgr.h"
extern tt_pool pool;
int pool_open(const char *token);
int pool_start(const char *token);
#endif

#if UNIT_ALL_PROTOCOLS
/* ---- every endpoint of every client, called with arguments it takes ---- */

typedef struct endpoint {
    const char *name;
    char proto;                  /* p, s, m, v, o */
    int (*call)(tt_error *e);
} endpoint;

extern const endpoint endpoints[];
extern const size_t nendpoints;

/* the plexd node calls; the two whose answers are bytes, not JSON */
int c_heartbeat(tt_error *e);
int c_deregister(tt_error *e);
int c_state(tt_error *e);
int c_rotate(tt_error *e);
int c_caps(tt_error *e);
int c_endpoint(tt_error *e);
int c_drift(tt_error *e);
int c_secret(tt_error *e);
int c_reports(tt_error *e);
int c_ack(tt_error *e);
int c_result(tt_error *e);
int c_metrics(tt_error *e);
int c_logs(tt_error *e);
int c_audit(tt_error *e);
int c_artifact(tt_error *e);
int c_sky_logs(tt_error *e);
#endif

#endif /* TT_UNIT_FIXTURE_H */
