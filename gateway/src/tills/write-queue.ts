import { type BatchOutcome, type BatchWork, runBatch } from '../ledger/batch.ts';
import type { Db } from '../ledger/sql.ts';
import type { WalSync } from '../ledger/wal-sync.ts';

interface Pending<T> {
  work: BatchWork<T>;
  resolve: (outcome: BatchOutcome<T>) => void;
}

/**
 * Collects the write requests that arrive together and commits them as one group: every
 * request that came in while the previous group was being written shares the next commit,
 * so throughput is not capped by one fsync per sale, and a lone request waits for no timer.
 *
 * On a WAL database the group's fsync runs off the event loop (ledger/wal-sync.ts): a group
 * is answered once its fsync is done, and the next group is decided and written meanwhile.
 * The ledger's WalSync is shared with its durable watermark, so the uploader never reads a
 * group before that fsync (ledger/durable-seq.ts).
 */
export class WriteQueue<T> {
  private queue: Pending<T>[] = [];
  private scheduled = false;
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    /** The ledger's `groupSync` (null: each commit flushes itself). */
    private readonly wal: WalSync | null,
    private readonly maxBatch = 512,
  ) {}

  submit(work: BatchWork<T>): Promise<BatchOutcome<T>> {
    return new Promise((resolve) => {
      this.queue.push({ work, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate: after the I/O callbacks of this loop turn, so requests that arrived in
        // the same read burst join the group.
        setImmediate(() => this.flush());
      }
    });
  }

  get depth(): number {
    return this.queue.length;
  }

  private flush(): void {
    const batch = this.queue.splice(0, this.maxBatch);
    const works = batch.map((p) => p.work);
    let outcomes: BatchOutcome<T>[];
    let committed = true;
    try {
      outcomes = this.wal
        ? this.wal.deferred(batch.length, () => runBatch(this.db, works, this.now))
        : runBatch(this.db, works, this.now);
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of this group is on disk.
      committed = false;
      outcomes = failAll(batch.length, error);
    }
    if (this.wal && committed) {
      const settled = outcomes;
      this.wal.durable().then(
        () => answer(batch, settled),
        // The fsync failed: what was committed may not be on disk, so nothing is said ok.
        (error: unknown) => answer(batch, failAll(batch.length, error)),
      );
    } else {
      answer(batch, outcomes);
    }
    if (this.queue.length > 0) setImmediate(() => this.flush());
    else this.scheduled = false;
  }
}

function answer<T>(batch: Pending<T>[], outcomes: BatchOutcome<T>[]): void {
  for (const [i, pending] of batch.entries()) pending.resolve(outcomes[i]!);
}

function failAll<T>(count: number, error: unknown): BatchOutcome<T>[] {
  const failed = error instanceof Error ? error : new Error(String(error));
  return Array.from({ length: count }, () => ({ ok: false, error: failed }));
}
