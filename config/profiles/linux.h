/* Profile "linux": servers and gateways with memory to spare. The
 * defaults of config/tether_config.h, named, so that the size report can
 * show them next to the others. */
#define TT_PROFILE_NAME "linux"
