#!/usr/bin/env bash
# The "sale" stage of run-in-qemu.sh: inside the arm64 root, provision a store the way a
# technician would (docs/technician-guide.md), start the gateway, and make a till sale.
# Usage: sale-in-root.sh ROOTFS RELEASE-DIR
set -euo pipefail
ROOTFS=$1
APP=$2
START=$(date +%s)
log() { printf '[%4ss] sale: %s\n' "$(($(date +%s) - START))" "$*"; }
in_root() { chroot "$ROOTFS" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

CONFIG=/etc/loyalty-edge/config.yaml
in_root rm -rf /etc/loyalty-edge/config.yaml /var/lib/loyalty-edge/store.db /var/lib/loyalty-edge/secrets
log "provision init (simulated reader, kiosk k1)"
in_root loyalty-edge provision init --config "$CONFIG" --store-id qemu-store --data-dir /var/lib/loyalty-edge \
  --reader-driver simulated --kiosk-id k1 >/dev/null
log "provision add-till till-01"
password=$(in_root loyalty-edge provision add-till till-01 --config "$CONFIG" --host 127.0.0.1 |
  sed -n 's/^  password: //p')
[[ -n $password ]] || { echo "sale: add-till printed no password" >&2; exit 1; }
log "members import (the demo members)"
in_root loyalty-edge members import "$APP/gateway/demo/members.csv" --config "$CONFIG"
log "doctor"
in_root loyalty-edge doctor --config "$CONFIG" || log "doctor reported failures (expected in a chroot: no SPI, GPIO or systemd)"
log "start the gateway"
in_root runuser -u loyalty -- /usr/bin/node "$APP/bin/loyalty-edge.js" start --config "$CONFIG" >"$ROOTFS/tmp/gateway.log" 2>&1 &
GATEWAY_PID=$!
trap 'kill "$GATEWAY_PID" 2>/dev/null || true; pkill -P "$GATEWAY_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 180); do
  grep -q 'Health' "$ROOTFS/tmp/gateway.log" 2>/dev/null && break
  kill -0 "$GATEWAY_PID" 2>/dev/null || { cat "$ROOTFS/tmp/gateway.log"; echo "sale: the gateway exited" >&2; exit 1; }
  sleep 1
done
grep -q 'Health' "$ROOTFS/tmp/gateway.log" || { cat "$ROOTFS/tmp/gateway.log"; echo "sale: the gateway did not start in 180 s" >&2; exit 1; }
log "gateway up: $(head -n 1 "$ROOTFS/tmp/gateway.log")"
cp "$(dirname "${BASH_SOURCE[0]}")/till-sale.mjs" "$ROOTFS$APP/provisioning/arm64/till-sale.mjs"
in_root sh -c "cd $APP && node provisioning/arm64/till-sale.mjs 1883 till-01 '$password' 04A1B2C3"
log "ledger verify"
in_root loyalty-edge ledger verify --config "$CONFIG"
log "sale made on arm64"
