/**
 * Fault tests with real processes on loopback (docs/protocol.md §2: "nothing is counted twice and
 * nothing is dropped, whatever the order of crashes, retries and network cuts"). After each
 * recovery hq's ledger must equal the union of the stores' ledgers exactly once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/src/core/logger.ts';
import type { Ledger } from '../../../gateway/src/ledger/ledger.ts';
import { shownBalance } from '../../../gateway/src/ledger/sync-store.ts';
import { createHqClient } from '../../../gateway/src/sync/hq-client.ts';
import { createSyncService, type SyncService } from '../../../gateway/src/sync/sync-service.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';
import { DEVICE_CHILD, freePort, kill, run, startHqProcess, stopGracefully } from './processes.ts';
import { earn, earnMany, openStore, spend } from './store-fixture.ts';

const dirs: Array<{ remove: () => void }> = [];
afterAll(() => {
  for (const d of dirs) d.remove();
});

async function adminToken(url: string, storeId: string): Promise<string> {
  const r = await fetch(`${url}/v1/admin/tokens`, { method: 'POST', body: JSON.stringify({ storeId }) });
  return ((await r.json()) as { token: string }).token;
}

async function enrollDevice(url: string, storeId: string, deviceId: string): Promise<string> {
  const client = createHqClient({ url });
  try {
    return (await client.enroll({ enrollmentToken: await adminToken(url, storeId), deviceId, storeId }))
      .deviceToken;
  } finally {
    client.close();
  }
}

/** Keys and per-member sums of a store's ledger, as hq should hold them. */
function storeView(ledger: Ledger, deviceId: string) {
  const keys: string[] = [];
  const sums = new Map<string, number>();
  for (let after = 0; ; ) {
    const page = ledger.entriesAfter(after, 5000);
    if (page.length === 0) break;
    for (const e of page) {
      keys.push(`${deviceId}/${e.idempotencyKey}/${e.seq}`);
      if ('member' in e.owner && e.bucket === 'available' && e.asset === 'points')
        sums.set(e.owner.member, (sums.get(e.owner.member) ?? 0) + e.amount);
    }
    after = page[page.length - 1]!.seq;
  }
  return { keys, sums };
}

/** Asks the running hub for its audit and checks it equals the union of the stores, exactly once. */
async function expectHqEqualsUnion(url: string, stores: Array<{ ledger: Ledger; deviceId: string }>) {
  const sums = new Map<string, number>();
  let balances: Record<string, { points: number }> = {};
  for (const s of stores) {
    const r = await fetch(`${url}/v1/admin/audit?device=${s.deviceId}`);
    const a = (await r.json()) as {
      keys: string[];
      drift: string[];
      balances: Record<string, { points: number }>;
    };
    const view = storeView(s.ledger, s.deviceId);
    expect(a.keys.length).toBe(view.keys.length);
    expect(new Set(a.keys)).toEqual(new Set(view.keys));
    // The balance projection equals the sum of the stored entries (no drift after a crash).
    expect(a.drift).toEqual([]);
    balances = a.balances;
    for (const [m, v] of view.sums) sums.set(m, (sums.get(m) ?? 0) + v);
  }
  for (const [m, v] of sums) expect(balances[m]?.points ?? 0, m).toBe(v);
}

const waitIdle = (sync: SyncService, ledger: Ledger, timeoutMs = 60_000) =>
  new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      const p = sync.progress();
      if (p.pending === 0 && p.ackedSeq === ledger.lastSeq() && p.lastError === null) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`not idle: ${JSON.stringify(p)}`));
      setTimeout(check, 25);
    };
    check();
  });

describe('sync under faults (real processes)', () => {
  it('hq down for a long stretch, then SIGKILLed mid-ingest: every entry lands exactly once', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let hq = await startHqProcess(dir.path, port);
    const stores = [
      { ledger: openStore(dir.file('a.db')), deviceId: 'gw-a', storeId: 'sa' },
      { ledger: openStore(dir.file('b.db')), deviceId: 'gw-b', storeId: 'sb' },
    ];
    const tokens: string[] = [];
    for (const s of stores) tokens.push(await enrollDevice(url, s.storeId, s.deviceId));
    await stopGracefully(hq); // hq goes down for a long stretch

    const syncs = stores.map((s, i) =>
      createSyncService({
        ledger: s.ledger,
        client: createHqClient({ url, token: tokens[i]!, timeoutMs: 5000 }),
        deviceId: s.deviceId,
        logger: silentLogger,
        batchSize: 250,
        pollMs: 50,
        backoff: { baseMs: 10, maxMs: 100 },
      }),
    );
    for (const s of syncs) s.start();
    // The stores keep committing while hq is unreachable.
    for (let i = 0; i < 1200; i++) {
      const s = stores[i % 2]!;
      earn(s.ledger, s.storeId, `${s.storeId}:e${i}`, `m${i % 37}`, 1 + (i % 13));
      if (i % 7 === 0) spend(s.ledger, s.storeId, `${s.storeId}:s${i}`, `m${i % 37}`, 2);
      if (i % 300 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(syncs[0]!.progress().lastError).toMatch(/ECONNREFUSED|HQ_UNREACHABLE|127\.0\.0\.1/);
    expect(syncs[0]!.progress().pending).toBeGreaterThan(500);

    // hq comes back, and is SIGKILLed twice while batches are in flight.
    for (const round of [1]) {
      hq = await startHqProcess(dir.path, port);
      const acked = syncs[0]!.progress().ackedSeq;
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (syncs[0]!.progress().ackedSeq > acked) {
            clearInterval(t);
            resolve();
          }
        }, 2);
      });
      await kill(hq);
      expect(round).toBeGreaterThan(0);
    }
    hq = await startHqProcess(dir.path, port);
    for (const [i, s] of syncs.entries()) await waitIdle(s, stores[i]!.ledger);
    // Both stores show hq's balance for every member once the feed is applied.
    for (const s of syncs) await s.runOnce();
    for (let m = 0; m < 37; m++)
      expect(shownBalance(stores[0]!.ledger.db, `m${m}`)).toEqual(
        shownBalance(stores[1]!.ledger.db, `m${m}`),
      );
    for (const s of syncs) await s.stop();
    await expectHqEqualsUnion(url, stores);
    await stopGracefully(hq);
    for (const s of stores) s.ledger.close();
  }, 180_000);

  it('a device SIGKILLed mid-upload resumes from hq’s ackedSeq after a restart', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const hq = await startHqProcess(dir.path, port);
    const token = await enrollDevice(url, 'sc', 'gw-c');
    const ledger = openStore(dir.file('c.db'));
    earnMany(ledger, 'sc', 6000, 50);
    ledger.close();
    for (const killAfter of [/acked [1-9]/, /acked \d{4}/]) {
      const device = run([DEVICE_CHILD, dir.file('c.db'), url, token, 'gw-c', '400']);
      await device.waitFor(killAfter);
      await kill(device);
    }
    const device = run([DEVICE_CHILD, dir.file('c.db'), url, token, 'gw-c', '400']);
    await device.waitFor(/^done$/);
    await device.exited;
    const reopened = openStore(dir.file('c.db'));
    await expectHqEqualsUnion(url, [{ ledger: reopened, deviceId: 'gw-c' }]);
    await stopGracefully(hq);
    expect(reopened.pendingCount()).toBe(0);
    reopened.close();
  }, 180_000);
});
