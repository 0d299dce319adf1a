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

# apt with a private configuration and state under build/apt: the deb-src
# entries of the releases named here, indexes fetched once, and nothing
# written to /etc or /var (no root needed). Signatures are checked with
# Debian's archive keyring as usual.
apt="$top/build/apt"
set -- -o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/sources.list.d" \
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o Debug::NoLocking=1 \
    -o APT::Sandbox::User="$(id -un)"
mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial"
(
    flock 9
    if [ ! -f "$apt/updated" ]; then
        for r in bookworm trixie; do
            echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $r main"
        done > "$apt/sources.list"
        apt-get "$@" update -q >"$apt/update.log" 2>&1 || {
            echo "fetch-src.sh: apt-get update of Debian's source indexes failed:" >&2
            tail -5 "$apt/update.log" >&2
            exit 1
        }
        touch "$apt/updated"
    fi
) 9>"$apt/lock" || exit 1
cd "$dl"
apt-get "$@" source --download-only -q "$name/$release" >/dev/null 2>&1 || {
    echo "fetch-src.sh: apt-get source $name/$release failed" >&2
    exit 1
}
dsc=$(ls ./*.dsc | head -1)
dpkg-source --no-check -x "$dsc" "$dest" >/dev/null
touch "$dest/.unpacked"
rm -rf "$dl"
echo "fetched $name ($release) into build/third_party/$name"
