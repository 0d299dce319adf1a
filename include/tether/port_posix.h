/*
 * POSIX port: BSD sockets with poll(), clock_gettime, getrandom, files.
 * Runs on Linux with glibc or musl. Stateless: the context is NULL and one
 * tt_port value may be shared by any number of clients and threads.
 */
#ifndef TT_PORT_POSIX_H
#define TT_PORT_POSIX_H

#include "port.h"

/* Fill *port with the POSIX implementation (a static table, no context:
 * *port may be copied freely). */
void tt_port_posix_init(tt_port *port);

#endif /* TT_PORT_POSIX_H */
