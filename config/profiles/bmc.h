/* Profile "bmc": a management controller (ARM Linux, tens of MB of RAM,
 * flash measured in MB): every protocol, one keep-alive connection,
 * buffers sized for control-plane messages rather than file transfers. */
#define TT_PROFILE_NAME "bmc"
#define TT_CLIENT_POOL_SIZE 1
#define TT_HTTP_HEADER_LINE_MAX 2048
#define TT_HTTP_HEADERS_MAX 32
#define TT_HTTP_REQUEST_HEAD_MAX 2560
#define TT_API_TOKEN_MAX 1024
#define TT_HTTP_RECV_BUF 1024
#define TT_URL_TARGET_MAX 512
#define TT_URL_MAX 768
#define TT_ERROR_MSG_MAX 160
#define TT_SSE_EVENT_MAX 4096
#define TT_API_BODY_MAX 8192
#define TT_API_REQUEST_MAX 4096
#define TT_TLS_SESSION_CACHE 1
#define TT_CLI_BULK_BUF 8192           /* the CLI's download buffer */
/* answers may come gzipped; requests go as they are: zlib's deflate
 * (about 14 KB on ARMv7) is left out of the flash image */
#define TT_FEATURE_GZIP_REQUEST 0
