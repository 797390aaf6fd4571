#!/usr/bin/env bash
# Upgrades Loyalty Edge to a new release, and rolls back by itself if it does not come up.
#
#   1. install the new release beside the old one (/opt/loyalty-edge/releases/<version>)
#   2. stop the gateway, then take a backup with the OLD release's `loyalty-edge backup`:
#      stopped first, so no sale lands after the backup and a restore loses nothing
#   3. switch /opt/loyalty-edge/current (atomic rename) and start the gateway: the new
#      release runs its migrations on start
#   4. health check: the unit reaches active (Type=notify: READY=1 comes after the ledger
#      is open and the ports listen) and GET /health answers 200, within --timeout
#   5. unhealthy: stop, switch back, and if the new release migrated the schema (forward
#      only: the old code may not read it), put the pre-upgrade backup back. The database
#      the new release touched is kept beside it as store.db.failed-<version>-<time> for
#      the few seconds of sales it may hold (see docs/troubleshooting.md).
# The pre-upgrade backup is always kept in /var/backups/loyalty-edge.
#
# Usage: upgrade.sh --source DIR [--version V] [--root DIR] [--timeout SECONDS] [--npm ci|skip] (ci: npm install from the lock file)
#        upgrade.sh --rollback [--root DIR]    (back to the release before this one)
# Seams for tests: SYSTEMCTL, LOYALTY_EDGE (the CLI), HEALTH_URL, HEALTH_GET (a command
# given the URL), SLEEP.
set -euo pipefail

ROOT=""
SOURCE=""
VERSION=""
TIMEOUT=90
NPM=ci
ROLLBACK=0
while (($# > 0)); do
  case $1 in
    --source) SOURCE=$2; shift 2 ;;
    --version) VERSION=$2; shift 2 ;;
    --root) ROOT=${2%/}; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --npm) NPM=$2; shift 2 ;;
    --rollback) ROLLBACK=1; shift ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "upgrade: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $TIMEOUT =~ ^[0-9]+$ ]] || { echo "upgrade: --timeout must be a number of seconds" >&2; exit 2; }
case $NPM in ci | skip) ;; *) echo "upgrade: --npm must be ci or skip" >&2; exit 2 ;; esac

