#!/bin/sh
# Fetch Debian binary packages of bookworm for one architecture and unpack
# them into a folder, without installing anything: the boot test's kernels
# and busybox come from here (installing linux-image would touch the host's
# /boot, and arm64 packages would need a foreign architecture in dpkg).
#   tools/fetch-deb.sh ARCH DEST PACKAGE...
# A PACKAGE of the form linux-image-ARCH (the metapackage) is replaced by the
# versioned kernel package it depends on. Nothing fetched is committed.
set -eu
arch=$1; dest=$2; shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
case "$dest" in /*) ;; *) dest="$(pwd)/$dest" ;; esac
[ -f "$dest/.unpacked" ] && exit 0

# apt with a private configuration and state under build/apt-bin, as
# fetch-src.sh does for sources: nothing is written to /etc or /var
apt="$top/build/apt-bin"
opts="-o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=$apt/sources.list.d
 -o Dir::State::Lists=$apt/lists -o Dir::State::Status=$apt/status -o Dir::Cache=$apt/cache
 -o Debug::NoLocking=1 -o APT::Architecture=amd64 -o APT::Architectures::=amd64
 -o APT::Architectures::=arm64 -o APT::Sandbox::User=$(id -un)"
mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial"
(
    flock 9
    if [ ! -f "$apt/updated" ]; then
        : > "$apt/status"
        key=/usr/share/keyrings/debian-archive-keyring.gpg
        {
            echo "deb [arch=amd64,arm64 signed-by=$key] http://deb.debian.org/debian bookworm main"
            echo "deb [arch=amd64,arm64 signed-by=$key] http://deb.debian.org/debian bookworm-updates main"
            echo "deb [arch=amd64,arm64 signed-by=$key] http://deb.debian.org/debian-security bookworm-security main"
        } > "$apt/sources.list"
        # shellcheck disable=SC2086
        apt-get $opts update -q >"$apt/update.log" 2>&1 || {
            echo "fetch-deb.sh: apt-get update of Debian's package indexes failed:" >&2
            tail -5 "$apt/update.log" >&2
            exit 1
        }
        touch "$apt/updated"
    fi
) 9>"$apt/lock" || exit 1

pkgs=""
for p in "$@"; do
    case "$p" in
        linux-image-"$arch"|linux-image-amd64|linux-image-arm64)
            # shellcheck disable=SC2086
            p=$(apt-cache $opts depends "$p:$arch" 2>/dev/null |
                sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -1)
            [ -n "$p" ] || { echo "fetch-deb.sh: no kernel package for $arch" >&2; exit 1; } ;;
    esac
    pkgs="$pkgs $p:$arch"
done
dl="$dest.dl"
rm -rf "$dl" "$dest"
mkdir -p "$dl" "$dest"
# shellcheck disable=SC2086
(cd "$dl" && apt-get $opts download -q $pkgs >/dev/null 2>"$dl.err") || {
    echo "fetch-deb.sh: apt-get download$pkgs failed:" >&2
    tail -5 "$dl.err" >&2
    exit 1
}
for deb in "$dl"/*.deb; do dpkg-deb -x "$deb" "$dest"; done
ls "$dl" > "$dest/.packages"
rm -rf "$dl" "$dl.err"
touch "$dest/.unpacked"
echo "fetched$pkgs into ${dest#"$top"/}"
