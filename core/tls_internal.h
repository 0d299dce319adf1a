/* Private pieces shared by the TLS files (tls.c, tls_x509.c, tls_load.c). */
#ifndef TT_TLS_INTERNAL_H
#define TT_TLS_INTERNAL_H

#include "tls.h"

/* Prepare the X.509 engine for one handshake with url's host. days and
 * seconds are the validation time in BearSSL's form (days since year 0). */
void tt_x509_setup(tt_x509 *x, const tt_tls_config *cfg, const tt_url *url,
                   uint32_t days, uint32_t seconds);

/* The smallest RSA key accepted, in bits (cfg's, or TT_TLS_MIN_RSA_BITS). */
unsigned tt_tls_rsa_floor(const tt_tls_config *cfg);

#endif
