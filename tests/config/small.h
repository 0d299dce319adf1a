/* A deliberately small configuration: `make test` builds and runs the unit
 * tests with it, proving that TETHER_CONFIG_FILE overrides the defaults and
 * that the code holds together with tiny buffers (a 64-byte receive buffer
 * splits every response into many reads). */
#define TT_HTTP_STATUS_LINE_MAX 128
#define TT_HTTP_HEADER_LINE_MAX 256
#define TT_HTTP_HEADERS_MAX 12
#define TT_HTTP_RECV_BUF 64
#define TT_HTTP_REQUEST_HEAD_MAX 512
#define TT_URL_TARGET_MAX 200
#define TT_URL_MAX 256
#define TT_ERROR_MSG_MAX 96
/* full-duplex TLS buffers (the default is half duplex) */
#define TT_TLS_FULL_DUPLEX 1
#define TT_TLS_SESSION_CACHE 1
#define TT_API_TOKEN_MAX 256
