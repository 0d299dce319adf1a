#!/bin/sh
# Fetch a Debian source package of one release and unpack it (with Debian's
# patches) into build/third_party/NAME. Each package is pinned to its
# release, so that adding another release's sources to apt never changes
# what a dependency is built from. Nothing fetched is ever committed.
#   tools/fetch-src.sh NAME[/RELEASE]     (bearssl, lwip, zlib; RELEASE
#                                          defaults to bookworm)
set -eu
spec=$1
name=${spec%%/*}
release=bookworm
case "$spec" in */*) release=${spec#*/} ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
dest="$top/build/third_party/$name"
[ -f "$dest/.unpacked" ] && exit 0
dl="$top/build/third_party/dl-$name"
rm -rf "$dl" "$dest"
mkdir -p "$dl"
cd "$dl"
# apt-get drops privileges to _apt, which cannot write here; the warning
# about running unsandboxed is harmless
apt-get source --download-only -q "$name/$release" >/dev/null 2>&1 || {
    echo "fetch-src.sh: apt-get source $name/$release failed (are deb-src entries set? tools/deps.sh adds them)" >&2
    exit 1
}
dsc=$(ls ./*.dsc | head -1)
dpkg-source --no-check -x "$dsc" "$dest" >/dev/null
touch "$dest/.unpacked"
rm -rf "$dl"
echo "fetched $name ($release) into build/third_party/$name"
