#!/usr/bin/env bash
# Prepares Raspberry Pi OS (trixie) for Loyalty Edge: packages, service users, SPI and
# UART, the app under /opt/loyalty-edge/releases/<version> with a `current` symlink, data
# in /var/lib/loyalty-edge, systemd units, udev rules for readers, Node-RED settings, and
# SD-card wear settings (journald caps, noatime, tmpfs /tmp, swappiness).
#
# Idempotent: a second run changes nothing (it prints "0 changes").
#   --root DIR     write files under DIR instead of / and skip what acts on the running
#                  system (apt, users, raspi-config, systemctl, udevadm): for tests.
#   --dry-run      print what would change; change nothing.
#   --source DIR   the checkout or unpacked release to install (default: this checkout).
#   --version V    release name (default: package.json version + git commit).
#   --npm MODE     ci (default: npm install from the lock file, npm run build, npm prune --omit=dev in the release), skip.
#   --kiosk ID     enable the kiosk screen for kiosk ID (loyalty-kiosk@ID).
#   --no-kiosk     skip Chromium and labwc (a Pi without a screen).
#   --no-app       skip installing the app (files and system settings only).
# Run as root: sudo provisioning/pi-setup.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=/
DRY=0
SOURCE=$(cd "$HERE/.." && pwd)
VERSION=""
NPM=ci
KIOSK_ID=""
WITH_KIOSK=1
WITH_APP=1
while (($# > 0)); do
  case $1 in
    --root) ROOT=$2; shift 2 ;;
    --dry-run) DRY=1; shift ;;
    --source) SOURCE=$2; shift 2 ;;
    --version) VERSION=$2; shift 2 ;;
    --npm) NPM=$2; shift 2 ;;
    --kiosk) KIOSK_ID=$2; shift 2 ;;
    --no-kiosk) WITH_KIOSK=0; shift ;;
    --no-app) WITH_APP=0; shift ;;
    -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "pi-setup: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case $NPM in ci | skip) ;; *) echo "pi-setup: --npm must be ci or skip" >&2; exit 2 ;; esac
ROOT=${ROOT%/}
LIVE=0
[[ -z $ROOT ]] && LIVE=1
changes=0

say() { echo "pi-setup: $*"; }
path() { printf '%s%s' "$ROOT" "$1"; }
changed() {
  changes=$((changes + 1))
  if ((DRY)); then say "would $*"; else say "$*"; fi
}
# Runs a command that acts on the running system, unless --root or --dry-run.
act() {
  if ((!LIVE)); then say "skipped (--root): $*"; return 0; fi
  if ((DRY)); then say "would run: $*"; return 0; fi
  "$@"
}

# put DEST MODE < content: writes only when the content or mode differs.
put() {
  local dest mode tmp
  dest=$(path "$1")
  mode=$2
  tmp=$(mktemp)
  cat >"$tmp"
  if [[ -f $dest ]] && cmp -s "$tmp" "$dest" && [[ $(stat -c %a "$dest") == "${mode#0}" ]]; then
    rm -f "$tmp"
    return 0
  fi
  changed "write $1"
  if ((!DRY)); then
    mkdir -p "$(dirname "$dest")"
    install -m "$mode" "$tmp" "$dest"
  fi
  rm -f "$tmp"
}

# dir PATH MODE [OWNER]: creates a folder; sets the owner only on the live system.
dir() {
  local dest
  dest=$(path "$1")
  if [[ ! -d $dest ]]; then
    changed "create $1/"
    ((DRY)) || mkdir -p "$dest"
  fi
  if [[ -d $dest && $(stat -c %a "$dest") != "${2#0}" ]]; then
    changed "chmod $2 $1"
    ((DRY)) || chmod "$2" "$dest"
  fi
  if ((LIVE && !DRY)) && [[ -n ${3:-} ]] && [[ $(stat -c %U:%G "$dest") != "$3" ]]; then
    changed "chown $3 $1"
    chown "$3" "$dest"
  fi
}

# ensure_line FILE LINE: appends LINE unless the file has it already.
ensure_line() {
  local file
  file=$(path "$1")
  grep -qxF -- "$2" "$file" 2>/dev/null && return 0
  changed "add '$2' to $1"
  ((DRY)) || printf '%s\n' "$2" >>"$file"
}

