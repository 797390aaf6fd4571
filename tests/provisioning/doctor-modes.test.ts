import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../gateway/src/config/load.ts';
import { ensurePrivateDir } from '../../gateway/src/core/private-files.ts';
import { checkDataDir } from '../../provisioning/src/doctor/store-checks.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';

const probes = { canWrite: async () => true as const, freeBytes: async () => 8 * 1024 ** 3 };

describe('doctor: data files (docs/troubleshooting.md "file permissions")', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let data: string;
  beforeEach(() => {
    dir = makeTempDir('le-doctor-modes-');
    data = join(dir.path, 'data');
    ensurePrivateDir(data);
    writeFileSync(join(data, 'store.db'), 'x', { mode: 0o600 });
  });
  afterEach(() => dir.remove());

  const dataFiles = async () =>
    (await checkDataDir({ dataDir: data } as Config, probes as never)).find((r) => r.check === 'data files');

  it('is ok when every file is 0600 and every folder 0700', async () => {
    expect(await dataFiles()).toMatchObject({ status: 'ok' });
  });

  it('warns naming what others can read, and how to fix it', async () => {
    writeFileSync(join(data, 'copied.db'), 'x');
    chmodSync(join(data, 'copied.db'), 0o644);
    mkdirSync(join(data, 'sub'), { mode: 0o755 });
    chmodSync(join(data, 'sub'), 0o755);
    expect(await dataFiles()).toMatchObject({
      status: 'warn',
      message: 'readable by others: copied.db, sub',
      fix: expect.stringContaining('restart loyalty-edge'),
    });
  });
});
