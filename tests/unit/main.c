/* Unit tests: every module over the mock port, no network. */
#include "../testlib.h"
#include "suites.h"
#include "tether/config.h" /* the features: which suites this build has */

int main(void)
{
    suite_errors();
    suite_url();
    suite_dns();
    suite_http_writer();
    suite_http_parser();
    suite_client();
#if TT_FEATURE_TLS && !TT_TLS_MBEDTLS
    suite_tls();
#endif
#if TT_FEATURE_JSON_WRITE && TT_FEATURE_JSON_BIND && TT_FEATURE_JSON_STREAM
    suite_json();
#endif
#if TT_FEATURE_JSON_BIND && TT_FEATURE_JSON_WRITE
    suite_json_bind();
#endif
#if TT_FEATURE_SSE
    suite_sse();
#endif
#if TT_FEATURE_PLEXD
    suite_plexd_verify();
#endif
#if TT_FEATURE_VMM && TT_FEATURE_PLEXD && TT_FEATURE_MAAS && TT_FEATURE_SKYPILOT && TT_FEATURE_POOLMGR
    suite_api();
#endif
#if TT_FEATURE_VMM && TT_FEATURE_PLEXD && TT_FEATURE_MAAS && TT_FEATURE_SKYPILOT && TT_FEATURE_POOLMGR
    suite_proto();
#endif
#if TT_FEATURE_TLS && !TT_TLS_MBEDTLS
    suite_tls_load();
#endif
#if TT_FEATURE_VMM && TT_FEATURE_PLEXD && TT_FEATURE_MAAS && TT_FEATURE_SKYPILOT && TT_FEATURE_POOLMGR
    suite_api_edges();
#endif
#if TT_FEATURE_SSE && TT_FEATURE_JSON_STREAM && TT_FEATURE_JSON_BIND && TT_FEATURE_GZIP
    suite_engine_edges();
#endif
    return tt_test_summary();
}
