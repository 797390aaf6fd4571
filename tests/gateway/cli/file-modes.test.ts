import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { exited, notPrivate, spawnUnderUmask000, untilOutput } from '../../fakes/file-modes.ts';
import { connectTill, DEMO_MEMBERS, testConfigValue } from '../../fakes/gateway-fixture.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';
import { BIN } from './run-cli.ts';

/** Runs `loyalty-edge ARGS` to the end under umask 000; its exit code and output. */
const runUnderUmask000 = async (
  args: string[],
  cwd: string,
): Promise<{ code: number | null; out: string }> => {
  const child = spawnUnderUmask000([BIN, ...args], cwd);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  return { code: await exited(child), out };
};

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

const dir = makeTempDir('le-modes-');
afterAll(() => dir.remove());

// docs/troubleshooting.md "file permissions": the store's data folder is the service user's
// alone (0600 files, 0700 folders), and so is a backup, whatever umask the gateway runs under.
describe('the store data folder under umask 000', () => {
  const data = join(dir.path, 'data');
  const config = join(dir.path, 'config.yaml');

  it('is private after an import, after start (WAL and SHM too), after a backup, and after stop', async () => {
    writeFileSync(config, stringify(testConfigValue(data)));
    const imported = await runUnderUmask000(
      ['members', 'import', DEMO_MEMBERS, '--config', config],
      dir.path,
    );
    expect(imported.code, imported.out).toBe(0);
    expect(notPrivate(data)).toEqual([]);

    // A file copied in by hand with a wide mode is made private at the next start.
    writeFileSync(join(data, 'notes.txt'), 'copied in by hand\n');
    chmodSync(join(data, 'notes.txt'), 0o666);
    chmodSync(join(data, 'store.db'), 0o644);
    chmodSync(data, 0o755);

    const gateway = spawnUnderUmask000([BIN, 'start', '--config', config], dir.path);
    try {
      const out = await untilOutput(gateway, / {2}Data +\S+\n/);
      const mqttPort = /mqtt:\/\/[^:]+:(\d+)/.exec(out)?.[1];
      const till = await connectTill(`mqtt://127.0.0.1:${mqttPort}`);
      expect(await till.request('identify', { card: { uid: '04A1B2C3' } })).toMatchObject({ ok: true });
      await till.close();
      expect(readdirSync(data)).toEqual(expect.arrayContaining(['store.db', 'store.db-wal', 'store.db-shm']));
      expect(notPrivate(data)).toEqual([]);

      // An online backup to a folder outside the data folder (a USB stick), the gateway running.
      const elsewhere = join(dir.path, 'usb');
      mkdirSync(elsewhere);
      chmodSync(elsewhere, 0o777);
      const target = join(elsewhere, 'store-backup.db');
      const backup = await runUnderUmask000(['backup', target, '--config', config], dir.path);
      expect(backup.code, backup.out).toBe(0);
      expect(mode(target)).toBe('600');
      expect(readdirSync(elsewhere)).toEqual(['store-backup.db']); // no temporary folder left
      const copy = new Database(target, { readonly: true });
      expect(copy.prepare('SELECT count(*) AS n FROM members').get()).toEqual({ n: 7 });
      copy.close();
      expect(notPrivate(data)).toEqual([]);

      // --force over an existing world-readable file: the new copy is private too.
      chmodSync(target, 0o666);
      const again = await runUnderUmask000(['backup', target, '--force', '--config', config], dir.path);
      expect(again.code, again.out).toBe(0);
      expect(mode(target)).toBe('600');
    } finally {
      gateway.kill('SIGTERM');
      await exited(gateway);
    }
    expect(existsSync(join(data, 'store.db'))).toBe(true);
    expect(notPrivate(data)).toEqual([]);
  }, 180_000);

  // Root can chmod anything: run as another user (nobody) to meet a file it cannot change.
  it.skipIf(process.getuid?.() !== 0)(
    'names a file of another user it cannot make private, and what to do',
    async () => {
      const other = makeTempDir('le-modes-other-');
      try {
        chmodSync(other.path, 0o755);
        const otherData = join(other.path, 'data');
        mkdirSync(otherData, { mode: 0o700 });
        chownSync(otherData, 65534, 65534);
        writeFileSync(join(otherData, 'copied-by-root.db'), 'x'); // root's, 0644
        const otherConfig = join(other.path, 'config.yaml');
        writeFileSync(otherConfig, stringify(testConfigValue(otherData)));
        const r = spawnSync(
          'setpriv',
          [
            '--reuid=65534',
            '--regid=65534',
            '--clear-groups',
            process.execPath,
            BIN,
            'ledger',
            'verify',
            '--config',
            otherConfig,
          ],
          { cwd: other.path, encoding: 'utf8', timeout: 60_000 },
        );
        expect(r.status, r.stderr).not.toBe(0);
        expect(r.stderr).toContain(
          `${join(otherData, 'copied-by-root.db')} belongs to uid 0, not to this service (uid 65534)`,
        );
        expect(r.stderr).toMatch(/chown it to the service user .*\(DATA_FILE_OWNER\)$/m);
        expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
      } finally {
        other.remove();
      }
    },
    60_000,
  );
});
