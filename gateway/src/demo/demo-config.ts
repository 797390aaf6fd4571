import { randomBytes, randomInt } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { writeFileDurable } from '../core/durable-file.ts';
import { ensurePrivateDir, makePrivate } from '../core/private-files.ts';

/** The demo's files shipped with the checkout. */
export const DEMO_PROGRAM = new URL('../../demo/program.yaml', import.meta.url).pathname;
export const DEMO_MEMBERS = new URL('../../demo/members.csv', import.meta.url).pathname;

export interface DemoSetup {
  configPath: string;
  /** True when this call wrote the config (first start): members still need importing. */
  created: boolean;
}

const secret = () => randomBytes(18).toString('base64url');

/** What a demo store of a chain differs in (`loyalty-edge demo`: two stores and head office). */
export interface DemoStoreOptions {
  storeId: string;
  mqttPort: number;
  httpPort: number;
  /** Head office as this run has it: written on every call, the secrets kept. */
  hq: { url: string; deviceId: string };
}

const HEADER =
  '# Loyalty Edge demo store, written by `loyalty-edge start` on first run. Secrets are in clear: demo only.\n';

/**
 * The embedded demo (docs/protocol.md §3, `start` with no config): a config in `dataDir` with
 * fresh secrets (0600, written durably), the demo program copied beside it so it can be
 * edited, one simulated reader bound to one kiosk, two tills, Node-RED and a manager.
 * An existing demo config is kept, so secrets stay the same across restarts. With `store`
 * (a store of `loyalty-edge demo`), its id, ports and head office are written each time, so
 * the file always says where this run's store listens (`tap --config` reads it).
 */
export const ensureDemoConfig = (dataDir: string, store?: DemoStoreOptions): DemoSetup => {
  ensurePrivateDir(dataDir);
  const configPath = join(dataDir, 'config.yaml');
  const exists = existsSync(configPath);
  if (exists && store === undefined) return { configPath, created: false };
  const programPath = join(dataDir, 'program.yaml');
  if (!existsSync(programPath)) {
    copyFileSync(DEMO_PROGRAM, programPath);
    makePrivate(programPath); // copyFileSync keeps the source's 0644
  }
  const config: Record<string, unknown> = exists
    ? (parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>)
    : {
        storeId: 'demo-store',
        dataDir: '.',
        program: 'program.yaml',
        mqtt: { port: 1883, host: '0.0.0.0' },
        http: { port: 8080, host: '0.0.0.0' },
        tills: [
          { id: 'till-01', secret: secret() },
          { id: 'till-02', secret: secret() },
        ],
        kiosks: [{ id: 'kiosk-1', secret: secret(), reader: 'reader-1' }],
        integrations: [{ id: 'node-red', secret: secret(), allowTillRequests: true }],
        managers: [{ id: 'manager-1', code: String(randomInt(100000, 1000000)) }],
        readers: [{ id: 'reader-1', driver: 'simulated' }],
      };
  if (store !== undefined) {
    config.storeId = store.storeId;
    config.mqtt = { port: store.mqttPort, host: '127.0.0.1' };
    config.http = { port: store.httpPort, host: '127.0.0.1' };
    config.hq = store.hq;
  }
  writeFileDurable(configPath, HEADER + stringify(config));
  return { configPath, created: !exists };
};