SYSTEMCTL=${SYSTEMCTL:-systemctl}
LOYALTY_EDGE=${LOYALTY_EDGE:-/usr/local/bin/loyalty-edge}
HEALTH_URL=${HEALTH_URL:-http://127.0.0.1:8080/health}
HEALTH_GET=${HEALTH_GET:-curl -fsS -m 3 -o /dev/null}
SLEEP=${SLEEP:-sleep}
BASE=$ROOT/opt/loyalty-edge
CONFIG=/etc/loyalty-edge/config.yaml
DB=$ROOT/var/lib/loyalty-edge/store.db
BACKUPS=$ROOT/var/backups/loyalty-edge
STAMP=$(date -u +%Y%m%dT%H%M%SZ)

say() { echo "upgrade: $*"; }
die() { echo "upgrade: $*" >&2; exit 1; }

switch_to() { # atomic: a crash leaves the old link or the new one, never none
  ln -sfn "${1#"$ROOT"}" "$BASE/current.new"
  mv -T "$BASE/current.new" "$BASE/current"
  say "current -> ${1#"$ROOT"}"
}

schema_version() {
  if [[ ! -f $DB ]] || ! command -v sqlite3 >/dev/null; then
    echo unknown
    return
  fi
  sqlite3 -readonly "$DB" 'SELECT COALESCE(MAX(version), 0) FROM schema_migrations' 2>/dev/null || echo unknown
}

# The database the failed release touched, with its WAL, kept for reconciliation.
set_aside() {
  local f
  for f in "$DB" "$DB-wal" "$DB-shm"; do
    [[ -e $f ]] && mv "$f" "${f/store.db/store.db.failed-$1-$STAMP}"
  done
  return 0
}

healthy() {
  local waited=0
  while ((waited < TIMEOUT)); do
    if $SYSTEMCTL is-active --quiet loyalty-edge && $HEALTH_GET "$HEALTH_URL" >/dev/null 2>&1; then return 0; fi
    $SLEEP 2
    waited=$((waited + 2))
  done
  return 1
}

previous=$(readlink "$BASE/current" 2>/dev/null || true)
[[ -n $previous ]] || die "no $BASE/current: run pi-setup.sh first"
previous=$ROOT$previous

if ((ROLLBACK)); then
  # The release this one replaced, as the last successful upgrade recorded it.
  target=$(tail -n 1 "$BASE/previous-releases" 2>/dev/null || true)
  [[ -n $target ]] && target=$ROOT$target
  [[ -n $target ]] || die "no release older than $(basename "$previous") to roll back to"
  backup=$(find "$BACKUPS" -maxdepth 1 -name "pre-upgrade-*-to-$(basename "$previous")-*.db" 2>/dev/null | sort | tail -n 1)
  $SYSTEMCTL stop loyalty-edge
  switch_to "$target"
  if [[ -n $backup ]]; then
    set_aside "$(basename "$previous")"
    cp --preserve=mode,ownership "$backup" "$DB"
    say "restored $backup"
  fi
  $SYSTEMCTL start loyalty-edge
  sed -i '$d' "$BASE/previous-releases"
  say "rolled back to $(basename "$target")"
  exit 0
fi

[[ -n $SOURCE && -f $SOURCE/package.json ]] || die "--source DIR must be a Loyalty Edge checkout or unpacked release"
if [[ -z $VERSION ]]; then
  VERSION=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$SOURCE/package.json")
  commit=$(git -C "$SOURCE" rev-parse --short HEAD 2>/dev/null || true)
  [[ -n $commit ]] && VERSION="$VERSION-$commit"
fi
release=$BASE/releases/$VERSION
[[ $release != "$previous" ]] || { say "already on $VERSION"; exit 0; }

# 1. Beside the old one; a half-copied release is never switched to.
if [[ ! -d $release ]]; then
  say "installing $VERSION"
  rm -rf "$release.partial"
  mkdir -p "$release.partial"
  tar -C "$SOURCE" --exclude=./node_modules --exclude=./data --exclude=./.git -cf - . | tar -C "$release.partial" -xf -
  if [[ $NPM == ci ]]; then
    (cd "$release.partial" && npm install --no-audit --no-fund && npm run build && npm prune --omit=dev --no-audit --no-fund)
  fi
  mv "$release.partial" "$release"
fi

# 2. Stop, then back up with the old release (it knows its own schema).
$SYSTEMCTL stop loyalty-edge
mkdir -p "$BACKUPS"
backup=$BACKUPS/pre-upgrade-$(basename "$previous")-to-$VERSION-$STAMP.db
before=unknown
if [[ -f $DB ]]; then
  $LOYALTY_EDGE backup "${backup#"$ROOT"}" --config "$CONFIG" || { $SYSTEMCTL start loyalty-edge; die "backup failed: nothing changed, the old release is running again"; }
  [[ -s $backup ]] || { $SYSTEMCTL start loyalty-edge; die "backup $backup is empty: nothing changed"; }
  before=$(schema_version)
  say "backup: $backup (schema $before)"
fi

# 3-4. Switch, start, check.
switch_to "$release"
if $SYSTEMCTL start loyalty-edge && healthy; then
  echo "${previous#"$ROOT"}" >>"$BASE/previous-releases"
  say "$VERSION is up and healthy; previous release kept: $(basename "$previous"); backup kept: $backup"
  exit 0
fi

# 5. Roll back.
say "$VERSION did not become healthy within ${TIMEOUT}s: rolling back to $(basename "$previous")"
$SYSTEMCTL stop loyalty-edge || true
switch_to "$previous"
after=$(schema_version)
if [[ -f $backup ]] && [[ $after != "$before" || $before == unknown ]]; then
  set_aside "$VERSION"
  cp --preserve=mode,ownership "$backup" "$DB"
  say "schema changed ($before -> $after): restored $backup; the new release's database is kept as $DB.failed-$VERSION-$STAMP"
else
  say "schema unchanged ($before): database kept as it is"
fi
$SYSTEMCTL start loyalty-edge || true
die "rolled back to $(basename "$previous"); see journalctl -u loyalty-edge for why $VERSION failed"
