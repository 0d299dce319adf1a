/* lwIP options for tether's lwIP port on a hosted test (the unix port's
 * tcpip thread and tapif netif) and the shape a device build would use:
 * sockets API with timeouts and poll, IPv4, TCP. DNS is off by default
 * (addresses come configured or from --resolve-style overrides); the
 * Makefile's lwIP test builds with -DLWIP_DNS=1. */
#ifndef TT_LWIPOPTS_H
#define TT_LWIPOPTS_H

#define NO_SYS 0
#define LWIP_SOCKET 1
#define LWIP_NETCONN 1
#define LWIP_COMPAT_SOCKETS 0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SOCKET_OFFSET 1
#define LWIP_SOCKET_POLL 1
#define LWIP_SOCKET_SELECT 1
#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_SO_RCVTIMEO 1
#define LWIP_SO_SNDTIMEO 1
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_NETIF_API 1

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_TCP 1
#define LWIP_UDP 1
/* LWIP_DNS 1 for devices that resolve names: port_lwip.c asks lwIP's raw
 * resolver (dns_gethostbyname, under the core lock below) and waits only
 * until tether's connect deadline; servers come from dns_setserver or
 * DHCP. lwIP itself gives up on a silent server after DNS_MAX_RETRIES
 * (4: 6 to 7 s per server); a query tether stopped waiting for runs on
 * until then. */
#ifndef LWIP_DNS
#define LWIP_DNS 0
#endif
#define LWIP_DHCP 0
#define LWIP_RAW 0
#define LWIP_IGMP 0

/* lwIP's own static heap and pools, as on a device: no malloc in the
 * stack (the hosted unix port's sys_arch still allocates its threads and
 * semaphores; a device's sys_arch is its RTOS's) */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_SIZE (128 * 1024)
#define MEM_ALIGNMENT 8
/* TCP_MSS here is lwIP's own (the glibc clash that breaks Debian's liblwip
 * binary comes from including netinet/tcp.h next to lwIP: we never do) */
#define TCP_MSS 1460
#define TCP_WND (8 * TCP_MSS)
#define TCP_SND_BUF (8 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define MEMP_NUM_TCP_SEG TCP_SND_QUEUELEN
#define MEMP_NUM_TCP_PCB 16
#define MEMP_NUM_NETCONN 16
#define PBUF_POOL_SIZE 64
#define LWIP_NETIF_TX_SINGLE_PBUF 1
#define LWIP_STATS 0
#define LWIP_NOASSERT_ON_ERROR 1

/* Debian's lwIP sources (shared with the Hurd) expect these from the
 * socket headers; with lwIP's own sockaddr types they set and read
 * sin_len */
#define IP4ADDR_SOCKADDR_SET_LEN(sin) ((sin)->sin_len = sizeof(struct sockaddr_in))
#define IP6ADDR_SOCKADDR_SET_LEN(sin6) ((sin6)->sin6_len = sizeof(struct sockaddr_in6))
#define IPADDR_SOCKADDR_GET_LEN(addr) ((addr)->sa.sa_len)

#define LWIP_ASSERT_CORE_LOCKED() sys_check_core_locking()
#define LWIP_MARK_TCPIP_THREAD() sys_mark_tcpip_thread()
void sys_check_core_locking(void);
void sys_mark_tcpip_thread(void);
/* the unix port tracks the core lock's holder for the check above */
void sys_lock_tcpip_core(void);
void sys_unlock_tcpip_core(void);
#define LOCK_TCPIP_CORE() sys_lock_tcpip_core()
#define UNLOCK_TCPIP_CORE() sys_unlock_tcpip_core()

#endif
