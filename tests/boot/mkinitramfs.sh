#!/bin/sh
# Build the boot test's initramfs: tests/boot/init as /init, Debian's static
# busybox, a static tether (and optionally the BMC agent), the NIC's kernel
# modules with their dependencies in load order, and the node's certificate.
#   tests/boot/mkinitramfs.sh PKGDIR TETHER CERTDIR OUT MODULE... [-- BMC]
# PKGDIR holds the unpacked kernel and busybox packages (tools/fetch-deb.sh);
# MODULEs are names (virtio_net), loaded in their order; OUT is a gzip'ed newc cpio archive.
set -eu
pkg=$1; tether=$2; certs=$3; out=$4; shift 4
mods=""; bmc=""
while [ $# -gt 0 ]; do
    case "$1" in --) bmc=$2; shift 2 ;; *) mods="$mods $1"; shift ;; esac
done
root="$out.root"
rm -rf "$root"
mkdir -p "$root/bin" "$root/lib/modules" "$root/etc/tether" "$root/proc" "$root/sys" \
    "$root/dev" "$root/tmp" "$root/run"
cp tests/boot/init "$root/init"
chmod 755 "$root/init"
cp "$pkg/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"    # for /init's #!; it installs the other applets
cp "$tether" "$root/bin/tether"
[ -z "$bmc" ] || cp "$bmc" "$root/bin/tether-bmc"
cp "$certs/root-ca.pem" "$root/etc/tether/ca.pem"
cp "$certs/client-ec.pem" "$root/etc/tether/node.pem"
cp "$certs/client-ec.key" "$root/etc/tether/node.key"

# each module's dependencies are in its own .modinfo ("depends=a,b"; the
# package has no modules.dep, which depmod would write on install): load
# them first, each once
kdir=$(ls -d "$pkg"/lib/modules/*/ | head -1)
: > "$root/etc/modules"
kofile() { find "$kdir" -name "$1.ko" -o -name "$(echo "$1" | tr _ -).ko" | head -1; }
add() { # NAME: its dependencies, then itself
    grep -qx "$1.ko" "$root/etc/modules" && return 0
    f=$(kofile "$1")
    if [ -z "$f" ]; then
        # built into this kernel: nothing to load
        grep -qE "/$1\.ko" "$kdir/modules.builtin" && return 0
        echo "mkinitramfs.sh: no module $1 in $kdir" >&2; exit 1
    fi
    # sh has no local variables: the recursion reuses f, so look it up again
    for d in $(strings -a "$f" | sed -n 's/^depends=//p' | tr , ' '); do add "$d"; done
    cp "$(kofile "$1")" "$root/lib/modules/$1.ko"
    echo "$1.ko" >> "$root/etc/modules"
}
for m in $mods; do add "$m"; done
case "$(head -c 4 "$root/lib/modules/$(head -1 "$root/etc/modules")" | od -An -c | tr -d ' ')" in
    177ELF) ;;
    *) echo "mkinitramfs.sh: modules are compressed; this test loads plain .ko files" >&2; exit 1 ;;
esac
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -6 > "$out"
