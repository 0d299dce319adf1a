/*
 * RAM of tether's structures under the configuration it is compiled with
 * (a profile from config/profiles or the defaults): printed by
 * `make size-report` for each profile.
 */
#include <stdio.h>

#include "tether/client.h"
#include "tether/json.h"
#include "tether/sse_stream.h"
#include "tether/vmm.h"
#include "tether/plexd.h"
#include "tether/maas.h"
#include "tether/skypilot.h"
#include "tether/poolmgr.h"

static void row(const char *what, size_t n)
{
    printf("  %-44s %8zu\n", what, n);
}

int main(void)
{
    printf("profile %s (TT_CLIENT_POOL_SIZE %d, TT_HTTP_RECV_BUF %d, TLS record buffer %s %d)\n",
           TT_PROFILE_NAME, TT_CLIENT_POOL_SIZE, TT_HTTP_RECV_BUF,
           TT_TLS_FULL_DUPLEX ? "full duplex" : "half duplex", TT_TLS_MAX_FRAGMENT);
#if TT_FEATURE_TLS
    row("tt_tls_conn (one TLS connection: engine, X.509, records)", sizeof(tt_tls_conn));
    row("tt_conn (a pooled connection with its TLS state)", sizeof(tt_conn));
    row("mTLS connection RAM: tt_client with one connection",
        sizeof(tt_client) - (TT_CLIENT_POOL_SIZE - 1) * sizeof(tt_conn));
#endif
    row("tt_client (all pooled connections, session cache)", sizeof(tt_client));
    row("tt_json (one document's tokens)", sizeof(tt_json));
    row("tt_json_binder (binds any answer while it streams)", sizeof(tt_json_binder));
    row("tt_sse_parser (+ TT_SSE_EVENT_MAX event buffer)", sizeof(tt_sse_parser) + TT_SSE_EVENT_MAX);
    row("tt_sse_stream (the reconnect engine)", sizeof(tt_sse_stream));
    row("tt_vmm (client, trust store arena, buffers)", sizeof(tt_vmm));
    row("tt_plexd (client, buffers, gzip arena)", sizeof(tt_plexd));
    row("tt_plexd_events (its own client, parser, event buffer)", sizeof(tt_plexd_events));
    row("tt_plexd_state (fixed parts and one slot per list)", sizeof(tt_plexd_state));
    row("tt_plexd_registration (node secret key of TT_PLEXD_SECRET_KEY_MAX)",
        sizeof(tt_plexd_registration));
    row("tt_maas (its VM host slot included)", sizeof(tt_maas));
    row("tt_maas_machine (fixed parts, interface and device slots)", sizeof(tt_maas_machine));
    row("tt_sky (two binders for JSON nested in strings)", sizeof(tt_sky));
    row("tt_pool", sizeof(tt_pool));
    return 0;
}
