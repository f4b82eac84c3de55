#!/bin/sh
# npm pack / publish (prepack): the package carries the prebuilt BPF object and addons (build/) and src/
# compiled to JavaScript (lib/), since Node does not strip TypeScript types under node_modules. Packed on
# x86_64, it carries the arm64 ones too (build/arm64/, cross-built: scripts/cross-setup.sh installs the
# toolchain when missing), which an arm64 host loads instead (src/capture/build-artifacts.ts).
# Type errors do not stop it (Node runs the same code unchecked from src/; `make test` is where types are
# checked), anything else does.
set -eu
cd "$(dirname "$0")/.."
for f in build/cleartap.node build/cleartap_packet.node build/cleartap.bpf.o; do
  [ -f "$f" ] || { echo "build-lib: $f is missing: run make build first" >&2; exit 1; }
done
if [ "$(uname -m)" = x86_64 ]; then
  scripts/cross-setup.sh "$(node -p process.versions.node)" >/dev/null
  make -s cross-arm64 >&2
fi
rm -rf lib
status=0
npx tsc -p scripts/tsconfig.lib.json >&2 || status=$?
# tsc: 0 = clean, 2 = type errors but every file emitted; anything else means lib/ is incomplete.
case "$status" in
  0) ;;
  2) echo "build-lib: type errors (above); lib/ was emitted anyway" >&2 ;;
  *) rm -rf lib; echo "build-lib: tsc failed ($status)" >&2; exit 1 ;;
esac
[ -f lib/cli/main.js ] || { echo "build-lib: lib/cli/main.js was not emitted" >&2; exit 1; }
