/* Unit tests: every module over the mock port, no network; one suite per
 * library module (suites.h). */
#include "../testlib.h"
#include "suites.h" /* and the features: which suites this build has */

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
#if UNIT_JSON_SUITE
    suite_json();
#endif
#if TT_FEATURE_JSON_BIND && TT_FEATURE_JSON_WRITE
    suite_json_bind();
#endif
#if TT_FEATURE_SSE
    suite_sse();
    suite_backoff();
#endif
#if TT_FEATURE_PLEXD
    suite_timefmt();
    suite_base64();
#endif
#if TT_FEATURE_PLEXD && TT_FEATURE_ED25519
    suite_ed25519();
#endif
#if TT_FEATURE_PLEXD
    suite_plexd_verify();
#endif
#if UNIT_ALL_PROTOCOLS
    suite_api();
    suite_plexd();
    suite_maas();
    suite_pool();
    suite_sky();
    suite_vmm();
#endif
#if UNIT_GZIP_SUITE
    suite_gzip();
#endif
#if (TT_FEATURE_TLS && !TT_TLS_MBEDTLS) || UNIT_ALL_PROTOCOLS
    suite_tls_load();
#endif
    return tt_test_summary();
}
