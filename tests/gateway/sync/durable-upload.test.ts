/**
 * Only what is on disk goes up (docs/sync.md; ledger/durable-seq.ts). A real gateway with a
 * real till over MQTT, a real hub on PGlite, and the WAL fsync behind a gate (the WalSync
 * seam): a group committed but not yet flushed is never sent, and is sent once its fsync
 * completes.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/src/core/logger.ts';
import { runBatch } from '../../../gateway/src/ledger/batch.ts';
import { openLedger } from '../../../gateway/src/ledger/ledger.ts';
import { lastSeq } from '../../../gateway/src/ledger/outbox.ts';
import { deviceTokenPath } from '../../../gateway/src/sync/device-token.ts';
import { createHqClient } from '../../../gateway/src/sync/hq-client.ts';
import { createSyncService, type Timers } from '../../../gateway/src/sync/sync-service.ts';
import { audit } from '../../../hq/src/audit.ts';
import type { SqlDb } from '../../../hq/src/db/sql.ts';
import type { Hub } from '../../../hq/src/hub.ts';
import { type GatedDisk, gatedDisk } from '../../fakes/gated-disk.ts';
import { connectTill, type GatewayFixture, saleBody, startGateway } from '../../fakes/gateway-fixture.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';
import { enroll, startHub } from '../../hq/hub-fixture.ts';
import { openTestPglite } from '../../hq/pglite-template.ts';
import { storeKeys, until } from './durable-support.ts';
import { AT, earn } from './store-fixture.ts';

let db: SqlDb;
let hub: Hub;
let hubUrl: string;
let fx: GatewayFixture;
let disk: GatedDisk;

beforeAll(async () => {
  db = await openTestPglite();
  const started = await startHub(db);
  hub = started.hub;
  hubUrl = started.url;
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

/** Timers run by hand: `fire()` runs the pending callback; `delays` is every delay asked for. */
function manualTimers(): Timers & { delays: number[]; fire(): void } {
  let pending: { fn: () => void; id: number } | null = null;
  let id = 0;
  const delays: number[] = [];
  return {
    delays,
    setTimeout: (fn, ms) => {
      delays.push(ms);
      pending = { fn, id: ++id };
      return id;
    },
    clearTimeout: (h) => {
      if (pending?.id === h) pending = null;
    },
    fire: () => {
      const next = pending;
      pending = null;
      next?.fn();
    },
  };
}

describe('the uploader nudged by the durable watermark', () => {
  it('runs within nudgeDelayMs of a group reaching the disk, not at the next poll, and not before', async () => {
    const token = await enroll(db, hubUrl, 'store-2', 'device-2');
    const dir = makeTempDir('le-nudge-');
    const gate = gatedDisk();
    const ledger = openLedger(dir.file('store.db'), { seams: gate.seams });
    const timers = manualTimers();
    const sync = createSyncService({
      ledger,
      client: createHqClient({ url: hubUrl, token }),
      deviceId: 'device-2',
      logger: silentLogger,
      pollMs: 600_000,
      nudgeDelayMs: 500,
      timers,
    });
    try {
      earn(ledger, 'store-2', 'first', 'n1', 5); // a FULL commit: durable at once
      sync.start();
      timers.fire();
      await until(() => timers.delays.at(-1) === 600_000, 'the first cycle ends and waits for the poll');
      expect((await audit(db, 'device-2')).ackedSeq).toBe(1);

      // A sale committed with FULL (durable, not yet sent), then a till group whose fsync is
      // held and which enrolls a member: no nudge yet.
      earn(ledger, 'store-2', 'second', 'n1', 3);
      gate.hold();
      const wal = ledger.groupSync!;
      const work = () => ({
        commit: {
          idempotencyKey: 'group-1',
          type: 'sale',
          at: AT,
          programVersion: 1,
          storeId: 'store-2',
          effects: { members: [{ id: 'n2', firstName: 'New', tier: 'bronze', enrolledAt: AT }] },
          postings: [
            {
              owner: { member: 'n2' },
              asset: 'points' as const,
              bucket: 'available' as const,
              kind: 'earn' as const,
              amount: 7,
              lot: { availableAt: AT, expiresAt: null },
            },
          ],
          response: { ok: true },
        },
        value: null,
      });
      wal.deferred(1, () => runBatch(ledger.db, [work], () => new Date()));
      const flushed = wal.durable();
      await until(() => gate.waiting > 0, 'the fsync waits at the gate');
      // An upload now sends the durable sale, without the held group or the member it enrolled.
      await sync.runOnce();
      expect((await audit(db, 'device-2')).ackedSeq).toBe(2);
      const hqMember = () => db.query<{ id: string }>("SELECT id FROM members WHERE id = 'n2'");
      expect(await hqMember()).toEqual([]);
      expect(timers.delays.at(-1)).toBe(600_000);

      // The fsync completes: the uploader is due in nudgeDelayMs, and sends the group.
      gate.release();
      await flushed;
      expect(timers.delays.at(-1)).toBe(500);
      timers.fire();
      await until(async () => (await audit(db, 'device-2')).ackedSeq === 3, 'hq acks the group');
      expect(await hqMember()).toEqual([{ id: 'n2' }]);
      expect((await audit(db, 'device-2')).keys).toEqual(storeKeys(ledger.db, 'device-2').map((k) => k.key));
    } finally {
      gate.release();
      await sync.stop();
      ledger.close();
      dir.remove();
    }
  }, 60_000);
});
