import { applyTransaction } from './commit.ts';
import type { Db } from './sql.ts';
import type { CommitResult, LedgerCommit } from './types.ts';

/**
 * One unit of work in a group commit: it runs INSIDE the batch's SQLite transaction, reads
 * the state as the earlier units of the same batch left it, and returns what to commit.
 * It must be synchronous (architecture.md: never await inside a transaction).
 */
export type BatchWork<T> = () => { commit: LedgerCommit | null; value: T };

export type BatchOutcome<T> =
  | { ok: true; value: T; result: CommitResult | null }
  | { ok: false; error: Error };

/**
 * Group commit (docs/protocol.md: durable before answered; benchmarks.md: no fsync per sale):
 * many units, one SQLite transaction and so one fsync. Each unit runs in its own savepoint,
 * so one that throws is rolled back alone and reported; the others commit together.
 */
export function runBatch<T>(db: Db, works: readonly BatchWork<T>[], now: () => Date): BatchOutcome<T>[] {
  const nowIso = now().toISOString();
  const unit = db.transaction((work: BatchWork<T>) => {
    const { commit, value } = work();
    return { value, result: commit ? applyTransaction(db, commit, nowIso) : null };
  });
  return db
    .transaction((): BatchOutcome<T>[] =>
      works.map((work) => {
        try {
          return { ok: true, ...unit(work) };
        } catch (error) {
          return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
        }
      }),
    )
    .immediate();
}
