/* The unit test suites, each in its own file. */
#ifndef TT_UNIT_SUITES_H
#define TT_UNIT_SUITES_H

void suite_errors(void);
void suite_url(void);
void suite_dns(void);
void suite_http_writer(void);
void suite_http_parser(void);
void suite_client(void);
void suite_tls(void);
void suite_json(void);
void suite_sse(void);
void suite_plexd_verify(void);
void suite_api(void);
void suite_proto(void);
void suite_tls_load(void);
void suite_api_edges(void);
void suite_engine_edges(void);
void suite_json_bind(void);

#endif
