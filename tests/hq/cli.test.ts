/** The hq commands and `provision enroll` (docs/protocol.md §3), run as Command objects against a live hub. */
import { statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Output } from '../../gateway/src/cli/command.ts';
import { deviceTokenPath } from '../../gateway/src/sync/device-token.ts';
import { hqCommands } from '../../hq/src/cli/index.ts';
import type { SqlDb } from '../../hq/src/db/sql.ts';
import type { Hub } from '../../hq/src/hub.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { startHub } from './hub-fixture.ts';
import { openTestPglite } from './pglite-template.ts';

const command = (...words: string[]) => {
  const c = hqCommands.find((x) => x.words.join(' ') === words.join(' '));
  if (!c) throw new Error(`no command ${words.join(' ')}`);
  return c;
};

function capture(): Output & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), progress: () => undefined };
}

describe('hq CLI', () => {
  let db: SqlDb;
  let hub: Hub;
  const dir = makeTempDir();
  let hqConfig: string;

  beforeAll(async () => {
    db = await openTestPglite();
    ({ hub } = await startHub(db));
    hqConfig = dir.file('hq.yaml');
    writeFileSync(hqConfig, `dataDir: ${dir.path}\nhq:\n  port: ${hub.port()}\n`);
  }, 120_000);
  afterAll(async () => {
    await hub.stop();
    await db.close();
    dir.remove();
  });

  it('hq token prints a one-time token last; provision enroll stores the device token 0600', async () => {
    const io = capture();
    expect(await command('hq', 'token').run(['--store', 'yerevan-1', '--config', hqConfig], io)).toBe(0);
    const token = io.lines.at(-1) ?? '';
    expect(token).toMatch(/^enr_/);
    const gwConfig = dir.file('gateway.yaml');
    writeFileSync(
      gwConfig,
      `storeId: yerevan-1\ndataDir: ${dir.file('gw')}\nprogram: program.yaml\nhq:\n  url: http://127.0.0.1:${hub.port()}\n  deviceId: gw-yerevan-1\n`,
    );
    const enroll = command('provision', 'enroll');
    const first = capture();
    expect(await enroll.run(['--token', token, '--config', gwConfig], first)).toBe(0);
    const file = deviceTokenPath(dir.file('gw'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The file exists now: a second enrollment is refused before asking hq.
    expect(await enroll.run(['--token', token, '--config', gwConfig], capture())).toBe(1);
  });

  it('a used or unknown token is refused; a bad hq config exits 2 with path: message', async () => {
    const gwConfig = dir.file('gateway2.yaml');
    writeFileSync(
      gwConfig,
      `storeId: s2\ndataDir: ${dir.file('gw2')}\nprogram: program.yaml\nhq:\n  url: http://127.0.0.1:${hub.port()}\n  deviceId: gw-2\n`,
    );
    const io = capture();
    expect(await command('provision', 'enroll').run(['--token', 'enr_nope', '--config', gwConfig], io)).toBe(
      1,
    );
    expect(io.errors.join('\n')).toMatch(/403/);
    const bad = dir.file('bad.yaml');
    writeFileSync(bad, 'hq:\n  port: "x"\n  databse: 1\n');
    const err = capture();
    expect(await command('hq', 'token').run(['--store', 's', '--config', bad], err)).toBe(2);
    expect(err.errors.join('\n')).toMatch(/hq\.port: /);
    expect(err.errors.join('\n')).toMatch(/hq\.databse: unknown key/);
  });
});
