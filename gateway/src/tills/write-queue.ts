import { type BatchOutcome, type BatchWork, runBatch } from '../ledger/batch.ts';
import type { Db } from '../ledger/sql.ts';

interface Pending<T> {
  work: BatchWork<T>;
  resolve: (outcome: BatchOutcome<T>) => void;
}

/**
 * Collects the write requests that arrive together and commits them as one group: every
 * request that came in while the previous group was being written shares the next commit,
 * so throughput is not capped by one fsync per sale, and a lone request waits for no timer.
 */
export class WriteQueue<T> {
  private queue: Pending<T>[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
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
    let outcomes: BatchOutcome<T>[];
    try {
      outcomes = runBatch(
        this.db,
        batch.map((p) => p.work),
        this.now,
      );
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of this group is on disk.
      const failed = error instanceof Error ? error : new Error(String(error));
      outcomes = batch.map(() => ({ ok: false, error: failed }));
    }
    for (const [i, pending] of batch.entries()) pending.resolve(outcomes[i]!);
    if (this.queue.length > 0) setImmediate(() => this.flush());
    else this.scheduled = false;
  }
}