random_secret() { head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }

# --- packages ---------------------------------------------------------------------
packages() {
  local want=(nodejs npm g++ make python3 libnode-dev sqlite3 ca-certificates)
  ((WITH_KIOSK)) && want+=(chromium labwc)
  local missing=()
  for pkg in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then return 0; fi
  if ((!LIVE)); then say "skipped (--root): apt-get install ${missing[*]}"; return 0; fi
  changed "apt-get install ${missing[*]}"
  ((DRY)) && return 0
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# --- users ------------------------------------------------------------------------
ensure_group() {
  getent group "$1" >/dev/null && return 0
  changed "create group $1"
  act groupadd --system "$1"
}
ensure_user() { # NAME HOME GROUPS
  if ! getent passwd "$1" >/dev/null; then
    changed "create user $1"
    act useradd --system --user-group --home-dir "$2" --shell /usr/sbin/nologin "$1"
  fi
  local g
  for g in ${3//,/ }; do
    id -nG "$1" 2>/dev/null | tr ' ' '\n' | grep -qx "$g" && continue
    changed "add $1 to group $g"
    act usermod -aG "$g" "$1"
  done
}
users() {
  if ((!LIVE)); then say "skipped (--root): users loyalty, loyalty-nodered, loyalty-kiosk"; return 0; fi
  ensure_group gpio
  ensure_group spi
  ensure_user loyalty /var/lib/loyalty-edge gpio,spi,dialout
  ensure_user loyalty-nodered /var/lib/loyalty-node-red ""
  ((WITH_KIOSK)) && ensure_user loyalty-kiosk /var/lib/loyalty-kiosk video,render,input
  return 0
}

# --- SPI and UART -----------------------------------------------------------------
interfaces() {
  if ((LIVE)) && command -v raspi-config >/dev/null; then
    # nonint: 0 = enable. SPI for the MFRC522; the UART for the PN532, with the kernel
    # console taken off it (do_serial_cons 1) so boot messages do not talk to the reader.
    local current
    current=$(raspi-config nonint get_spi || true)
    [[ $current == 0 ]] || { changed "enable SPI"; act raspi-config nonint do_spi 0; }
    current=$(raspi-config nonint get_serial_hw || true)
    [[ $current == 0 ]] || { changed "enable the UART"; act raspi-config nonint do_serial_hw 0; }
    current=$(raspi-config nonint get_serial_cons || true)
    [[ $current == 1 ]] || { changed "disable the serial console"; act raspi-config nonint do_serial_cons 1; }
    return 0
  fi
  local config=/boot/firmware/config.txt cmdline=/boot/firmware/cmdline.txt
  if [[ ! -f $(path $config) ]]; then
    say "no $config: not a Raspberry Pi boot partition; SPI and UART left as they are"
    return 0
  fi
  if grep -q '^dtparam=spi=off' "$(path $config)"; then
    changed "turn dtparam=spi on in $config"
    ((DRY)) || sed -i 's/^dtparam=spi=off/dtparam=spi=on/' "$(path $config)"
  fi
  if ! grep -q '^dtparam=spi=on' "$(path $config)" || ! grep -q '^enable_uart=1' "$(path $config)"; then
    # Under [all], so a model filter section ([pi4], [cm5]...) does not swallow the lines.
    if [[ $(grep -E '^\[' "$(path $config)" | tail -n 1) != '[all]' ]]; then
      changed "append [all] to $config"
      ((DRY)) || printf '\n[all]\n' >>"$(path $config)"
    fi
    ensure_line $config 'dtparam=spi=on'
    ensure_line $config 'enable_uart=1'
  fi
  if [[ -f $(path $cmdline) ]] && grep -Eq 'console=(serial0|ttyAMA0|ttyS0),[0-9]+ ?' "$(path $cmdline)"; then
    changed "remove the serial console from $cmdline"
    ((DRY)) || sed -i -E 's/console=(serial0|ttyAMA0|ttyS0),[0-9]+ ?//' "$(path $cmdline)"
  fi
}

# --- SD-card wear -----------------------------------------------------------------
wear() {
  put /etc/systemd/journald.conf.d/loyalty-edge.conf 0644 <"$HERE/system/journald.conf"
  put /etc/sysctl.d/90-loyalty-edge.conf 0644 <"$HERE/system/sysctl.conf"
  local fstab
  fstab=$(path /etc/fstab)
  if [[ -f $fstab ]]; then
    # noatime on the root file system: no write for every read.
    if awk '$2 == "/" && $4 !~ /noatime/ { found = 1 } END { exit !found }' "$fstab"; then
      changed "add noatime to / in /etc/fstab"
      ((DRY)) || sed -i -E '/^[^#[:space:]]+[[:space:]]+\/[[:space:]]/ s/^([^[:space:]]+[[:space:]]+\/[[:space:]]+[^[:space:]]+[[:space:]]+)([^[:space:]]+)/\1\2,noatime/' "$fstab"
    fi
    # /tmp in RAM (trixie already does this with tmp.mount; the line is for older images).
    if ! awk '$2 == "/tmp" { found = 1 } END { exit !found }' "$fstab" && [[ ! -e $(path /usr/lib/systemd/system/tmp.mount) ]]; then
      ensure_line /etc/fstab 'tmpfs /tmp tmpfs defaults,noatime,nosuid,nodev,size=128M 0 0'
    fi
  else
    say "no /etc/fstab: noatime and tmpfs /tmp left alone"
  fi
}

# --- files: layout, units, rules, settings ----------------------------------------
files() {
  dir /opt/loyalty-edge 0755
  dir /opt/loyalty-edge/releases 0755
  dir /var/lib/loyalty-edge 0700 loyalty:loyalty
  dir /var/backups/loyalty-edge 0700 loyalty:loyalty
  # 0755: Node-RED's settings and the kiosk's labwc files below it are read by their own
  # users; the config and secrets inside are 0600 files of their own.
  dir /etc/loyalty-edge 0755 loyalty:loyalty
  dir /var/lib/loyalty-node-red 0700 loyalty-nodered:loyalty-nodered
  put /etc/systemd/system/loyalty-edge.service 0644 <"$HERE/systemd/loyalty-edge.service"
  put /etc/systemd/system/loyalty-node-red.service 0644 <"$HERE/systemd/loyalty-node-red.service"
  put /etc/systemd/system/loyalty-kiosk@.service 0644 <"$HERE/systemd/loyalty-kiosk@.service"
  put /etc/udev/rules.d/99-loyalty-edge.rules 0644 <"$HERE/udev/99-loyalty-edge.rules"
  put /etc/loyalty-edge/labwc/autostart 0644 <"$HERE/kiosk/labwc-autostart"
  # The command for technicians: as root it runs as the service user, so the files it
  # writes (config, secrets: 0600) stay readable by the gateway.
  put /usr/local/bin/loyalty-edge 0755 <<'EOF'
#!/bin/sh
# Written by pi-setup.sh. Runs the current release's CLI as the service user.
export LOYALTY_EDGE_CONFIG="${LOYALTY_EDGE_CONFIG:-/etc/loyalty-edge/config.yaml}"
if [ "$(id -u)" -eq 0 ]; then
  exec runuser -u loyalty -- env LOYALTY_EDGE_CONFIG="$LOYALTY_EDGE_CONFIG" /usr/bin/node /opt/loyalty-edge/current/dist/gateway/src/cli/run.js "$@"
fi
exec /usr/bin/node /opt/loyalty-edge/current/dist/gateway/src/cli/run.js "$@"
EOF
  # Secrets generated once: a rerun must not change Node-RED's credential key. The names
  # are those of the release's flows/settings/settings.js (docs/node-red.md).
  local env_file=/etc/loyalty-edge/node-red.env
  if [[ ! -f $(path $env_file) ]]; then
    changed "write $env_file (new Node-RED admin password and credential secret)"
    if ((!DRY)); then
      (
        umask 077
        printf 'LOYALTY_NODE_RED_CREDENTIAL_SECRET=%s\nLOYALTY_NODE_RED_ADMIN_USER=admin\nLOYALTY_NODE_RED_ADMIN_PASSWORD=%s\nLOYALTY_NODE_RED_USER_DIR=/var/lib/loyalty-node-red\n' \
          "$(random_secret)" "$(random_secret)" >"$(path $env_file)"
      )
      chmod 0640 "$(path $env_file)"
      ((LIVE)) && chgrp loyalty-nodered $env_file
      say "Node-RED admin password: sudo grep ADMIN_PASSWORD $env_file"
    fi
  elif grep -q '^NODE_RED_' "$(path $env_file)"; then
    # Devices set up before the settings were unified: same secrets, the settings' names.
    changed "rename the variables of $env_file to LOYALTY_NODE_RED_*"
    if ((!DRY)); then
      sed -i -E 's/^NODE_RED_/LOYALTY_NODE_RED_/' "$(path $env_file)"
      grep -q '^LOYALTY_NODE_RED_USER_DIR=' "$(path $env_file)" ||
        echo 'LOYALTY_NODE_RED_USER_DIR=/var/lib/loyalty-node-red' >>"$(path $env_file)"
    fi
  fi
}

# --- the app ----------------------------------------------------------------------
app() {
  ((WITH_APP)) || return 0
  if [[ -z $VERSION ]]; then
    VERSION=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$SOURCE/package.json")
    local commit
    commit=$(git -C "$SOURCE" rev-parse --short HEAD 2>/dev/null || true)
    [[ -n $commit ]] && VERSION="$VERSION-$commit"
  fi
  local release=/opt/loyalty-edge/releases/$VERSION
  # Releases are never changed once installed: upgrade.sh installs a new one beside it.
  if [[ ! -d $(path "$release") ]]; then
    changed "install release $VERSION into $release"
    if ((!DRY)); then
      mkdir -p "$(path "$release.partial")"
      tar -C "$SOURCE" --exclude=./node_modules --exclude=./data --exclude=./.git -cf - . |
        tar -C "$(path "$release.partial")" -xf -
      if [[ $NPM == ci ]]; then
        if ((LIVE)); then
          # The device runs the compiled build (less memory, faster start); the build tools
          # are dev dependencies, pruned once dist/ and the kiosk bundle exist.
          (cd "$release.partial" && npm install --no-audit --no-fund && npm run build && npm prune --omit=dev --no-audit --no-fund)
        else
          say "skipped (--root): npm install, npm run build, npm prune --omit=dev in $release"
        fi
      fi
      mv "$(path "$release.partial")" "$(path "$release")"
    fi
  fi
  local current
  current=$(readlink "$(path /opt/loyalty-edge/current)" 2>/dev/null || true)
  if [[ $current != "$release" ]]; then
    changed "point /opt/loyalty-edge/current at $release"
    if ((!DRY)); then
      ln -sfn "$release" "$(path /opt/loyalty-edge/current.new)"
      mv -T "$(path /opt/loyalty-edge/current.new)" "$(path /opt/loyalty-edge/current)"
    fi
  fi
}

# --- services ---------------------------------------------------------------------
services() {
  if ((!LIVE)); then
    say "skipped (--root): systemctl daemon-reload, udevadm trigger, enable loyalty-edge loyalty-node-red"
    return 0
  fi
  if [[ ! -d /run/systemd/system ]]; then
    say "systemd is not running (chroot or container): units installed, not enabled or started"
    say "  on the Pi: sudo systemctl enable --now loyalty-edge loyalty-node-red"
    return 0
  fi
  if ((changes > 0)); then
    act systemctl daemon-reload
    act udevadm control --reload
    act udevadm trigger --subsystem-match=tty --subsystem-match=spidev
    act sysctl --quiet --system
  fi
  local unit
  for unit in systemd-timesyncd loyalty-edge loyalty-node-red ${KIOSK_ID:+loyalty-kiosk@$KIOSK_ID}; do
    if systemctl is-enabled --quiet "$unit" 2>/dev/null; then continue; fi
    changed "enable $unit"
    act systemctl enable --now "$unit"
  done
  # A store without config yet: the gateway waits for `loyalty-edge provision init`.
  [[ -f $(path /etc/loyalty-edge/config.yaml) ]] ||
    say "next: sudo loyalty-edge provision init (see docs/technician-guide.md)"
}

((LIVE)) && [[ $(id -u) -ne 0 ]] && ((!DRY)) && { echo "pi-setup: run as root (sudo)" >&2; exit 2; }
packages
users
interfaces
files
wear
app
services
if ((DRY)); then say "dry run: $changes change(s) would be made"; else say "$changes change(s)"; fi
