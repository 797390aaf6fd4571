import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { bash } from './scripts.ts';

/**
 * upgrade.sh on a fake root. The seams stand in for the live system: a fake systemctl
 * whose `start` runs the current release's pretend migration (a marker file in the
 * release) and becomes active unless the release is marked broken; a fake CLI whose
 * `backup` copies the database, like the real online backup of a stopped gateway.
 */
describe('upgrade.sh and rollback on a fake root', () => {
  let root: ReturnType<typeof makeTempDir>;
  let source: ReturnType<typeof makeTempDir>;
  let env: Record<string, string>;
  const db = () => root.file('var/lib/loyalty-edge/store.db');
  const schema = (path = db()) => {
    const d = new Database(path, { readonly: true });
    try {
      return d.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get();
    } finally {
      d.close();
    }
  };

  beforeEach(() => {
    root = makeTempDir('upgrade-root-');
    source = makeTempDir('upgrade-src-');
    const old = root.file('opt/loyalty-edge/releases/1.0.0');
    mkdirSync(old, { recursive: true });
    writeFileSync(`${old}/package.json`, '{\n  "version": "1.0.0",\n}\n');
    symlinkSync('/opt/loyalty-edge/releases/1.0.0', root.file('opt/loyalty-edge/current'));
    mkdirSync(root.file('var/lib/loyalty-edge'), { recursive: true });
    const d = new Database(db());
    d.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY); INSERT INTO schema_migrations VALUES (1);',
    );
    d.exec("CREATE TABLE sales (id TEXT); INSERT INTO sales VALUES ('before-upgrade');");
    d.close();
    writeFileSync(
      source.file('package.json'),
      '{\n  "name": "loyalty-edge",\n  "version": "2.0.0",\n  "private": true\n}\n',
    );
    const bin = root.file('fake-bin');
    mkdirSync(bin);
    writeFileSync(
      `${bin}/systemctl`,
      `#!/bin/sh
echo "systemctl $*" >> "$FAKE_ROOT/calls.log"
cur="$FAKE_ROOT$(readlink "$FAKE_ROOT/opt/loyalty-edge/current")"
case "$1" in
  stop) rm -f "$FAKE_ROOT/active" ;;
  start)
    [ -f "$cur/MIGRATES" ] && sqlite3 "$FAKE_ROOT/var/lib/loyalty-edge/store.db" "INSERT OR IGNORE INTO schema_migrations VALUES (2); INSERT INTO sales VALUES ('by-new-release');"
    [ -f "$cur/BROKEN" ] && exit 1
    touch "$FAKE_ROOT/active" ;;
  is-active) [ -f "$FAKE_ROOT/active" ] ;;
esac
`,
    );
    writeFileSync(
      `${bin}/loyalty-edge`,
      `#!/bin/sh
echo "loyalty-edge $*" >> "$FAKE_ROOT/calls.log"
[ "$1" = backup ] && cp "$FAKE_ROOT/var/lib/loyalty-edge/store.db" "$FAKE_ROOT$2"
`,
    );
    chmodSync(`${bin}/systemctl`, 0o755);
    chmodSync(`${bin}/loyalty-edge`, 0o755);
    env = {
      FAKE_ROOT: root.path,
      SYSTEMCTL: `${bin}/systemctl`,
      LOYALTY_EDGE: `${bin}/loyalty-edge`,
      HEALTH_GET: 'true',
      SLEEP: 'true',
    };
  });
  afterEach(() => {
    root.remove();
    source.remove();
  });

  const upgrade = (...extra: string[]) =>
    bash(
      'upgrade.sh',
      ['--root', root.path, '--source', source.path, '--npm', 'skip', '--timeout', '4', ...extra],
      env,
    );
  const current = () => readlinkSync(root.file('opt/loyalty-edge/current'));
  const backups = () => readdirSync(root.file('var/backups/loyalty-edge'));
  const calls = () => readFileSync(root.file('calls.log'), 'utf8').trim().split('\n');

  it('healthy: new release beside the old, backup before the switch, old release and backup kept', () => {
    writeFileSync(source.file('MIGRATES'), '');
    const r = upgrade();
    expect(r.code, r.text).toBe(0);
    expect(current()).toBe('/opt/loyalty-edge/releases/2.0.0');
    expect(existsSync(root.file('opt/loyalty-edge/releases/1.0.0/package.json'))).toBe(true);
    expect(backups()).toEqual([expect.stringMatching(/^pre-upgrade-1\.0\.0-to-2\.0\.0-\d{8}T\d{6}Z\.db$/)]);
    expect(schema(root.file(`var/backups/loyalty-edge/${backups()[0]}`))).toBe(1);
    expect(schema()).toBe(2);
    // Stopped before the backup, so no sale can land between the backup and the switch.
    expect(calls()).toEqual([
      'systemctl stop loyalty-edge',
      expect.stringMatching(
        /^loyalty-edge backup \/var\/backups\/loyalty-edge\/pre-upgrade-.*\.db --config \/etc\/loyalty-edge\/config\.yaml$/,
      ),
      'systemctl start loyalty-edge',
      'systemctl is-active --quiet loyalty-edge',
    ]);
    expect(upgrade().stdout).toContain('already on 2.0.0');
  });

  it('fails to start after migrating: switches back and restores the pre-upgrade backup, keeps the failed database', () => {
    writeFileSync(source.file('MIGRATES'), '');
    writeFileSync(source.file('BROKEN'), '');
    const r = upgrade();
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/did not become healthy/);
    expect(r.text).toMatch(/schema changed \(1 -> 2\): restored/);
    expect(current()).toBe('/opt/loyalty-edge/releases/1.0.0');
    expect(schema()).toBe(1);
    const failed = readdirSync(root.file('var/lib/loyalty-edge')).filter((n) =>
      n.startsWith('store.db.failed-2.0.0-'),
    );
    expect(failed).toHaveLength(1);
    expect(schema(root.file(`var/lib/loyalty-edge/${failed[0]}`))).toBe(2);
    expect(calls().at(-1)).toBe('systemctl start loyalty-edge');
  });

  it('unhealthy without a schema change: switches back and keeps the database as it is', () => {
    env.HEALTH_GET = 'false';
    const r = upgrade();
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/schema unchanged \(1\): database kept/);
    expect(current()).toBe('/opt/loyalty-edge/releases/1.0.0');
    expect(readdirSync(root.file('var/lib/loyalty-edge'))).toEqual(['store.db']);
  });

  it('--rollback after a healthy upgrade goes back to the previous release and its backup', () => {
    writeFileSync(source.file('MIGRATES'), '');
    expect(upgrade().code).toBe(0);
    const r = bash('upgrade.sh', ['--root', root.path, '--rollback'], env);
    expect(r.code, r.text).toBe(0);
    expect(current()).toBe('/opt/loyalty-edge/releases/1.0.0');
    expect(schema()).toBe(1);
    expect(bash('upgrade.sh', ['--root', root.path, '--rollback'], env).stderr).toMatch(
      /no release older than 1\.0\.0/,
    );
  });

  it('a failed backup changes nothing; bad options exit 2', () => {
    writeFileSync(root.file('fake-bin/loyalty-edge'), '#!/bin/sh\nexit 1\n');
    const r = upgrade();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/backup failed: nothing changed/);
    expect(current()).toBe('/opt/loyalty-edge/releases/1.0.0');
    expect(calls().at(-1)).toBe('systemctl start loyalty-edge');
    expect(bash('upgrade.sh', ['--timeout', 'soon'], env).code).toBe(2);
  });
});
