#!/bin/sh
# Builds the self-contained release tarball, for this machine's architecture or, on x86_64, for arm64 too:
#   dist/cleartap-<version>-linux-<arch>.tar.gz   Node 24 runtime + app + production node_modules + prebuilt
#                                                 addons, BPF object and libbpf/libelf; bin/cleartap runs it
#   dist/SHA256SUMS                               the tarballs' checksums (install.sh checks them)
#   dist/install.sh                               the installer (picks nothing: it checks the tarball's arch)
# The BPF object is CO-RE (one build serves every kernel with BTF) but its pt_regs accessors, like the
# addons, are per architecture. `--arch arm64` on x86_64 cross-builds them (`make cross-arm64`, with the
# toolchain, arm64 libraries and arm64 Node runtime that scripts/cross-setup.sh installs); the production
# node_modules are plain JavaScript and WebAssembly, the same on both (checked below).
# Usage: scripts/package.sh [--out DIR] [--arch x64|arm64]
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
say() { printf 'package: %s\n' "$*" >&2; }
usage="usage: scripts/package.sh [--out DIR] [--arch x64|arm64]"
out=dist
arch=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
case "$out" in /*) ;; *) out="$root/$out" ;; esac

case "$(uname -m)" in
  x86_64) host=x64 ;;
  aarch64 | arm64) host=arm64 ;;
  *) echo "package: unsupported architecture $(uname -m) (x86_64 and arm64 are)" >&2; exit 1 ;;
esac
arch=${arch:-$host}
case "$arch" in
  x64) multiarch=x86_64-linux-gnu ;;
  arm64) multiarch=aarch64-linux-gnu ;;
  *) echo "package: --arch $arch: x64 and arm64 are built" >&2; exit 2 ;;
esac
if [ "$arch" != "$host" ] && [ "$host/$arch" != x64/arm64 ]; then
  echo "package: an $arch tarball is built on an $arch host (cross-building goes from x86_64 to arm64 only)" >&2
  exit 1
fi

# The runtime shipped is Node 24 from the npm registry package node-linux-<arch>, whatever Node builds it.
node_pkg=".tools/node24/node_modules/node-linux-$host"
if [ ! -x "$node_pkg/bin/node" ]; then
  say "installing node-linux-$host@24 from the npm registry into .tools/node24"
  mkdir -p .tools/node24
  [ -f .tools/node24/package.json ] || echo '{"name":"cleartap-node-runtime","private":true}' > .tools/node24/package.json
  (cd .tools/node24 && npm install --no-audit --no-fund --loglevel=error "node-linux-$host@24" >/dev/null)
fi
host_node="$root/$node_pkg/bin/node"
version=$("$host_node" -p 'require("./package.json").version')
name="cleartap-$version-linux-$arch"

say "building the BPF object and the addons"
make -s build >&2
if [ "$arch" = "$host" ]; then
  node="$host_node"
  node_dir="$root/$node_pkg"
  objs=build
else
  node_dir="$root/$(scripts/cross-setup.sh "$("$host_node" -p process.versions.node)")"
  node="$node_dir/bin/node"
  make -s cross-arm64 >&2
  objs=build/arm64
fi
for f in "$objs/cleartap.node" "$objs/cleartap_packet.node" "$objs/cleartap.bpf.o"; do
  [ -f "$f" ] || { echo "package: $f was not built" >&2; exit 1; }
done

stage="$out/stage/$name"
rm -rf "$stage"
mkdir -p "$stage/app/build" "$stage/app/lib" "$stage/node/bin" "$stage/bin" "$stage/etc"

say "staging $name"
cp package.json package-lock.json README.md "$stage/app/"
cp -R bin "$stage/app/bin"
# The TypeScript sources run as they are (type stripping); tests, benchmarks and their fixtures stay behind.
tar -C . -cf - --exclude='*.test.ts' --exclude='*.bench.ts' --exclude='fixtures' --exclude='fixtures.ts' --exclude='*-fixture.ts' --exclude='test-support.ts' src | tar -C "$stage/app" -xf -
cp "$objs/cleartap.node" "$objs/cleartap_packet.node" "$objs/cleartap.bpf.o" "$stage/app/build/"
# libbpf and libelf travel with the addon (the wrapper puts app/lib on the library path), so a host needs
# neither Node nor libbpf1; glibc 2.34+ and zlib are all it needs.
for soname in libbpf.so.1 libelf.so.1; do
  lib=""
  [ "$arch" = "$host" ] && lib=$(ldd "$objs/cleartap.node" | awk -v s="$soname" '$1 == s { print $3 }')
  [ -n "$lib" ] || lib="/usr/lib/$multiarch/$soname"
  cp -L "$lib" "$stage/app/lib/$soname"
done
PATH="$(dirname "$host_node"):$PATH" npm ci --prefix "$stage/app" --omit=dev --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null
rm -f "$stage/app/package-lock.json"
native=$(find "$stage/app/node_modules" -name '*.node' | head -1)
[ -z "$native" ] || { echo "package: $native is a native module of the build host: the tarball would not run on another architecture" >&2; exit 1; }

cp "$node" "$stage/node/bin/node"
cp "$node_dir/LICENSE" "$stage/node/LICENSE"
cp scripts/cleartap-wrapper.sh "$stage/bin/cleartap"
chmod 755 "$stage/bin/cleartap"
cp scripts/install.sh "$stage/install.sh"
cp deploy/systemd/cleartap.service deploy/systemd/cleartap.env deploy/config/config.yaml "$stage/etc/"
printf '%s linux-%s %s\n' "$version" "$arch" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" > "$stage/VERSION"

# Every file's checksum inside, so that an extracted tree can be checked too (install.sh does).
(cd "$stage" && find . -type f ! -name SHA256SUMS -print0 | LC_ALL=C sort -z | xargs -0 sha256sum > SHA256SUMS)

say "writing $out/$name.tar.gz"
mtime=$(git log -1 --format=%ct 2>/dev/null || date +%s)
tar -C "$out/stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -cf - "$name" | gzip -n -6 > "$out/$name.tar.gz.tmp"
mv "$out/$name.tar.gz.tmp" "$out/$name.tar.gz"
rm -rf "$out/stage"

# One SHA256SUMS for every tarball in dist/ (an arm64 build adds its line beside the x64 one).
sums="$out/SHA256SUMS"
touch "$sums"
grep -v " $name.tar.gz\$" "$sums" > "$sums.tmp" || true
(cd "$out" && sha256sum "$name.tar.gz") >> "$sums.tmp"
LC_ALL=C sort -k2 "$sums.tmp" > "$sums" && rm -f "$sums.tmp"
cp scripts/install.sh "$out/install.sh"
say "done: $(du -h "$out/$name.tar.gz" | cut -f1) $out/$name.tar.gz"
echo "$out/$name.tar.gz"
