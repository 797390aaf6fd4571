/** The sync service's scheduling with injected timers and random (no sleeps), and the offline caps. */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/src/core/logger.ts';
import { backoffDelay } from '../../../gateway/src/sync/backoff.ts';
import { type BatchAnswer, type HqClient, HqClientError } from '../../../gateway/src/sync/hq-client.ts';
import { checkOfflineSpend, durationMs } from '../../../gateway/src/sync/offline-caps.ts';
import { createSyncService, type SyncProgress, type Timers } from '../../../gateway/src/sync/sync-service.ts';
import type { ChangesPage, LedgerBatch } from '../../../gateway/src/sync/wire.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';
import { earn, earnDeferred, openStore } from './store-fixture.ts';

/** Timers run by hand: `fire()` runs the earliest pending callback and returns its delay. */
function manualTimers(): Timers & { delays: number[]; fire(): number | undefined } {
  const pending: Array<{ fn: () => void; ms: number; id: number }> = [];
  let id = 0;
  const delays: number[] = [];
  return {
    delays,
    setTimeout: (fn, ms) => {
      pending.push({ fn, ms, id: ++id });
      delays.push(ms);
      return id;
    },
    clearTimeout: (h) => {
      const i = pending.findIndex((p) => p.id === h);
      if (i >= 0) pending.splice(i, 1);
    },
    fire: () => {
      const next = pending.shift();
      next?.fn();
      return next?.ms;
    },
  };
}

