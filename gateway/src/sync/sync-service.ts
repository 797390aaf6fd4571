import type { Logger } from '../core/logger.ts';
import type { Service } from '../core/service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import {
  applyChangesPage,
  getSyncState,
  markMembersUploaded,
  membersToUpload,
  setSyncState,
} from '../ledger/sync-store.ts';
import { type BackoffOptions, backoffDelay } from './backoff.ts';
import type { HqClient } from './hq-client.ts';
import {
  noteQuarantined,
  noteUploadFailed,
  noteUploadOk,
  readUploadHealth,
  type UploadFailure,
} from './upload-health.ts';
import { type LedgerBatch, toWireEntry } from './wire.ts';

/** What the gateway puts in `gateway/status` as `sync {pending, lastOkAt}` (docs/protocol.md §1). */
export interface SyncProgress {
  pending: number;
  lastOkAt: string | null;
  ackedSeq: number;
  cursor: number;
  lastError: string | null;
  /** Uploads failing since when and why (upload-health.ts); null while they succeed. */
  uploadFailing: UploadFailure | null;
  /** Items hq could not store and quarantined (docs/sync.md). */
  quarantined: number;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SyncServiceOptions {
  ledger: Ledger;
  client: HqClient;
  deviceId: string;
  logger: Logger;
  /** Entries per ledger batch. */
  batchSize?: number;
  /** Change rows per page. */
  pageSize?: number;
  /** Pause between cycles once caught up. */
  pollMs?: number;
  /**
   * How soon after a till group reaches the disk the uploader runs (docs/sync.md): sales
   * reach head office in about this long, and a busy store sends one batch per this long.
   */
  nudgeDelayMs?: number;
  backoff?: BackoffOptions;
  random?: () => number;
  timers?: Timers;
  now?: () => Date;
  onProgress?: (p: SyncProgress) => void;
}

export interface SyncService extends Service {
  stop(): Promise<void>;
  /** Run a cycle now, without waiting for the poll (after one in progress, if any). */
  nudge(): void;
  /** One full cycle now: upload everything, then pull every page. Throws what the cycle hit. */
  runOnce(): Promise<void>;
  progress(): SyncProgress;
}

/**
 * The store-and-forward sync (docs/protocol.md §2): the outbox uploader and the changes applier
 * as one service. Upload: entries in seq order from hq's ackedSeq, gzip batches, resume from
 * whatever hq answers (an ack or a 409 gap). Pull: pages since the stored cursor, each
 * applied in one SQLite transaction. Failures back off exponentially with jitter; nothing
 * is lost across restarts because all state is in the ledger database.
 *
 * Only durable entries go up (`ledger.entriesAfter` stops at the durable watermark,
 * ledger/durable-seq.ts), and each time the watermark moves the uploader is nudged, so a sale
 * reaches head office within `nudgeDelayMs` rather than at the next poll.
 */
export function createSyncService(opts: SyncServiceOptions): SyncService {
  const batchSize = opts.batchSize ?? 5000;
  const pageSize = opts.pageSize ?? 1000;
  const pollMs = opts.pollMs ?? 10_000;
  const nudgeDelayMs = opts.nudgeDelayMs ?? 1000;
  const backoff = opts.backoff ?? { baseMs: 1000, maxMs: 5 * 60_000 };
  const random = opts.random ?? Math.random;
  const timers: Timers = opts.timers ?? {
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  };
  const now = opts.now ?? (() => new Date());
  const db = opts.ledger.db;
  const log = opts.logger.child('gw:sync');
  let timer: unknown = null;
  /** When the scheduled cycle is due (ms since the epoch, by `now`). */
  let dueAt = Number.POSITIVE_INFINITY;
  /** A nudge came while a cycle ran: run another soon after it instead of waiting for the poll. */
  let again: number | null = null;
  let unsubscribe: (() => void) | null = null;
  let running: Promise<void> | null = null;
  let stopped = true;
  let attempt = 0;
  let lastError: string | null = null;
  let abort = new AbortController();

  const progress = (): SyncProgress => {
    const upload = readUploadHealth(db);
    return {
      pending: opts.ledger.pendingCount(),
      lastOkAt: getSyncState(db, 'lastOkAt'),
      ackedSeq: Number(getSyncState(db, 'ackedSeq') ?? '0'),
      cursor: Number(getSyncState(db, 'cursor') ?? '0'),
      lastError,
      uploadFailing: upload.failing,
      quarantined: upload.quarantined,
    };
  };
  const report = () => opts.onProgress?.(progress());
  const ok = () => setSyncState(db, 'lastOkAt', now().toISOString());

  const adoptAck = (ackedSeq: number) => {
    setSyncState(db, 'ackedSeq', String(ackedSeq));
    opts.ledger.markAckedThrough(ackedSeq, now().toISOString());
  };

  /** The batch after `acked` (null: nothing to send), without members already in flight. */
  function buildBatch(
    acked: number,
    inFlight: ReadonlySet<string>,
  ): { batch: LedgerBatch; members: string[] } | null {
    const entries = opts.ledger.entriesAfter(acked, batchSize);
    const last = entries[entries.length - 1];
    if (!last) return null;
    // Members and cards only as far as they are on disk, as the entries (ledger/durable-seq.ts).
    const fresh = membersToUpload(db, 500, opts.ledger.durable.ceilings());
    const members = fresh.members.filter((m) => !inFlight.has(m.id));
    const ids = new Set(members.map((m) => m.id));
    const batch: LedgerBatch = {
      batchId: `${opts.deviceId}:${acked + 1}-${last.seq}`,
      fromSeq: acked + 1,
      toSeq: last.seq,
      entries: entries.map((e) => toWireEntry(opts.deviceId, e)),
      ...(members.length > 0 ? { members, cards: fresh.cards.filter((c) => ids.has(c.memberId)) } : {}),
    };
    return { batch, members: [...ids] };
  }

  async function upload(): Promise<void> {
    type Built = { batch: LedgerBatch; members: string[] } | null;
    // A holder, not a `let`: TypeScript does not follow the assignment made across the await.
    const ahead: { prepared: { acked: number; next: Built } | null } = { prepared: null };
    for (;;) {
      const acked = Number(getSyncState(db, 'ackedSeq') ?? '0');
      const current: Built =
        ahead.prepared?.acked === acked ? ahead.prepared.next : buildBatch(acked, new Set());
      ahead.prepared = null;
      if (!current) return;
      const sending = opts.client.postBatch(opts.deviceId, current.batch, abort.signal);
      // While hq ingests this batch, read the next one (device and hq work at the same time);
      // it is used only if hq acks exactly this batch.
      try {
        ahead.prepared = {
          acked: current.batch.toSeq,
          next: buildBatch(current.batch.toSeq, new Set(current.members)),
        };
      } catch {
        ahead.prepared = null; // read again after the answer (and the request is still awaited)
      }
      const signal = abort.signal;
      const answer = await sending.catch((error: unknown) => {
        // Said in /health, gateway/status, `status` and `doctor` (upload-health.ts); a
        // request cut short by our own stop is no failure of hq's.
        if (!signal.aborted)
          noteUploadFailed(db, error instanceof Error ? error.message : String(error), now());
        throw error;
      });
      ok();
      noteUploadOk(db);
      if (answer.kind === 'acked' && answer.quarantined) {
        const fresh = noteQuarantined(db, answer.quarantined);
        if (fresh.length > 0)
          log.warn('hq quarantined entries it cannot store (docs/troubleshooting.md)', {
            items: fresh.length,
            first: fresh[0],
          });
      }
      // hq stores them in the same transaction as the batch (also when it was a duplicate).
      if (answer.kind === 'acked') markMembersUploaded(db, current.members);
      if (answer.kind === 'gap') log.warn('hq reports a gap; resuming from its ackedSeq', { ...answer });
      if (answer.ackedSeq > opts.ledger.lastSeq())
        log.error('hq has acked past this ledger (restored from an older backup?)', { ...answer });
      adoptAck(answer.ackedSeq);
      report();
      if (answer.kind === 'acked' && answer.ackedSeq === acked) return; // hq made no progress: avoid a hot loop
    }
  }

  async function pull(): Promise<void> {
    for (;;) {
      const since = Number(getSyncState(db, 'cursor') ?? '0');
      const page = await opts.client.getChanges(opts.deviceId, since, pageSize, abort.signal);
      ok();
      applyChangesPage(db, page, since, now().toISOString());
      report();
      if (!page.more || page.cursor <= since) return;
    }
  }

  async function cycle(): Promise<void> {
    await upload();
    await pull();
  }

  function schedule(ms: number) {
    if (stopped) return;
    if (timer !== null) timers.clearTimeout(timer);
    dueAt = now().getTime() + ms;
    timer = timers.setTimeout(() => {
      timer = null;
      dueAt = Number.POSITIVE_INFINITY;
      tick();
    }, ms);
  }

  /** A cycle within `ms` (one already due sooner stays); while backing off, the backoff decides. */
  function soon(ms: number) {
    if (stopped || attempt > 0) return;
    if (running) {
      again = Math.min(again ?? ms, ms);
      return;
    }
    if (timer === null || dueAt > now().getTime() + ms) schedule(ms);
  }

  function tick() {
    if (stopped || running) return;
    running = cycle()
      .then(
        () => {
          attempt = 0;
          lastError = null;
          const next = again ?? pollMs;
          again = null;
          schedule(next);
        },
        (error: unknown) => {
          lastError = error instanceof Error ? error.message : String(error);
          again = null;
          if (stopped) return;
          const delay = backoffDelay(attempt++, backoff, random);
          log.warn('sync failed; retrying', { error: lastError, delayMs: delay, attempt });
          report();
          schedule(delay);
        },
      )
      .finally(() => {
        running = null;
      });
  }

  return {
    name: 'sync',
    start() {
      stopped = false;
      abort = new AbortController();
      unsubscribe = opts.ledger.durable.onDurable(() => soon(nudgeDelayMs));
      report();
      schedule(0);
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      unsubscribe = null;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      abort.abort();
      await running?.catch(() => undefined);
      opts.client.close();
    },
    nudge() {
      if (stopped) return;
      if (running) again = 0;
      else schedule(0);
    },
    runOnce: () => cycle(),
    progress,
  };
}
