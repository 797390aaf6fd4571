import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../gateway/src/config/load.ts';
import { ValidationError } from '../../../gateway/src/core/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'le-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('config loading (docs/protocol.md §3)', () => {
  it('loads YAML with defaults, absolute paths and env:/file: secrets', () => {
    const secretFile = write('till.secret', 's3cret-from-file\n');
    chmodSync(secretFile, 0o600);
    const path = write(
      'ok.yaml',
      [
        'storeId: yerevan-1',
        'program: program.yaml',
        'tills:',
        '  - {id: till-01, secret: "env:TILL_SECRET"}',
        '  - {id: till-02, secret: "file:till.secret"}',
        'readers: [{id: r1, driver: pn532, path: /dev/ttyS0}]',
        'kiosks: [{id: kiosk-1, secret: k, reader: r1}]',
      ].join('\n'),
    );
    const config = loadConfigFile(path, { env: { TILL_SECRET: 'from-env' } });
    expect(config.tills.map((t) => t.secret)).toEqual(['from-env', 's3cret-from-file']);
    expect(config.dataDir).toBe(join(dir, 'data'));
    expect(config.program).toBe(join(dir, 'program.yaml'));
    expect(config.mqtt).toEqual({ port: 1883, host: '0.0.0.0', maxPayloadBytes: 65536 });
    expect(config.readers[0]).toMatchObject({ driver: 'pn532', baudRate: 115200 });
    expect(config.configPath).toBe(path);
  });

  it('loads the same config written as JSON', () => {
    const path = write('ok.json', JSON.stringify({ storeId: 's', program: '/p.yaml', http: { port: 9000 } }));
    const config = loadConfigFile(path);
    expect(config.http.port).toBe(9000);
    expect(config.program).toBe('/p.yaml');
  });

  it('lists every schema problem with its path', () => {
    const path = write(
      'bad.yaml',
      [
        'storeId: "bad id/with slash"',
        'mqtt: {port: 70000}',
        'tills: [{id: till-01}]',
        'readers: [{id: r1, driver: nfc9000}]',
        'colour: blue',
      ].join('\n'),
    );
    const problems = problemsOf(() => loadConfigFile(path));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^storeId: must be 1-64 letters/),
        expect.stringMatching(/^program: /),
        expect.stringMatching(/^mqtt\.port: /),
        expect.stringMatching(/^tills\[0\]\.secret: /),
        expect.stringMatching(/^readers\[0\]\.driver: /),
        'colour: unknown key',
      ]),
    );
  });

  it('checks references, duplicates and secrets after the schema', () => {
    const path = write(
      'refs.yaml',
      [
        'storeId: s1',
        'program: p.yaml',
        'mqtt: {port: 8080}',
        'tills: [{id: dup, secret: "env:MISSING_SECRET"}]',
        'kiosks: [{id: dup, secret: "file:nope.secret", reader: r7}]',
      ].join('\n'),
    );
    expect(problemsOf(() => loadConfigFile(path, { env: {} }))).toEqual([
      'kiosks[0].id: "dup" is already used at tills[0].id',
      'kiosks[0].reader: no reader with id "r7" in readers',
      'http.port: must differ from mqtt.port (8080)',
      'tills[0].secret: environment variable MISSING_SECRET is not set',
      `kiosks[0].secret: cannot read secret file ${join(dir, 'nope.secret')} (ENOENT)`,
    ]);
  });

  it('reports YAML syntax errors by line and a missing file by name', () => {
    const path = write('syntax.yaml', 'storeId: s1\ntills: [\n  {id: a\n');
    expect(problemsOf(() => loadConfigFile(path))[0]).toMatch(/^line \d+: /);
    expect(problemsOf(() => loadConfigFile(join(dir, 'absent.yaml')))[0]).toMatch(
      /^\(file\): cannot read .* \(ENOENT\)$/,
    );
  });
  it('reads cardTokenKey as a secret (env: or file:), at least 16 characters, never echoed in problems', () => {
    const keyFile = write('token.key', 'a-token-key-from-a-file-0123\n');
    chmodSync(keyFile, 0o600);
    const fromFile = write('key-file.yaml', 'storeId: s\nprogram: p.yaml\ncardTokenKey: "file:token.key"\n');
    expect(loadConfigFile(fromFile).cardTokenKey).toBe('a-token-key-from-a-file-0123');
    const fromEnv = write('key-env.yaml', 'storeId: s\nprogram: p.yaml\ncardTokenKey: "env:LE_TOKEN_KEY"\n');
    expect(loadConfigFile(fromEnv, { env: { LE_TOKEN_KEY: 'x'.repeat(32) } }).cardTokenKey).toBe(
      'x'.repeat(32),
    );
    expect(problemsOf(() => loadConfigFile(fromEnv, { env: {} }))).toEqual([
      'cardTokenKey: environment variable LE_TOKEN_KEY is not set',
    ]);
    const short = write('key-short.yaml', 'storeId: s\nprogram: p.yaml\ncardTokenKey: "env:LE_TOKEN_KEY"\n');
    const problems = problemsOf(() => loadConfigFile(short, { env: { LE_TOKEN_KEY: 'tooShortKey' } }));
    expect(problems).toEqual(['cardTokenKey: must be at least 16 characters']);
    expect(problems.join('\n')).not.toContain('tooShortKey');
    expect(
      loadConfigFile(write('no-key.yaml', 'storeId: s\nprogram: p.yaml\n')).cardTokenKey,
    ).toBeUndefined();
  });
});
