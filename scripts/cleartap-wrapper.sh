#!/bin/sh
# cleartap from the release tarball (installed as <release>/bin/cleartap): runs the agent on the Node runtime
# and with the libbpf/libelf that came with it, so the host needs neither. Symlinks to it (/usr/local/bin,
# <prefix>/bin) resolve to the release they point at.
self=$(readlink -f "$0")
home=$(dirname "$(dirname "$self")")
LD_LIBRARY_PATH="$home/app/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
exec "$home/node/bin/node" "$home/app/src/cli/main.ts" "$@"
