#!/bin/sh
# Installs a cleartap release tarball (scripts/package.sh builds it), checking its checksum first:
#   <prefix>/releases/<release>/   the release (Node runtime, app, addons), every file checked against its SHA256SUMS
#   <prefix>/current               → the release in use (switched atomically; the previous release is kept)
#   <prefix>/bin/cleartap          → current/bin/cleartap
#   /usr/local/bin/cleartap        → <prefix>/bin/cleartap
#   /etc/systemd/system/cleartap.service   (replaced: customise it with a drop-in)
#   /etc/cleartap/config.yaml, /etc/cleartap/cleartap.env   (examples, only when absent: yours are kept)
# Running it again with the same tarball changes nothing; with a newer one it upgrades.
#
# Usage: install.sh [options] cleartap-<version>-linux-<arch>.tar.gz
#   --sha256 HEX      the tarball's expected SHA-256 (else read from SHA256SUMS beside the tarball)
#   --sums FILE       a SHA256SUMS file listing the tarball
#   --prefix DIR      install directory (default /opt/cleartap)
#   --root DIR        install under DIR as if it were / (packaging, tests); no systemctl then
#   --no-systemd      do not install the unit
#   --no-link         do not create /usr/local/bin/cleartap
set -eu
say() { printf 'install: %s\n' "$*" >&2; }
die() { printf 'install: %s\n' "$*" >&2; exit 1; }

prefix=/opt/cleartap root= sha= sums= systemd=1 link=1 tarball=
while [ $# -gt 0 ]; do
  case "$1" in
    --sha256) sha=$2; shift 2 ;;
    --sums) sums=$2; shift 2 ;;
    --prefix) prefix=$2; shift 2 ;;
    --root) root=$2; shift 2 ;;
    --no-systemd) systemd=0; shift ;;
    --no-link) link=0; shift ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$tarball" ] || die "one tarball at a time"; tarball=$1; shift ;;
  esac
done
[ -n "$tarball" ] || die "usage: install.sh [--sha256 HEX | --sums FILE] [--prefix DIR] [--root DIR] cleartap-VERSION-linux-ARCH.tar.gz"
[ -f "$tarball" ] || die "no such file: $tarball"
case "$prefix" in /*) ;; *) die "--prefix must be an absolute path" ;; esac
if [ -n "$root" ]; then mkdir -p "$root"; root=$(cd "$root" && pwd); fi
command -v sha256sum >/dev/null || die "sha256sum is missing (coreutils)"

file=$(basename "$tarball")
release=${file%.tar.gz}
case "$release" in cleartap-*-linux-*) ;; *) die "$file does not look like a cleartap release tarball (cleartap-VERSION-linux-ARCH.tar.gz)" ;; esac

# 1. The checksum, before anything is extracted.
if [ -z "$sha" ]; then
  [ -n "$sums" ] || sums="$(dirname "$tarball")/SHA256SUMS"
  [ -f "$sums" ] || die "no checksum: give --sha256 HEX or --sums FILE (or put SHA256SUMS beside the tarball)"
  sha=$(awk -v f="$file" '{ n = $2; sub(/^\*/, "", n) } n == f { print $1 }' "$sums")
  [ -n "$sha" ] || die "$sums has no line for $file"
fi
actual=$(sha256sum "$tarball" | cut -d' ' -f1)
[ "$actual" = "$sha" ] || die "checksum mismatch for $file: expected $sha, got $actual — not installed"
say "checksum ok ($actual)"

case "$(uname -m)" in x86_64) host=x64 ;; aarch64 | arm64) host=arm64 ;; *) host=$(uname -m) ;; esac
[ "${release##*-}" = "$host" ] || die "$file is for ${release##*-}, this machine is $host"

dest="$root$prefix"
releases="$dest/releases"
mkdir -p "$releases"

# 2. Extract next to the final place, check every file, then move it in.
# Already there when its file list is this tarball's and every file still matches it.
if [ -f "$releases/$release/SHA256SUMS" ] &&
  tar -xzOf "$tarball" --occurrence=1 "$release/SHA256SUMS" 2>/dev/null | cmp -s - "$releases/$release/SHA256SUMS" &&
  (cd "$releases/$release" && sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1); then
  say "$release is already installed and intact"
else
  tmp=$(mktemp -d "$releases/.install.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT INT TERM
  tar -C "$tmp" -xzf "$tarball" --no-same-owner
  [ -d "$tmp/$release" ] || die "$file does not contain $release/"
  (cd "$tmp/$release" && sha256sum --quiet -c SHA256SUMS) || die "files in $file do not match its SHA256SUMS — not installed"
  rm -rf "$releases/$release"
  mv "$tmp/$release" "$releases/$release"
  rm -rf "$tmp"
  trap - EXIT INT TERM
  say "installed $releases/$release"
fi

# 3. Switch: a new symlink renamed over the old one, so `current` is never missing.
previous=$(readlink "$dest/current" 2>/dev/null || true)
ln -sfn "releases/$release" "$dest/current.new"
mv -T "$dest/current.new" "$dest/current"
mkdir -p "$dest/bin"
ln -sfn ../current/bin/cleartap "$dest/bin/cleartap"
# Keep the release in use and the one before it.
for old in "$releases"/*; do
  [ -d "$old" ] || continue
  name=$(basename "$old")
  [ "releases/$name" = "releases/$release" ] || [ "releases/$name" = "$previous" ] || rm -rf "$old"
done

if [ "$link" = 1 ]; then
  mkdir -p "$root/usr/local/bin"
  ln -sfn "$prefix/bin/cleartap" "$root/usr/local/bin/cleartap"
fi

# 4. Config and secrets: examples only where there is nothing yet.
etc="$root/etc/cleartap"
mkdir -p "$etc"
if [ ! -e "$etc/config.yaml" ]; then
  install -m 0644 "$dest/current/etc/config.yaml" "$etc/config.yaml"
  say "wrote $etc/config.yaml (example: edit it)"
fi
if [ ! -e "$etc/cleartap.env" ]; then
  install -m 0600 "$dest/current/etc/cleartap.env" "$etc/cleartap.env"
  say "wrote $etc/cleartap.env (mode 0600: put secrets there)"
fi

# 5. The unit, pointing at this prefix.
if [ "$systemd" = 1 ]; then
  unitdir="$root/etc/systemd/system"
  mkdir -p "$unitdir"
  sed "s#/opt/cleartap/#$prefix/#g" "$dest/current/etc/cleartap.service" > "$unitdir/cleartap.service.new"
  chmod 0644 "$unitdir/cleartap.service.new"
  mv -f "$unitdir/cleartap.service.new" "$unitdir/cleartap.service"
  if [ -z "$root" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    systemctl daemon-reload
    if systemctl is-active --quiet cleartap; then
      say "cleartap.service is running the previous release: systemctl restart cleartap"
    else
      say "start it with: systemctl enable --now cleartap"
    fi
  else
    say "unit installed as $unitdir/cleartap.service"
  fi
fi
say "done: $prefix/bin/cleartap ($(cat "$dest/current/VERSION"))"
