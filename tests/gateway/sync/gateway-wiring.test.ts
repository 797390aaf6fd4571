import { writeFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTokenPath } from '../../../gateway/src/sync/device-token.ts';
import type { SqlDb } from '../../../hq/src/db/sql.ts';
import type { Hub } from '../../../hq/src/hub.ts';
import { connectTill, type GatewayFixture, saleBody, startGateway } from '../../fakes/gateway-fixture.ts';
import { enroll, hqLedger, startHub } from '../../hq/hub-fixture.ts';
import { openTestPglite } from '../../hq/pglite-template.ts';

let db: SqlDb;
let hub: Hub;
let fx: GatewayFixture;

beforeAll(async () => {
  db = await openTestPglite();
  const started = await startHub(db);
  hub = started.hub;
  const token = await enroll(db, started.url, 'test-store', 'device-1');
  fx = await startGateway({ hq: { url: started.url, deviceId: 'device-1' } }, (dataDir) =>
    writeFileSync(deviceTokenPath(dataDir), token, { mode: 0o600 }),
  );
}, 60_000);
afterAll(async () => {
  await fx?.stop();
  await hub?.stop();
  await db?.close();
});

describe('the gateway with head office configured and enrolled', () => {
  it('runs the sync service: a sale reaches hq, and gateway/status shows the sync state', async () => {
    expect(fx.gateway.sync).not.toBeNull();
    const till = await connectTill(fx.url);
    const sale = saleBody('04A1B2C3', [{ sku: 'X', qty: 1, unitPrice: 100000 }], {
      at: '2026-11-23T12:00:00+04:00',
    });
    expect(await till.request('sale', sale)).toMatchObject({ ok: true });
    await till.close();
    fx.gateway.sync!.nudge();
    const until = Date.now() + 20_000;
    let keys: string[] = [];
    while (Date.now() < until) {
      keys = (await hqLedger(db)).keys;
      if (keys.some((k) => k.startsWith('device-1/till:till-01:'))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // hq keys each entry by device, the store's idempotency key and the entry's seq.
    expect(keys.some((k) => k.startsWith('device-1/till:till-01:'))).toBe(true);

    const watcher = await mqtt.connectAsync(fx.url, {
      username: 'node-red',
      password: 'nr-secret',
      clientId: 'node-red',
      reconnectPeriod: 0,
    });
    const status = new Promise<Record<string, unknown>>((resolve) =>
      watcher.on('message', (_t, p) => resolve(JSON.parse(p.toString()) as Record<string, unknown>)),
    );
    await watcher.subscribeAsync('loyalty/v1/gateway/status');
    expect(await status).toMatchObject({
      online: true,
      storeId: 'test-store',
      sync: { lastOkAt: expect.any(String) },
    });
    await watcher.endAsync();
  });
});
