/* Profile "tiny": the least RAM that still speaks every protocol's small
 * messages: small records (TLS max_fragment_length 1024 for servers that
 * honour it), one connection, no gzip, short URLs and headers, small
 * events and documents. */
#define TT_PROFILE_NAME "tiny"
#define TT_CLIENT_POOL_SIZE 1
#define TT_URL_HOST_MAX 96
#define TT_URL_TARGET_MAX 256
#define TT_URL_MAX 384
#define TT_ERROR_MSG_MAX 128
#define TT_HTTP_STATUS_LINE_MAX 128
#define TT_HTTP_HEADER_LINE_MAX 512
#define TT_HTTP_HEADERS_MAX 24
#define TT_HTTP_REQUEST_HEAD_MAX 768
#define TT_HTTP_RECV_BUF 512
#define TT_HTTP_CONTENT_TYPE_MAX 64
#define TT_JSON_MAX_DEPTH 16
#define TT_JSON_MAX_TOKENS 96
#define TT_SSE_EVENT_MAX 1024
#define TT_SSE_ID_MAX 64
#define TT_SSE_TYPE_MAX 32
#define TT_SSE_HANDLERS_MAX 8
#define TT_API_TOKEN_MAX 256
#define TT_API_BODY_MAX 2048
#define TT_API_REQUEST_MAX 1536
#define TT_API_TLS_ARENA 4096
#define TT_FEATURE_GZIP 0
#define TT_TLS_MAX_FRAGMENT 1024
#define TT_TLS_SESSION_CACHE 1
#define TT_TLS_CHAIN_MAX 3
