#!/bin/sh
# Install what the build and the tests need, when it is missing.
#
#   tools/deps.sh --check GROUP...   only name what is missing (make, make
#                                    static: they never install anything)
#   tools/deps.sh build    compilers and headers for `make`
#   tools/deps.sh test     also the servers and tools `make test` runs
#   tools/deps.sh demo     what `make demo` runs
#   tools/deps.sh static   musl-gcc for `make static`
#   tools/deps.sh cross    cross compilers, qemu-user, file (ARM builds)
#   tools/deps.sh boot     qemu-system and what builds an initramfs (make
#                          boot-test; the kernels and busybox are fetched by
#                          tools/fetch-deb.sh, never installed)
#
# Debian packages are installed with apt-get when running as root; otherwise
# the missing ones are named and the script fails. Sources that must be built
# with the project's own compiler are fetched by the Makefile with
# tools/fetch-src.sh (apt-get source with a private configuration under
# build/apt: nothing in /etc), not here.
set -eu

need_build="gcc make libjsmn-dev dpkg-dev xz-utils"
need_test="pkg-config nginx-light curl openssl gnutls-bin golang-go python3 clang libclang-rt-14-dev valgrind libh2o-evloop0.13 procps"
need_demo="openssl python3 nginx-light curl procps"
need_static="musl-tools"
need_size="gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi"
need_coverage="lcov"
# the ARM builds link musl, built from source with these compilers
# (tools/build-musl.sh): no glibc for the targets is needed
need_cross="gcc-arm-linux-gnueabihf gcc-aarch64-linux-gnu qemu-user file"
need_boot="qemu-system-x86 qemu-system-arm cpio binutils iproute2 curl python3 debian-archive-keyring"

check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
want=""
for group in "$@"; do
    case "$group" in
        build) want="$want $need_build" ;;
        test) want="$want $need_build $need_test" ;;
        demo) want="$want $need_build $need_demo" ;;
        static) want="$want $need_build $need_static" ;;
        size) want="$want $need_build $need_size" ;;
        cross) want="$want $need_build $need_cross" ;;
        boot) want="$want $need_build $need_boot" ;;
        coverage) want="$want $need_build $need_test $need_coverage" ;;
        *) echo "deps.sh: unknown group '$group'" >&2; exit 2 ;;
    esac
done

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        # a program may come from elsewhere (python3 from pyenv, say)
        case "$p" in
            python3|curl|openssl|clang|valgrind|gcc|make)
                command -v "$p" >/dev/null 2>&1 && continue ;;
        esac
        missing="$missing $p"
    fi
done


[ -z "$missing" ] && exit 0

if [ "$check" = 1 ]; then
    echo "deps.sh: missing Debian packages:$missing (make deps installs them)" >&2
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: missing Debian packages:$missing (run as root, or install them)" >&2
    exit 1
fi
echo "deps.sh: installing$missing"
# another apt (a concurrent make test) may hold a lock: dpkg's is waited
# for by apt itself, the package lists' is retried here
apt_get() {
    err=$(mktemp); n=0
    until DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@" >/dev/null 2>"$err"; do
        n=$((n+1))
        if ! grep -qi lock "$err" || [ $n -gt 40 ]; then cat "$err" >&2; rm -f "$err"; return 1; fi
        sleep 15
    done
    rm -f "$err"
}
apt_get update -q
apt_get install -y -q --no-install-recommends $missing