/** An in-memory hq: acks batches in order; fails while `down`. */
function fakeHq() {
  const state = { down: true, acked: 0, batches: [] as LedgerBatch[] };
  const empty: ChangesPage = {
    cursor: 0,
    members: [],
    cards: [],
    rewards: [],
    balances: [],
    offers: [],
    removed: [],
    more: false,
  };
  const client: HqClient = {
    postBatch: async (_d, b): Promise<BatchAnswer> => {
      if (state.down) throw new HqClientError('HQ_UNREACHABLE', 'connect ECONNREFUSED');
      if (b.fromSeq > state.acked + 1) return { kind: 'gap', ackedSeq: state.acked };
      state.batches.push(b);
      state.acked = Math.max(state.acked, b.toSeq);
      return { kind: 'acked', ackedSeq: state.acked };
    },
    getChanges: async () => {
      if (state.down) throw new HqClientError('HQ_UNREACHABLE', 'connect ECONNREFUSED');
      return empty;
    },
    enroll: async () => ({ deviceToken: 'x'.repeat(20) }),
    close: () => undefined,
  };
  return { state, client };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('sync service', () => {
  it('backs off exponentially with jitter while hq is down, then drains and reports progress', async () => {
    const ledger = openStore(':memory:');
    for (let i = 0; i < 7; i++) earn(ledger, 's', `k${i}`, 'm1', 5);
    const hq = fakeHq();
    const timers = manualTimers();
    const seen: SyncProgress[] = [];
    const sync = createSyncService({
      ledger,
      client: hq.client,
      deviceId: 'gw',
      logger: silentLogger,
      batchSize: 3,
      pollMs: 10_000,
      backoff: { baseMs: 100, maxMs: 1000 },
      random: () => 0.5,
      timers,
      now: () => new Date('2026-11-23T10:00:00Z'),
      onProgress: (p) => seen.push(p),
    });
    sync.start();
    expect(seen[0]).toMatchObject({ pending: 7, lastOkAt: null });
    for (let i = 0; i < 6; i++) {
      timers.fire();
      await settle();
    }
    // 0 to start, then 75, 150, 300, 600, 750 (capped at 1000, half fixed + half jitter)
    expect(timers.delays).toEqual([0, 75, 150, 300, 600, 750, 750]);
    expect(sync.progress().lastError).toMatch(/ECONNREFUSED/);
    hq.state.down = false;
    timers.fire();
    await settle();
    await settle();
    expect(hq.state.batches.map((b) => [b.fromSeq, b.toSeq])).toEqual([
      [1, 3],
      [4, 6],
      [7, 7],
    ]);
    expect(sync.progress()).toMatchObject({
      pending: 0,
      ackedSeq: 7,
      lastError: null,
      lastOkAt: '2026-11-23T10:00:00.000Z',
    });
    expect(timers.delays.at(-1)).toBe(10_000);
    await sync.stop();
    ledger.close();
  });

  it('resumes from hq’s ackedSeq after a restart that lost the local ack', async () => {
    const ledger = openStore(':memory:');
    for (let i = 0; i < 4; i++) earn(ledger, 's', `k${i}`, 'm1', 5);
    const hq = fakeHq();
    hq.state.down = false;
    hq.state.acked = 2; // hq got 1..2 but the device died before recording the answer
    const sync = createSyncService({
      ledger,
      client: hq.client,
      deviceId: 'gw',
      logger: silentLogger,
      batchSize: 10,
    });
    await sync.runOnce();
    expect(sync.progress().ackedSeq).toBe(4);
    // hq answered the overlap by acking all of it; a gap (hq behind) makes the device go back.
    hq.state.acked = 1;
    earn(ledger, 's', 'k9', 'm1', 5);
    await sync.runOnce();
    expect(hq.state.batches.at(-1)).toMatchObject({ fromSeq: 2, toSeq: 5 });
    ledger.close();
  });
});

describe('the uploader nudged when till groups reach the disk', () => {
  it('runs nudgeDelayMs after a group is flushed instead of at the poll, and never cuts a backoff short', async () => {
    const dir = makeTempDir('le-nudge-');
    const ledger = openStore(dir.file('store.db'));
    const hq = fakeHq();
    hq.state.down = false;
    // The changes pull waits while `pullGate` is set: a cycle held in progress.
    let pullGate: Promise<void> | null = null;
    const client = {
      ...hq.client,
      getChanges: async (...args: Parameters<typeof hq.client.getChanges>) => {
        await pullGate;
        return hq.client.getChanges(...args);
      },
    };
    const timers = manualTimers();
    const sync = createSyncService({
      ledger,
      client,
      deviceId: 'gw',
      logger: silentLogger,
      pollMs: 60_000,
      nudgeDelayMs: 250,
      backoff: { baseMs: 5000, maxMs: 5000 },
      random: () => 1,
      timers,
    });
    const cycle = async () => {
      timers.fire();
      for (let i = 0; i < 5; i++) await settle();
    };
    try {
      // A group reaches the disk while a cycle runs: the next cycle comes 250 ms after it.
      let openPull = () => {};
      pullGate = new Promise((r) => {
        openPull = r;
      });
      sync.start();
      timers.fire();
      await earnDeferred(ledger, 's', 'g1', 'm1', 5);
      expect(timers.delays).toEqual([0]);
      pullGate = null;
      openPull();
      for (let i = 0; i < 5; i++) await settle();
      expect(timers.delays).toEqual([0, 250]);
      await cycle();
      expect(hq.state.batches.map((b) => b.toSeq)).toEqual([1]);
      expect(timers.delays.at(-1)).toBe(60_000);

      // Idle, waiting for the poll: a flushed group brings the cycle forward to 250 ms.
      await earnDeferred(ledger, 's', 'g2', 'm1', 5);
      expect(timers.delays.at(-1)).toBe(250);
      await cycle();
      expect(hq.state.batches.map((b) => b.toSeq)).toEqual([1, 2]);

      // hq down: the cycle fails and backs off 5 s; a flushed group does not cut that short.
      hq.state.down = true;
      sync.nudge();
      await cycle();
      expect(timers.delays.at(-1)).toBe(5000);
      const asked = timers.delays.length;
      await earnDeferred(ledger, 's', 'g3', 'm1', 5);
      expect(timers.delays.length).toBe(asked);
      hq.state.down = false;
      await cycle();
      expect(hq.state.batches.map((b) => b.toSeq)).toEqual([1, 2, 3]);
    } finally {
      await sync.stop();
      ledger.close();
      dir.remove();
    }
  });
});

describe('backoff and offline caps', () => {
  it('backoff stays within [cap/2, cap]', () => {
    for (let a = 0; a < 40; a++) {
      const cap = Math.min(60_000, 1000 * 2 ** a);
      expect(backoffDelay(a, { baseMs: 1000, maxMs: 60_000 }, () => 0)).toBe(cap / 2);
      expect(backoffDelay(a, { baseMs: 1000, maxMs: 60_000 }, () => 1)).toBe(cap);
    }
  });

  it('caps spends per member per day only once hq has been unreachable longer than maxAge', () => {
    const policy = { maxAgeMs: durationMs('6h'), spendLimit: { points: 500, credit: 10_000 } };
    const base = { policy, asset: 'points' as const, spentToday: { points: 400, credit: 0 } };
    const now = new Date('2026-11-23T18:00:00Z');
    expect(checkOfflineSpend({ ...base, now, lastOkAt: '2026-11-23T13:00:00Z', amount: 5000 })).toEqual({
      ok: true,
      offline: false,
    });
    expect(checkOfflineSpend({ ...base, now, lastOkAt: '2026-11-23T11:00:00Z', amount: 100 })).toEqual({
      ok: true,
      offline: true,
    });
    expect(checkOfflineSpend({ ...base, now, lastOkAt: '2026-11-23T11:00:00Z', amount: 101 })).toMatchObject({
      ok: false,
      code: 'OFFLINE_LIMIT',
      allowed: 100,
    });
    expect(checkOfflineSpend({ ...base, now, lastOkAt: null, amount: 101 })).toMatchObject({ ok: false });
    expect(checkOfflineSpend({ ...base, policy: undefined, now, lastOkAt: null, amount: 10 ** 6 })).toEqual({
      ok: true,
      offline: false,
    });
    expect(() => durationMs('6 hours')).toThrow();
  });
});
