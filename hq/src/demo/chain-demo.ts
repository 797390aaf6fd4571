import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { loadConfigFile } from '../../../gateway/src/config/load.ts';
import { writeFileDurable } from '../../../gateway/src/core/durable-file.ts';
import type { Logger } from '../../../gateway/src/core/logger.ts';
import { DEMO_MEMBERS, ensureDemoConfig } from '../../../gateway/src/demo/demo-config.ts';
import { Gateway } from '../../../gateway/src/gateway.ts';
import { loadProgramFile } from '../../../gateway/src/program/load.ts';
import { deviceTokenPath, readDeviceToken } from '../../../gateway/src/sync/device-token.ts';
import { createHqClient } from '../../../gateway/src/sync/hq-client.ts';
import { parseHqConfig } from '../config.ts';
import { createEnrollmentToken } from '../enroll.ts';
import { createHub, type Hub } from '../hub.ts';
import { DemoTill } from './demo-till.ts';

/**
 * `loyalty-edge demo` (docs/demo.md): head office and two stores in one process, each store
 * with the demo program, a simulated reader, its kiosk and a simulated till, the chain's
 * members imported once at head office and sent down to both stores by the sync. The same
 * parts as a real chain (the hub, `Gateway`, enrollment, the sync over HTTP); only the
 * processes are one.
 */
export interface DemoStore {
  label: string;
  gateway: Gateway;
  configPath: string;
  /** The till a person may use (the simulated till is till-01). */
  till: { id: string; secret: string };
}

export interface ChainDemo {
  hubUrl: string;
  stores: DemoStore[];
  stop(): Promise<void>;
}

const STORES = [
  { label: 'A', storeId: 'demo-store-a', deviceId: 'demo-pi-a', mqtt: 1883, http: 8080 },
  { label: 'B', storeId: 'demo-store-b', deviceId: 'demo-pi-b', mqtt: 1884, http: 8081 },
];
const HQ_PORT = 8090;
/** How often the demo asks each store to sync: a real store polls every 10 s. */
const SYNC_EVERY_MS = 2000;

/** `preferred` when nothing listens on it, else a free port the system picks. */
const freePort = (preferred: number, host: string): Promise<number> =>
  new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => {
      const any = createServer();
      any.listen(0, host, () => {
        const { port } = any.address() as { port: number };
        any.close(() => done(port));
      });
    });
    probe.listen(preferred, host, () => probe.close(() => done(preferred)));
  });

const until = async (what: string, check: () => boolean, ms: number): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`demo: ${what} did not happen within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Imports the demo members at head office on the first run (loopback admin API, as `hq members import`). */
const importMembers = async (hub: Hub, url: string, say: (line: string) => void): Promise<void> => {
  const [row] = await hub.db().query<{ n: string }>('SELECT count(*) AS n FROM members');
  if (Number(row?.n ?? 0) > 0) return;
  const res = await fetch(`${url}/v1/admin/members/import`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: readFileSync(DEMO_MEMBERS),
  });
  const body = (await res.json()) as { members?: number; cards?: number; error?: { message: string } };
  if (!res.ok) throw new Error(`demo: head office refused the demo members: ${body.error?.message}`);
  say(`demo: head office imported ${body.members} members with ${body.cards} cards`);
};

/** Enrolls a store's device once (its token kept 0600 in its data dir, as `provision enroll`). */
const enroll = async (hub: Hub, url: string, dataDir: string, storeId: string, deviceId: string) => {
  if (readDeviceToken(dataDir) !== null) return;
  const { token } = await createEnrollmentToken(hub.db(), storeId, new Date());
  const client = createHqClient({ url });
  try {
    const { deviceToken } = await client.enroll({ enrollmentToken: token, deviceId, storeId });
    writeFileDurable(deviceTokenPath(dataDir), `${deviceToken}\n`, 0o600);
  } finally {
    client.close();
  }
};

export async function startChainDemo(opts: {
  dataDir: string;
  logger: Logger;
  say: (line: string) => void;
  tills: boolean;
}): Promise<ChainDemo> {
  const root = resolve(opts.dataDir);
  const stopping: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stopping.reverse()) await s().catch(() => {});
    stopping.length = 0;
  };
  try {
    const hqPort = await freePort(HQ_PORT, '127.0.0.1');
    const hqConfig = parseHqConfig(
      { dataDir: join(root, 'hq'), hq: { port: hqPort, host: '127.0.0.1', scheduleEvents: false } },
      root,
    );
    const hub = createHub(hqConfig, { logger: opts.logger.child('hq') });
    await hub.start();
    stopping.push(async () => {
      await hub.stop();
    });
    const hubUrl = `http://127.0.0.1:${hub.port()}`;
    await importMembers(hub, hubUrl, opts.say);

    const stores: DemoStore[] = [];
    for (const s of STORES) {
      const dataDir = join(root, `store-${s.label.toLowerCase()}`);
      const { configPath } = ensureDemoConfig(dataDir, {
        storeId: s.storeId,
        mqttPort: await freePort(s.mqtt, '127.0.0.1'),
        httpPort: await freePort(s.http, '127.0.0.1'),
        hq: { url: hubUrl, deviceId: s.deviceId },
      });
      await enroll(hub, hubUrl, dataDir, s.storeId, s.deviceId);
      const config = loadConfigFile(configPath);
      const checked = await loadProgramFile(config.program);
      if (!checked.ok) throw new Error(`demo: program ${config.program}: ${checked.problems[0]?.message}`);
      const gateway = new Gateway({
        config,
        program: checked.program,
        logger: opts.logger.child(`store-${s.label}`),
      });
      await gateway.start();
      stopping.push(() => gateway.stop());
      const till = config.tills.find((t) => t.id === 'till-02') ?? config.tills[0]!;
      stores.push({ label: s.label, gateway, configPath, till: { id: till.id, secret: till.secret } });
    }

    // Each store syncs every couple of seconds, so a sale at one is seen at the other soon.
    const timer = setInterval(() => {
      for (const s of stores) s.gateway.sync?.nudge();
    }, SYNC_EVERY_MS);
    stopping.push(async () => clearInterval(timer));
    for (const s of stores) {
      s.gateway.sync?.nudge();
      await until(
        `store ${s.label} receiving the members from head office`,
        () => s.gateway.ledger.getMember('M-1001') !== null,
        60_000,
      );
    }
    opts.say('demo: both stores have the chain members from head office');

    if (opts.tills) {
      for (const [i, s] of stores.entries()) {
        const sim = s.gateway.config.tills[0]!;
        const till = new DemoTill({
          url: `mqtt://127.0.0.1:${s.gateway.ports.mqtt}`,
          tillId: sim.id,
          secret: sim.secret,
          label: `store ${s.label} ${sim.id}`,
          say: opts.say,
          offsetMs: 5000 + i * 7500,
        });
        await till.start();
        stopping.push(() => till.stop());
      }
    }
    return { hubUrl, stores, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
