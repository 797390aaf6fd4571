import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../gateway/src/config/load.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { runCommand } from './helpers.ts';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const runAndCrash = (step: string, words: string[], args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', CHILD, step, ...words, '--', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });

describe('a crash while editing the config', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let config: string;
  beforeEach(async () => {
    dir = makeTempDir('provision-crash-');
    config = dir.file('config.yaml');
    expect((await runCommand('provision init', ['--config', config, '--store-id', 's1'])).code).toBe(0);
    expect((await runCommand('provision add-till', ['till-01', '--config', config])).code).toBe(0);
  });
  afterEach(() => dir.remove());

  it('killed after the secret file, before the config: the old config loads, and a retry works', async () => {
    const before = readFileSync(config, 'utf8');
    const child = runAndCrash('secret-written', ['provision', 'add-till'], ['till-02', '--config', config]);
    expect(child.signal).toBe('SIGKILL');
    expect(readFileSync(config, 'utf8')).toBe(before);
    expect(loadConfigFile(config).tills.map((t) => t.id)).toEqual(['till-01']);
    expect((await runCommand('provision add-till', ['till-02', '--config', config])).code).toBe(0);
    expect(loadConfigFile(config).tills.map((t) => t.id)).toEqual(['till-01', 'till-02']);
  });

  it('killed right after the config rename: the new config is whole', () => {
    const child = runAndCrash('config-written', ['provision', 'add-till'], ['till-02', '--config', config]);
    expect(child.signal).toBe('SIGKILL');
    expect(loadConfigFile(config).tills.map((t) => t.id)).toEqual(['till-01', 'till-02']);
  });

  it('killed during init before the config: no config, and init can run again', async () => {
    const other = dir.file('other/config.yaml');
    const child = runAndCrash(
      'secrets-written',
      ['provision', 'init'],
      ['--config', other, '--store-id', 's2'],
    );
    expect(child.signal).toBe('SIGKILL');
    expect(existsSync(other)).toBe(false);
    expect((await runCommand('provision init', ['--config', other, '--store-id', 's2'])).code).toBe(0);
  });

  it('a half-written temporary file from a crash mid-write is ignored, then tidied away', async () => {
    const before = readFileSync(config, 'utf8');
    // What writeFileDurable leaves when the power goes during its write: tmp beside the file.
    const tmp = `${config}.tmp-999999`;
    writeFileSync(tmp, before.slice(0, Math.floor(before.length / 2)));
    expect(loadConfigFile(config).tills.map((t) => t.id)).toEqual(['till-01']);
    const { code, io } = await runCommand('provision add-till', ['till-02', '--config', config]);
    expect(code, io.text()).toBe(0);
    expect(loadConfigFile(config).tills.map((t) => t.id)).toEqual(['till-01', 'till-02']);
    expect(readdirSync(dir.path).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});
