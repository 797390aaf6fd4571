/**
 * docs/sync.md: a device whose uploads fail says so in /health, gateway/status, `status` and
 * `doctor`, and clears it once hq takes its entries again; what hq quarantined shows there
 * too. A real hub (PGlite) whose database refuses the store's entries, a real gateway
 * enrolled with it, a real mqtt.js till, the real commands.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status } from '../../../gateway/src/cli/commands/status.ts';
import { silentLogger } from '../../../gateway/src/core/logger.ts';
import { deviceTokenPath } from '../../../gateway/src/sync/device-token.ts';
import { createHqClient } from '../../../gateway/src/sync/hq-client.ts';
import { createSyncService } from '../../../gateway/src/sync/sync-service.ts';
import { readUploadHealth } from '../../../gateway/src/sync/upload-health.ts';
import type { SqlDb } from '../../../hq/src/db/sql.ts';
import type { Hub } from '../../../hq/src/hub.ts';
import { runDoctor } from '../../../provisioning/src/doctor/doctor-command.ts';
import { systemProbes } from '../../../provisioning/src/doctor/probes.ts';
import {
  connectTill,
  type GatewayFixture,
  saleBody,
  startGateway,
  testConfigValue,
} from '../../fakes/gateway-fixture.ts';
import { enroll, startHub } from '../../hq/hub-fixture.ts';
import { openTestPglite } from '../../hq/pglite-template.ts';
import { capture, quietProbes } from '../../provisioning/helpers.ts';
import { earn, openStore } from './store-fixture.ts';

let db: SqlDb;
let hub: Hub;
let hqUrl: string;
let fx: GatewayFixture;
let configFile: string;

const health = async () => {
  const r = await fetch(`http://127.0.0.1:${fx.gateway.ports.http}/health`);
  return (await r.json()) as { ok: boolean; sync: Record<string, unknown> | null };
};

/** Polls /health until `ok` holds of its sync part (the uploader runs on its own timers). */
const until = async (what: string, ok: (sync: Record<string, unknown>) => boolean) => {
  const end = Date.now() + 30_000;
  for (;;) {
    const { sync } = await health();
    if (sync && ok(sync)) return sync;
    if (Date.now() > end) throw new Error(`/health never showed ${what}: ${JSON.stringify(sync)}`);
    fx.gateway.sync?.nudge();
    await new Promise((r) => setTimeout(r, 100));
  }
};

const runStatus = async () => {
  const io = capture();
  const code = await status.run(['--config', configFile], io);
  return { code, text: io.text() };
};

const doctor = async () => runDoctor(configFile, quietProbes({ httpGet: systemProbes().httpGet }), {});

beforeAll(async () => {
  db = await openTestPglite();
  const started = await startHub(db);
  hub = started.hub;
  hqUrl = started.url;
  const token = await enroll(db, hqUrl, 'test-store', 'device-h');
  const hq = { url: hqUrl, deviceId: 'device-h' };
  fx = await startGateway({ hq }, (dataDir) => {
    writeFileSync(deviceTokenPath(dataDir), token, { mode: 0o600 });
    configFile = `${dataDir}/config.json`;
    writeFileSync(configFile, JSON.stringify({ ...testConfigValue(dataDir), hq }));
  });
}, 60_000);
afterAll(async () => {
  await fx?.stop();
  await hub?.stop();
  await db?.close();
});

