#!/usr/bin/env bash
# Property checks of worker classes our patches and decisions rest on (build/mediasoup-worker/FIXES.md),
# compiled from node_modules/mediasoup's worker sources with our patch series applied to a copy, and of
# libsrtp with our libsrtp patches (built from the tarball build/mediasoup-worker.sh caches).
#   build/mediasoup-worker/checks/run.sh [REPO_ROOT]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "${1:-$HERE/../../..}" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp -r "$ROOT/node_modules/mediasoup/worker/include" "$ROOT/node_modules/mediasoup/worker/src" "$WORK/"
mkdir -p "$WORK/worker" && mv "$WORK/include" "$WORK/src" "$WORK/worker/"
# worker/ may already carry the series from a build (worker/.veche-patches): start from a clean copy then.
if [[ -f "$ROOT/node_modules/mediasoup/worker/.veche-patches/series" ]]; then
  tac "$ROOT/node_modules/mediasoup/worker/.veche-patches/series" | while read -r p; do
    patch -d "$WORK" -p1 -R -s < "$HERE/../patches/$p"
  done
fi
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$HERE/../patches/series" | while read -r p; do
  patch -d "$WORK" -p1 -s < "$HERE/../patches/$p"
done
mkdir -p "$WORK/stub"
printf '#define MS_TRACE()\n#define MS_DEBUG_DEV(...)\n' > "$WORK/stub/Logger.hpp"
printf '#include <cstddef>\n#include <cstdint>\n' > "$WORK/stub/common.hpp"
g++ -O2 -std=c++17 -I"$WORK/stub" -I"$WORK/worker/include" "$HERE/seq-manager-holes.cpp" \
  "$WORK/worker/src/RTC/SeqManager.cpp" -o "$WORK/seq"
{
  sed -n '1,/RATE_CALCULATOR_SOURCES/p' "$HERE/rate-calculator-ring.cpp"
  sed -n '/^namespace RTC/,/^} \/\/ namespace RTC/p' "$WORK/worker/include/RTC/RateCalculator.hpp"
  sed -n '/^namespace RTC/,$p' "$WORK/worker/src/RTC/RateCalculator.cpp"
  sed -n '/RATE_CALCULATOR_SOURCES/,$p' "$HERE/rate-calculator-ring.cpp"
} > "$WORK/rate.cpp"
g++ -O2 -std=c++17 "$WORK/rate.cpp" -o "$WORK/rate"
"$WORK/seq"
"$WORK/rate"

# libsrtp: the worker's libsrtp2 source (the tarball mediasoup's libsrtp2.wrap names, which
# build/mediasoup-worker.sh fetches into the cache) with libsrtp-patches/series, built with OpenSSL.
WRAP="$ROOT/node_modules/mediasoup/worker/subprojects/libsrtp2.wrap"
SRTP_FILE="$(sed -n 's/^source_filename[[:space:]]*=[[:space:]]*//p' "$WRAP")"
SRTP_TAR="${VECHE_CACHE:-$HOME/.cache/veche}/sources/$SRTP_FILE"
[[ -f "$SRTP_TAR" ]] || { echo "checks: $SRTP_TAR missing: run build/mediasoup-worker.sh once (it fetches it)" >&2; exit 1; }
mkdir -p "$WORK/srtp"
tar -xzf "$SRTP_TAR" -C "$WORK/srtp" --strip-components=1
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$HERE/../libsrtp-patches/series" | while read -r p; do
  patch -d "$WORK/srtp" -p1 -s < "$HERE/../libsrtp-patches/$p"
done
(cd "$WORK/srtp" && ./configure --enable-openssl CFLAGS=-O2 >/dev/null && make -j2 libsrtp2.a >/dev/null)
gcc -O2 -Wall -I"$WORK/srtp/include" "$HERE/srtp-streams.c" "$WORK/srtp/libsrtp2.a" -lcrypto -o "$WORK/srtp-streams"
"$WORK/srtp-streams"
