#!/usr/bin/env bash
# Installs what building and testing Loyalty Edge needs on Debian or Raspberry Pi OS:
# Node.js (>= 20.19) with npm, a C++ toolchain for the native modules (better-sqlite3,
# serialport, onoff build from source where no prebuilt binary fits), and with --test
# the tools the test suite drives for real (socat ptys, Mosquitto clients, Chromium for the
# kiosk, shellcheck for the set-up scripts, PostgreSQL for head office, systemd-analyze for
# the units).
# Idempotent: installs only what is missing. Run as root or with sudo.
set -euo pipefail

want=(g++ make python3)
command -v node >/dev/null 2>&1 || want+=(nodejs)
command -v npm >/dev/null 2>&1 || want+=(npm)
if [[ "${1:-}" == "--test" ]]; then
  want+=(socat mosquitto-clients chromium fonts-dejavu-core shellcheck postgresql systemd)
fi

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
# nodejs/npm may come from outside Debian (nvm, NodeSource): trust a working binary.
if ((${#missing[@]} > 0)); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "setup-dev: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# shellcheck disable=SC2016 # JavaScript, not shell
node -e '
  const [maj, min] = process.versions.node.split(".").map(Number);
  if (maj < 20 || (maj === 20 && min < 19)) {
    console.error(`setup-dev: Node.js ${process.versions.node} is too old; Loyalty Edge needs >= 20.19`);
    process.exit(1);
  }'
# hq's tests run against a real PostgreSQL server too (and PGlite): start the cluster the
# machine has and give the tests their role and database (tests/hq/drivers.ts PG_URL).
if [[ "${1:-}" == "--test" ]] && command -v pg_lsclusters >/dev/null 2>&1 &&
  read -r pg_version pg_cluster _ < <(pg_lsclusters --no-header | head -n 1); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo pg_ctlcluster "$pg_version" "$pg_cluster" start 2>/dev/null || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
  as_postgres() { $sudo su postgres -c "$1"; }
  as_postgres "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='loyalty'\"" | grep -q 1 ||
    as_postgres "psql -qc \"CREATE ROLE loyalty LOGIN PASSWORD 'loyalty'\""
  as_postgres "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='loyalty_hq_test'\"" | grep -q 1 ||
    as_postgres "psql -qc 'CREATE DATABASE loyalty_hq_test OWNER loyalty'"
  echo "setup-dev: PostgreSQL $pg_version/$pg_cluster running, test database loyalty_hq_test"
fi

echo "setup-dev: ready (node $(node -v), npm $(npm -v))"
