/**
 * The power-cut simulation (docs/sync.md "Only what is on disk goes up"): a real gateway and
 * till, a real hub on PGlite, the WAL fsync behind a gate. With a till group committed but
 * its fsync held, the store's files are copied and the log cut back to what the last
 * completed fsync covered — what a power cut at that moment leaves on disk. A gateway
 * restarted on that copy gives the lost group's sequence numbers to another sale, the till
 * re-sends the lost one, and hq must end equal to the store: nothing doubled, nothing missing.
 * (Before the watermark, hq had been sent the lost group, skipped the new sale as already
 * acknowledged and took the re-sent one again.)
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../gateway/src/config/load.ts';
import { silentLogger } from '../../../gateway/src/core/logger.ts';
import { Gateway } from '../../../gateway/src/gateway.ts';
import { lastSeq } from '../../../gateway/src/ledger/outbox.ts';
import { deviceTokenPath } from '../../../gateway/src/sync/device-token.ts';
import { audit } from '../../../hq/src/audit.ts';
import type { SqlDb } from '../../../hq/src/db/sql.ts';
import type { Hub } from '../../../hq/src/hub.ts';
import { gatedDisk } from '../../fakes/gated-disk.ts';
import { connectTill, saleBody, startGateway, testConfigValue } from '../../fakes/gateway-fixture.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';
import { enroll, startHub } from '../../hq/hub-fixture.ts';
import { openTestPglite } from '../../hq/pglite-template.ts';
import { storeKeys, storePoints, until } from './durable-support.ts';

let db: SqlDb;
let hub: Hub;
let url: string;
let token: string;

beforeAll(async () => {
  db = await openTestPglite();
  const started = await startHub(db);
  hub = started.hub;
  url = started.url;
  token = await enroll(db, url, 'test-store', 'device-1');
}, 60_000);
afterAll(async () => {
  await hub?.stop();
  await db?.close();
});

describe('a power cut while a till group waits for its fsync', () => {
  it('ends with hq equal to the store: nothing doubled or missing', async () => {
    const hq = { hq: { url, deviceId: 'device-1' } };
    const disk = gatedDisk();
    const before = await startGateway(
      hq,
      (dataDir) => writeFileSync(deviceTokenPath(dataDir), token, { mode: 0o600 }),
      { disk: disk.seams },
    );
    const copy = makeTempDir('le-powercut-');
    try {
      const ledger = before.gateway.ledger;
      const till = await connectTill(before.url);
      expect(
        await till.request('sale', saleBody('04A1B2C3', [{ sku: 'A', qty: 1, unitPrice: 30000 }])),
      ).toMatchObject({ ok: true });
      await before.gateway.sync!.runOnce();
      // The log starts empty for the measured stretch (all so far is in the database file,
      // flushed), and stays under a checkpoint's worth: it only grows, so a length is a point in it.
      expect(ledger.db.pragma('wal_checkpoint(TRUNCATE)')).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
      expect(
        await till.request('sale', saleBody('04A1B2C3', [{ sku: 'B', qty: 1, unitPrice: 40000 }])),
      ).toMatchObject({ ok: true });
      await before.gateway.sync!.runOnce();
      const durableSeq = lastSeq(ledger.db);
      expect((await audit(db, 'device-1')).ackedSeq).toBe(durableSeq);

      // A sale whose group commits but whose fsync is held: never answered.
      disk.hold();
      const lost = saleBody('04A1B2C3', [{ sku: 'C', qty: 3, unitPrice: 25000 }], { requestId: 'lost-sale' });
      void till.request('sale', lost).catch(() => undefined);
      await until(() => lastSeq(ledger.db) > durableSeq && disk.waiting > 0, 'the held group committed');
      const lostSeqs = storeKeys(ledger.db, 'device-1')
        .filter((k) => k.seq > durableSeq)
        .map((k) => k.seq);
      expect(lostSeqs.length).toBeGreaterThan(0);
      await before.gateway.sync!.runOnce(); // the uploader runs while the group is not on disk

      // The power cut: the files as the disk holds them, the log cut where the last fsync ended.
      const dataDir = before.dir.path;
      const wal = readFileSync(join(dataDir, 'store.db-wal'));
      const kept = disk.durableLogBytes;
      expect(kept).not.toBeNull();
      expect(wal.length).toBeGreaterThan(kept!); // the held group's frames are past the cut
      copyFileSync(join(dataDir, 'store.db'), join(copy.path, 'store.db'));
      writeFileSync(join(copy.path, 'store.db-wal'), wal.subarray(0, kept!));
      copyFileSync(deviceTokenPath(dataDir), deviceTokenPath(copy.path));
      // The old gateway is gone: its till hears nothing more, its uploader sends nothing more.
      await till.close();
      await before.gateway.sync!.stop();
      disk.release();
      await before.stop();

      // The gateway restarted on what the disk kept.
      const config = validateConfig(testConfigValue(copy.path, hq), copy.path, null);
      const after = new Gateway({ config, program: before.program, logger: silentLogger });
      await after.start();
      try {
        expect(lastSeq(after.ledger.db)).toBe(durableSeq); // the held group is gone
        expect(after.ledger.verify()).toEqual([]);
        const tills = [await connectTill(`mqtt://127.0.0.1:${after.ports.mqtt}`, 'till-02')];
        tills.push(await connectTill(`mqtt://127.0.0.1:${after.ports.mqtt}`));
        // Another sale takes the lost group's sequence numbers; then the till re-sends the lost one.
        const other = saleBody('04A1B2C3', [{ sku: 'D', qty: 1, unitPrice: 70000 }]);
        expect(await tills[0]!.request('sale', other)).toMatchObject({ ok: true });
        expect(storeKeys(after.ledger.db, 'device-1').map((k) => k.seq)).toEqual(
          expect.arrayContaining(lostSeqs),
        );
        expect(await tills[1]!.request('sale', lost)).toMatchObject({ ok: true });
        for (const t of tills) await t.close();

        await until(async () => {
          await after.sync!.runOnce();
          return (await audit(db, 'device-1')).ackedSeq === lastSeq(after.ledger.db);
        }, 'hq acks the restarted store');
        const held = await audit(db, 'device-1');
        const store = storeKeys(after.ledger.db, 'device-1').map((k) => k.key);
        expect(held.keys).toEqual(store); // the same entries, each once, in the same order
        expect(new Set(held.keys).size).toBe(held.keys.length);
        expect(held.keys.filter((k) => k.includes(':lost-sale/')).length).toBeGreaterThan(0);
        expect(held.drift).toEqual([]);
        for (const [member, points] of storePoints(after.ledger.db))
          expect(held.balances[member]?.points ?? 0, member).toBe(points);
      } finally {
        await after.stop();
      }
    } finally {
      disk.release();
      copy.remove();
    }
  }, 90_000);
});
