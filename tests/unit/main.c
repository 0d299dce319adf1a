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
    suite_tls();
    suite_json();
    suite_json_bind();
    suite_sse();
    suite_plexd_verify();
    suite_api();
    suite_proto();
    suite_tls_load();
    suite_api_edges();
    suite_engine_edges();
    return tt_test_summary();
}
