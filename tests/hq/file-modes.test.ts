import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, notPrivate, spawnUnderUmask000, untilOutput } from '../fakes/file-modes.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { freePort, ROOT } from '../gateway/sync/processes.ts';

const dir = makeTempDir('hq-modes-');
afterAll(() => dir.remove());

// docs/troubleshooting.md "file permissions": hq's data folder, the embedded PostgreSQL's
// files included (PGlite's initdb writes them 0666), is the service user's alone.
describe('the hq data folder under umask 000', () => {
  it('is private after a first start (initdb), while running, and after stop', async () => {
    const data = join(dir.path, 'hq-data');
    const config = join(dir.path, 'hq.yaml');
    const port = await freePort();
    writeFileSync(config, `dataDir: ${data}\nhq:\n  port: ${port}\n  host: 127.0.0.1\n`);
    const hq = spawnUnderUmask000(
      ['--import', 'tsx', join(ROOT, 'hq/src/bin.ts'), 'hq', 'start', '--config', config],
      ROOT,
    );
    try {
      await untilOutput(hq, /hq listening/, 240_000);
      expect(existsSync(join(data, 'hq-pglite', 'PG_VERSION'))).toBe(true);
      expect(notPrivate(data)).toEqual([]);
      // Work that makes PostgreSQL write new files: an enrollment token (a row, WAL).
      const token = await fetch(`http://127.0.0.1:${port}/v1/admin/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ storeId: 'modes-1' }),
      });
      expect(token.status).toBe(200);
      expect(notPrivate(data)).toEqual([]);
    } finally {
      hq.kill('SIGTERM');
      await exited(hq);
    }
    expect(notPrivate(data)).toEqual([]);
  }, 300_000);
});
