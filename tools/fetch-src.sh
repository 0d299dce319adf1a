#!/bin/sh
# Fetch a Debian source package and unpack it (with Debian's patches) into
# build/third_party/NAME. Nothing fetched is ever committed.
#   tools/fetch-src.sh bearssl|lwip|zlib
set -eu
name=$1
top=$(cd "$(dirname "$0")/.." && pwd)
dest="$top/build/third_party/$name"
[ -f "$dest/.unpacked" ] && exit 0
dl="$top/build/third_party/dl-$name"
rm -rf "$dl" "$dest"
mkdir -p "$dl"
cd "$dl"
# apt-get drops privileges to _apt, which cannot write here; the warning
# about running unsandboxed is harmless
apt-get source --download-only -q "$name" >/dev/null 2>&1 || {
    echo "fetch-src.sh: apt-get source $name failed (are deb-src entries set? tools/deps.sh adds them)" >&2
    exit 1
}
dsc=$(ls ./*.dsc | head -1)
dpkg-source --no-check -x "$dsc" "$dest" >/dev/null
touch "$dest/.unpacked"
rm -rf "$dl"
echo "fetched $name into build/third_party/$name"
