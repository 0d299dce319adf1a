/* The unit test suites, one per library module, each in its own file. */
#ifndef TT_UNIT_SUITES_H
#define TT_UNIT_SUITES_H

#include "tether/config.h"

#include <limits.h>
#include <stdint.h>

/* Tests that need every protocol client (the five together), and tests
 * that need the whole engine (SSE, JSON streaming and binding, gzip):
 * each keeps the guard it has always run under. */
#define UNIT_ALL_PROTOCOLS (TT_FEATURE_VMM && TT_FEATURE_PLEXD && TT_FEATURE_MAAS && \
                            TT_FEATURE_SKYPILOT && TT_FEATURE_POOLMGR)
#define UNIT_FULL_ENGINE (TT_FEATURE_SSE && TT_FEATURE_JSON_STREAM && TT_FEATURE_JSON_BIND && \
                          TT_FEATURE_GZIP)
/* The JSON suite: its own tests want the writer, binding and streaming;
 * its edge tests run with the whole engine, as they always have. */
#define UNIT_JSON_ALL (TT_FEATURE_JSON_WRITE && TT_FEATURE_JSON_BIND && TT_FEATURE_JSON_STREAM)
#define UNIT_JSON_SUITE (UNIT_JSON_ALL || UNIT_FULL_ENGINE)
/* The gzip suite: its bodies with every protocol client, as they always
 * have been; its size edge with the whole engine, where size_t can say it. */
#define UNIT_GZIP_BODIES (UNIT_ALL_PROTOCOLS && TT_FEATURE_GZIP)
#define UNIT_GZIP_SUITE (UNIT_GZIP_BODIES || (UNIT_FULL_ENGINE && SIZE_MAX > UINT_MAX))

void suite_errors(void);
void suite_url(void);
void suite_dns(void);
void suite_http_writer(void);
void suite_http_parser(void);
void suite_client(void);
void suite_tls(void);
void suite_json(void);
void suite_sse(void);
void suite_backoff(void);
void suite_json_bind(void);
void suite_timefmt(void);
void suite_base64(void);
void suite_ed25519(void);
void suite_gzip(void);
void suite_plexd_verify(void);
void suite_api(void);
void suite_plexd(void);
void suite_maas(void);
void suite_pool(void);
void suite_sky(void);
void suite_vmm(void);
void suite_tls_load(void);

#endif
