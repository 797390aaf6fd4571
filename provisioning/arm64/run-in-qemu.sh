#!/usr/bin/env bash
# Runs Loyalty Edge on Debian trixie arm64 under qemu-user-static (hardware-notes.md:
# "arm64 under emulation"): the closest this x86 machine gets to a Raspberry Pi.
#
# Stages (each reuses the previous one's cache under $CACHE, outside the repository):
#   root     debootstrap a minbase trixie arm64 root (cached: $CACHE/rootfs)
#   setup    copy the checkout in, run provisioning/pi-setup.sh inside the root (systemd
#            parts are skipped there: no systemd runs in a chroot, and the script says so)
#   modules  rebuild the native modules (better-sqlite3, serialport, onoff's epoll, rpio)
#            for arm64; the result is cached per package-lock.json hash, because a cold
#            build under emulation takes about half an hour
#   sale     provision init + add-till, start the gateway, make a till sale over MQTT
# Default: all stages. Slow: never part of the normal test suite. Needs root.
# Usage: run-in-qemu.sh [--cache DIR] [root|setup|modules|sale]...
set -euo pipefail

CACHE=/var/cache/loyalty-edge-arm64
MIRROR=${MIRROR:-http://deb.debian.org/debian}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
stages=()
while (($# > 0)); do
  case $1 in
    --cache) CACHE=$2; shift 2 ;;
    root | setup | modules | sale) stages+=("$1"); shift ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run-in-qemu: unknown argument $1" >&2; exit 2 ;;
  esac
done
((${#stages[@]} > 0)) || stages=(root setup modules sale)
ROOTFS=$CACHE/rootfs
START=$(date +%s)
log() { printf '[%4ss] run-in-qemu: %s\n' "$(($(date +%s) - START))" "$*"; }
want() { [[ " ${stages[*]} " == *" $1 "* ]]; }
in_root() { chroot "$ROOTFS" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

[[ $(id -u) -eq 0 ]] || { echo "run-in-qemu: run as root (debootstrap and chroot need it)" >&2; exit 2; }
for tool in debootstrap update-binfmts; do
  command -v "$tool" >/dev/null || { echo "run-in-qemu: missing $tool: apt-get install -y debootstrap qemu-user-static binfmt-support" >&2; exit 2; }
done
mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
update-binfmts --enable qemu-aarch64 2>/dev/null || true
[[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] || { echo "run-in-qemu: qemu-aarch64 binfmt is not registered" >&2; exit 1; }
mkdir -p "$CACHE"

if want root && [[ ! -e $ROOTFS/.complete ]]; then
  log "debootstrap trixie arm64 into $ROOTFS (once)"
  rm -rf "$ROOTFS.partial"
  debootstrap --arch=arm64 --variant=minbase --include=ca-certificates,systemd,udev,sudo,procps,iproute2 \
    trixie "$ROOTFS.partial" "$MIRROR"
  mv "$ROOTFS.partial" "$ROOTFS"
  touch "$ROOTFS/.complete"
  log "root ready: $(in_root uname -m)"
fi
[[ -e $ROOTFS/.complete ]] || { echo "run-in-qemu: no root yet: run the root stage first" >&2; exit 1; }

mounts=()
cleanup() {
  if [[ -n ${GATEWAY_PID:-} ]]; then kill "$GATEWAY_PID" 2>/dev/null || true; fi
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
bind() {
  mountpoint -q "$ROOTFS$1" && return
  mkdir -p "$ROOTFS$1"
  mount "${@:2}" "$ROOTFS$1"
  mounts+=("$ROOTFS$1")
}
bind /proc -t proc proc
bind /sys -t sysfs sysfs
bind /dev --bind /dev
bind /dev/pts --bind /dev/pts
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"

VERSION=$(node -p "require('$REPO/package.json').version")-$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo local)
if want setup; then
  log "copy the checkout (without node_modules and data) to /srv/loyalty-edge-src"
  rm -rf "$ROOTFS/srv/loyalty-edge-src"
  mkdir -p "$ROOTFS/srv/loyalty-edge-src"
  tar -C "$REPO" --exclude=./node_modules --exclude=./data --exclude=./.git -cf - . | tar -C "$ROOTFS/srv/loyalty-edge-src" -xf -
  log "pi-setup.sh inside the root (apt packages, user, files; systemd skipped in a chroot)"
  in_root bash /srv/loyalty-edge-src/provisioning/pi-setup.sh --source /srv/loyalty-edge-src --version "$VERSION" --npm skip --no-kiosk
  log "pi-setup done"
fi

# The release pi-setup installed (HEAD may have moved on since the setup stage ran).
APP=$(readlink "$ROOTFS/opt/loyalty-edge/current" || echo "/opt/loyalty-edge/releases/$VERSION")
if want modules; then
  hash=$(sha256sum "$REPO/package-lock.json" | cut -c1-16)
  cached=$CACHE/node_modules-$hash.tar
  if [[ ! -e $cached ]]; then
    log "node_modules for arm64: copy x86 tree, rebuild native modules from source (slow under qemu)"
    rm -rf "$ROOTFS$APP/node_modules"
    tar -C "$REPO" --exclude='./node_modules/.cache' -cf - ./node_modules | tar -C "$ROOTFS$APP" -xf -
    # Only the runtime's native modules; the x86 dev tools (rolldown, vite) are not needed to run.
    in_root sh -c "cd $APP && npm rebuild --build-from-source --nodedir=/usr better-sqlite3 epoll rpio @serialport/bindings-cpp"
    # tsx runs the TypeScript sources through esbuild, whose binary is per platform.
    esv=$(node -p "require('$REPO/node_modules/esbuild/package.json').version")
    [[ -f $CACHE/esbuild-linux-arm64-$esv.tgz ]] || (cd "$CACHE" && npm pack --silent "@esbuild/linux-arm64@$esv")
    mkdir -p "$ROOTFS$APP/node_modules/@esbuild/linux-arm64"
    tar -xzf "$CACHE/esbuild-linux-arm64-$esv.tgz" --strip-components=1 -C "$ROOTFS$APP/node_modules/@esbuild/linux-arm64"
    tar -C "$ROOTFS$APP" -cf "$cached.partial" ./node_modules && mv "$cached.partial" "$cached"
    log "native modules built and cached in $cached"
  elif [[ ! -d $ROOTFS$APP/node_modules ]]; then
    tar -C "$ROOTFS$APP" -xf "$cached"
    log "node_modules from cache $cached"
  fi
  in_root sh -c "cd $APP && node --import tsx -e 'import(\"./gateway/src/ledger/index.ts\")' && node -e \"const D=require('better-sqlite3'); console.log(process.arch, 'sqlite', new D(':memory:').prepare('select sqlite_version() v').get().v)\""
fi

if want sale; then
  bash "$REPO/provisioning/arm64/sale-in-root.sh" "$ROOTFS" "$APP"
fi
log "done in $(($(date +%s) - START)) s"
