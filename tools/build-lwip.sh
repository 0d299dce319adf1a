#!/bin/sh
# Compile lwIP from Debian's source package (src/ and the unix port's
# sys_arch and tapif) with tether's lwipopts.h into a static library.
# Debian's liblwip binary is not used (its build corrupts the packet pool
# on frames over ~600 bytes).
#   tools/build-lwip.sh CC AR OUT_LIB [DEFS]
# DEFS: -D options that lwipopts.h takes from the build (-DLWIP_DNS=1); the
# code that includes lwIP's headers must be compiled with the same.
set -eu
cc=$1; ar=$2; out=$3; defs=${4:-}
top=$(cd "$(dirname "$0")/.." && pwd)
src="$top/build/third_party/lwip"
[ -f "$src/.unpacked" ] || "$top/tools/fetch-src.sh" lwip/bookworm
obj="$(dirname "$out")/obj"
rm -rf "$obj"
mkdir -p "$obj"
inc="$defs -I$top/port/lwip -I$src/src/include -I$src/port/include"
files="src/core/def.c src/core/dns.c src/core/inet_chksum.c src/core/init.c src/core/ip.c src/core/mem.c
 src/core/memp.c src/core/netif.c src/core/pbuf.c src/core/stats.c src/core/sys.c src/core/tcp.c
 src/core/tcp_in.c src/core/tcp_out.c src/core/timeouts.c src/core/udp.c
 src/core/ipv4/etharp.c src/core/ipv4/icmp.c src/core/ipv4/ip4.c src/core/ipv4/ip4_addr.c
 src/core/ipv4/ip4_frag.c src/api/api_lib.c src/api/api_msg.c src/api/err.c src/api/if_api.c
 src/api/netbuf.c src/api/netifapi.c src/api/sockets.c src/api/tcpip.c src/netif/ethernet.c
 port/sys_arch.c port/netif/tapif.c"
for f in $files; do
    $cc -O2 -g $inc -c "$src/$f" -o "$obj/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')"
done
rm -f "$out"
$ar rcs "$out" "$obj"/*.o
echo "  LWIP    $out"
