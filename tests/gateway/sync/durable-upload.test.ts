/**
 * Only what is on disk goes up (docs/sync.md; ledger/durable-seq.ts). A real gateway with a
 * real till over MQTT, a real hub on PGlite, and the WAL fsync behind a gate (the WalSync
 * seam): a group committed but not yet flushed is never sent, and is sent once its fsync
 * completes.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastSeq } from '../../../gateway/src/ledger/outbox.ts';
import { deviceTokenPath } from '../../../gateway/src/sync/device-token.ts';
import { audit } from '../../../hq/src/audit.ts';
import type { SqlDb } from '../../../hq/src/db/sql.ts';
import type { Hub } from '../../../hq/src/hub.ts';
import { type GatedDisk, gatedDisk } from '../../fakes/gated-disk.ts';
import { connectTill, type GatewayFixture, saleBody, startGateway } from '../../fakes/gateway-fixture.ts';
import { enroll, startHub } from '../../hq/hub-fixture.ts';
import { openTestPglite } from '../../hq/pglite-template.ts';
import { storeKeys, until } from './durable-support.ts';

let db: SqlDb;
let hub: Hub;
let fx: GatewayFixture;
let disk: GatedDisk;

beforeAll(async () => {
  db = await openTestPglite();
  const started = await startHub(db);
  hub = started.hub;
  const token = await enroll(db, started.url, 'test-store', 'device-1');
  disk = gatedDisk();
  fx = await startGateway(
    { hq: { url: started.url, deviceId: 'device-1' } },
    (dataDir) => writeFileSync(deviceTokenPath(dataDir), token, { mode: 0o600 }),
    { disk: disk.seams },
  );
}, 60_000);
afterAll(async () => {
  disk?.release();
  await fx?.stop();
  await hub?.stop();
  await db?.close();
});

describe('the uploader and the WAL fsync', () => {
  it('does not send a group whose fsync is held, and sends it once the fsync completes', async () => {
    const ledger = fx.gateway.ledger;
    const sync = fx.gateway.sync!;
    const till = await connectTill(fx.url);
    try {
      // A first sale, answered (its fsync completed), reaches hq.
      const first = saleBody('04A1B2C3', [{ sku: 'X', qty: 1, unitPrice: 100000 }]);
      expect(await till.request('sale', first)).toMatchObject({ ok: true });
      await sync.runOnce();
      const durableSeq = lastSeq(ledger.db);
      expect((await audit(db, 'device-1')).ackedSeq).toBe(durableSeq);

      // The next sale's group commits; its fsync waits at the gate, so it is not answered.
      disk.hold();
      let answered = false;
      const pending = till
        .request('sale', saleBody('04A1B2C3', [{ sku: 'Y', qty: 2, unitPrice: 50000 }]))
        .then((r) => {
          answered = true;
          return r;
        });
      await until(() => lastSeq(ledger.db) > durableSeq && disk.waiting > 0, 'the held group committed');
      expect(ledger.durable.holding).toBe(true);
      expect(ledger.durable.ceiling()).toBe(durableSeq);
      const heldKeys = storeKeys(ledger.db, 'device-1').filter((k) => k.seq > durableSeq);
      expect(heldKeys.length).toBeGreaterThan(0);

      // A full upload cycle now: the entries are readable on the connection, yet none goes up.
      expect(ledger.entriesAfter(durableSeq, 100)).toEqual([]);
      await sync.runOnce();
      const whileHeld = await audit(db, 'device-1');
      expect(whileHeld.ackedSeq).toBe(durableSeq);
      for (const k of heldKeys) expect(whileHeld.keys).not.toContain(k.key);
      expect(answered).toBe(false);

      // The fsync completes: the till is answered and the group reaches hq (nudged, no call here).
      disk.release();
      expect(await pending).toMatchObject({ ok: true });
      expect(ledger.durable.holding).toBe(false);
      await until(async () => (await audit(db, 'device-1')).ackedSeq === lastSeq(ledger.db), 'hq acks it');
      const after = await audit(db, 'device-1');
      expect(after.keys).toEqual(storeKeys(ledger.db, 'device-1').map((k) => k.key));
      expect(after.drift).toEqual([]);
    } finally {
      disk.release();
      await till.close();
    }
  }, 60_000);
});