describe('a device whose uploads fail says so', () => {
  it('reports ok while hq takes its entries', async () => {
    const sync = await until('the demo members uploaded', (s) => s.pending === 0 && s.uploads === 'ok');
    expect(sync).toMatchObject({ uploadFailing: null, quarantined: 0 });
    const s = await runStatus();
    expect(s.code).toBe(0);
    expect(s.text).toMatch(/uploads: ok/);
    const checks = await doctor();
    expect(checks.find((c) => c.check === 'head office')).toMatchObject({ status: 'ok' });
    expect(checks.find((c) => c.check === 'uploads')).toMatchObject({ status: 'ok' });
  });

  it('says uploads fail, since when and why, while hq answers 500 to every batch', async () => {
    // hq's database cannot take any batch (its entries table is gone: a restore gone wrong).
    await db.query('ALTER TABLE entries RENAME TO entries_away');
    const till = await connectTill(fx.url);
    expect(
      await till.request('sale', saleBody('04A1B2C3', [{ sku: 'X', qty: 1, unitPrice: 100_000 }])),
    ).toMatchObject({
      ok: true,
    });
    await till.close();
    const sync = await until('uploads failing', (s) => s.uploads === 'failing');
    expect(sync.uploadFailing).toMatchObject({
      error: 'ledger batch: hq answered 500',
      attempts: expect.any(Number),
    });
    expect(Number(sync.pending)).toBeGreaterThan(0);

    // gateway/status, retained, as a Node-RED flow reads it.
    const watcher = await mqtt.connectAsync(fx.url, {
      username: 'node-red',
      password: 'nr-secret',
      reconnectPeriod: 0,
    });
    const retained = new Promise<Record<string, unknown>>((resolve) =>
      watcher.on('message', (_t, p) => resolve(JSON.parse(p.toString()) as Record<string, unknown>)),
    );
    await watcher.subscribeAsync('loyalty/v1/gateway/status');
    expect(await retained).toMatchObject({
      online: true,
      sync: { uploadFailing: { error: 'ledger batch: hq answered 500' } },
    });
    await watcher.endAsync();

    const s = await runStatus();
    expect(s.code).toBe(1);
    expect(s.text).toMatch(
      /uploads: FAILING since \S+ \(\d+ attempts in a row\): ledger batch: hq answered 500/,
    );
    // doctor reaches hq's health route, and still fails the store: its uploads do not land.
    const checks = await doctor();
    expect(checks.find((c) => c.check === 'head office')?.status).toBe('ok');
    expect(checks.find((c) => c.check === 'uploads')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^failing since .*hq answered 500; \d+ entries wait$/),
    });
  });

  it('clears once hq takes the entries again', async () => {
    await db.query('ALTER TABLE entries_away RENAME TO entries');
    const sync = await until('uploads ok again', (s) => s.uploads === 'ok' && s.pending === 0);
    expect(sync.uploadFailing).toBeNull();
    expect((await runStatus()).code).toBe(0);
    expect((await doctor()).find((c) => c.check === 'uploads')?.status).toBe('ok');
  });

  it('shows what hq quarantined, and sync goes on', async () => {
    // An entry dated 2026-02-30 already in the ledger (written before the edge check existed).
    const ledger = fx.gateway.ledger;
    ledger.commit({
      idempotencyKey: 'legacy:feb-30',
      type: 'sale',
      at: '2026-02-30T10:00:00+04:00',
      programVersion: 1,
      storeId: 'test-store',
      postings: [
        {
          owner: { member: 'M-1001' },
          asset: 'points',
          bucket: 'available',
          kind: 'earn',
          amount: 5,
          lot: { availableAt: '2026-11-23T10:00:00+04:00', expiresAt: null },
        },
      ],
      response: { ok: true },
    });
    const sync = await until('the quarantine', (s) => s.quarantined === 1 && s.pending === 0);
    expect(sync.uploads).toBe('ok');
    const s = await runStatus();
    expect(s.code).toBe(0);
    expect(s.text).toMatch(/quarantined by head office: 1 item/);
    expect(s.text).toMatch(
      /entry seq \d+ device-h\/legacy:feb-30\/\d+: at: .*2026-02-30 is not a real calendar date/,
    );
    expect((await doctor()).find((c) => c.check === 'quarantine')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('hq quarantined 1 entries'),
    });
  });
});

describe("doctor's head office check", () => {
  it('fails a URL that answers but is not head office, instead of "ok (HTTP 404)"', async () => {
    const checks = await runDoctor(
      configFile,
      quietProbes({ httpGet: async () => ({ status: 404, body: '<html>not found</html>' }) }),
      {},
    );
    expect(checks.find((c) => c.check === 'head office')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('answered HTTP 404'),
    });
  });
});

describe('an upload cut short by the gateway stopping', () => {
  it('is not recorded as a failure of head office', async () => {
    // An hq that takes the request and never answers: the upload is in flight when we stop.
    const sockets: Socket[] = [];
    let connected: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const silent = createServer((socket) => {
      sockets.push(socket);
      connected();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const ledger = openStore(':memory:');
    earn(ledger, 's', 'k1', 'm1', 5);
    const sync = createSyncService({
      ledger,
      client: createHqClient({ url: `http://127.0.0.1:${port}`, token: 'x'.repeat(24) }),
      deviceId: 'gw-stop',
      logger: silentLogger,
    });
    try {
      sync.start();
      await inFlight;
      await sync.stop();
      expect(readUploadHealth(ledger.db).failing).toBeNull();
      expect(sync.progress().uploadFailing).toBeNull();
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
      ledger.close();
    }
  });
});
