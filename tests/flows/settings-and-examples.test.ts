/**
 * The device settings (flows/settings/settings.js) and the shape of the shipped flows:
 * loopback only, fail closed without secrets, no palette installs; every example importable
 * (known node types, wires and tabs that exist, no secret inside).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, loadExample } from './support/example-flows.ts';
import { ROOT } from './support/gateway-fixture.ts';
import { SETTINGS_FILE } from './support/node-red-process.ts';

const require = createRequire(import.meta.url);
const HASH = '$2b$08$ygaWHFY0ABoSDXGVRWgfj.qLgXpG2JNFVzn3PlDArhyXjQxINIJci';

type Settings = Record<string, unknown> & {
  uiHost: string;
  uiPort: number;
  userDir: string;
  credentialSecret: string;
  adminAuth: { type: string; users: Array<{ username: string; password: string; permissions: string }> };
  externalModules: {
    palette: { allowInstall: boolean; allowUpload: boolean };
    modules: { allowInstall: boolean };
  };
  nodesDir: string[];
  globalFunctionTimeout: number;
  functionExternalModules: boolean;
};

const saved = { ...process.env };
const loadSettings = (env: Record<string, string | undefined>): Settings => {
  for (const key of Object.keys(process.env))
    if (key.startsWith('LOYALTY_NODE_RED_')) delete process.env[key];
  Object.assign(process.env, env);
  delete require.cache[SETTINGS_FILE];
  return require(SETTINGS_FILE) as Settings;
};

describe('device settings', () => {
  afterEach(() => {
    process.env = { ...saved };
    delete require.cache[SETTINGS_FILE];
  });

  it('listens on loopback, takes its secrets from the environment, installs nothing', () => {
    const s = loadSettings({
      LOYALTY_NODE_RED_CREDENTIAL_SECRET: 'cs',
      LOYALTY_NODE_RED_ADMIN_HASH: HASH,
      LOYALTY_NODE_RED_USER_DIR: '/data/node-red',
    });
    expect(s.uiHost).toBe('127.0.0.1');
    expect(s.uiPort).toBe(1880);
    expect(s.userDir).toBe('/data/node-red');
    expect(s.credentialSecret).toBe('cs');
    expect(s.adminAuth.users).toEqual([{ username: 'admin', password: HASH, permissions: '*' }]);
    expect(s.externalModules.palette.allowInstall).toBe(false);
    expect(s.externalModules.palette.allowUpload).toBe(false);
    expect(s.externalModules.modules.allowInstall).toBe(false);
    expect(s.functionExternalModules).toBe(false);
    expect(s.globalFunctionTimeout).toBe(10);
    expect(s.nodesDir).toEqual([resolve(ROOT, 'flows')]);
  });

  it('hashes a clear-text password given as such (what pi-setup writes) with bcrypt at start', () => {
    const s = loadSettings({
      LOYALTY_NODE_RED_CREDENTIAL_SECRET: 'cs',
      LOYALTY_NODE_RED_ADMIN_PASSWORD: 'pw-1',
    });
    const stored = s.adminAuth.users[0]!.password;
    expect(stored).toMatch(/^\$2[aby]\$10\$/);
    const bcrypt = require('bcryptjs') as { compareSync(p: string, h: string): boolean };
    expect(bcrypt.compareSync('pw-1', stored)).toBe(true);
    expect(bcrypt.compareSync('pw-2', stored)).toBe(false);
  });

  it('refuses to start without the credential secret or with a clear-text admin password', () => {
    expect(() => loadSettings({ LOYALTY_NODE_RED_ADMIN_HASH: HASH })).toThrow(
      /LOYALTY_NODE_RED_CREDENTIAL_SECRET/,
    );
    expect(() => loadSettings({ LOYALTY_NODE_RED_CREDENTIAL_SECRET: 'cs' })).toThrow(
      /LOYALTY_NODE_RED_ADMIN_HASH/,
    );
    expect(() =>
      loadSettings({ LOYALTY_NODE_RED_CREDENTIAL_SECRET: 'cs', LOYALTY_NODE_RED_ADMIN_HASH: 'hunter2' }),
    ).toThrow(/bcrypt/);
  });
});

describe('shipped example flows', () => {
  const examples = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json'));
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'flows/package.json'), 'utf8')) as {
    'node-red': { nodes: Record<string, string> };
  };
  const core = new Set([
    'tab',
    'comment',
    'inject',
    'function',
    'http in',
    'http response',
    'http request',
    'tcp in',
    'tcp out',
    'file in',
    'csv',
    'switch',
    'change',
    'debug',
    'catch',
    'status',
    'delay',
    'template',
    'json',
  ]);
  const known = new Set([...core, ...Object.keys(pkg['node-red'].nodes)]);

  it('ships the five flows of the issue', () => {
    expect(examples.sort()).toEqual([
      'birthday-greeting.json',
      'cashback-notification.json',
      'daily-summary.json',
      'http-till-adapter.json',
      'serial-till-adapter.json',
    ]);
  });

  it.each(examples)('%s: known node types, one tab, wires to existing nodes, no secrets', (file) => {
    const nodes = loadExample(file.replace(/\.json$/, ''));
    const ids = new Set(nodes.map((n) => n.id));
    expect(ids.size).toBe(nodes.length);
    const tabs = nodes.filter((n) => n.type === 'tab');
    expect(tabs).toHaveLength(1);
    for (const n of nodes) {
      expect(known.has(n.type), `${n.id}: ${n.type}`).toBe(true);
      if (n.type === 'tab' || n.type === 'loyalty-gateway') continue;
      expect(n.z).toBe(tabs[0]!.id);
      for (const port of (n.wires as string[][] | undefined) ?? [])
        for (const to of port) expect(ids.has(to), `${n.id} → ${to}`).toBe(true);
      if (typeof n.gateway === 'string') expect(ids.has(n.gateway)).toBe(true);
    }
    const text = readFileSync(resolve(EXAMPLES_DIR, file), 'utf8');
    expect(text).not.toMatch(/"credentials"|"secret"/);
  });
});
