/* Unit tests: every module over the mock port, no network. */
#include "../testlib.h"
#include "suites.h"

int main(void)
{
    suite_errors();
    suite_url();
    suite_http_writer();
    suite_http_parser();
    suite_client();
#if !TT_TLS_MBEDTLS  /* BearSSL's glue: not in a TLS=mbedtls build */
    suite_tls();
#endif
    suite_json();
    suite_json_bind();
    suite_sse();
    suite_plexd_verify();
    suite_api();
    suite_proto();
#if !TT_TLS_MBEDTLS
    suite_tls_load();
#endif
    suite_api_edges();
    suite_engine_edges();
    return tt_test_summary();
}
