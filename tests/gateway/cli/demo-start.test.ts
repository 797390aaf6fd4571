import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectTill } from '../../fakes/gateway-fixture.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';
import { cli, cliUntil } from './run-cli.ts';

const dir = makeTempDir('le-demo-');
afterAll(() => dir.remove());

describe('loyalty-edge start with no config (the embedded demo)', () => {
  it('creates ./data, imports the demo, prints credentials, answers a till, and stops cleanly', async () => {
    const run = await cliUntil(
      ['start', '--mqtt-port', '0', '--http-port', '0'],
      dir.path,
      /Stop with Ctrl\+C/,
    );
    try {
      const out = run.output();
      const mqttPort = /mqtt:\/\/[^:]+:(\d+)/.exec(out)?.[1];
      const httpPort = /Health\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1];
      const [, till, secret] = /(till-01) \/ (\S+)/.exec(out) ?? [];
      expect(out).toContain('demo: imported 7 members with 8 cards');
      expect(statSync(join(dir.path, 'data', 'config.yaml')).mode & 0o777).toBe(0o600);
      expect(existsSync(join(dir.path, 'data', 'store.db'))).toBe(true);

      const client = await connectTill(`mqtt://127.0.0.1:${mqttPort}`, till, secret);
      expect(await client.request('identify', { card: { uid: '04A1B2C3' } })).toMatchObject({
        ok: true,
        member: { id: 'M-1001' },
      });
      await client.close();

      const health = (await (await fetch(`http://127.0.0.1:${httpPort}/health`)).json()) as Record<
        string,
        unknown
      >;
      expect(health).toMatchObject({ ok: true, storeId: 'demo-store' });
      const tap = await fetch(`http://127.0.0.1:${httpPort}/api/readers/reader-1/tap`, {
        method: 'POST',
        body: JSON.stringify({ uid: '04a1b2c3' }),
      });
      expect(await tap.json()).toEqual({ ok: true, uid: '04A1B2C3' });
    } finally {
      run.child.kill('SIGTERM');
      await new Promise((resolve) => run.child.once('exit', resolve));
    }
    expect(run.output()).toContain('SIGTERM: stopping');

    // A second start keeps the same data and secrets, and imports nothing twice.
    const again = cli(['ledger', 'verify'], dir.path);
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toMatch(/^ledger of demo-store: clean/);
  });

  it('refuses a bad flag with exit 2, naming it', () => {
    const r = cli(['start', '--mqtt-port', 'eighty'], dir.path);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--mqtt-port: "eighty" is not a port number');
    const unknown = cli(['start', '--colour', 'blue'], dir.path);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--colour/);
  });
});
