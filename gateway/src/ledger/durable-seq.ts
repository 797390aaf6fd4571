/**
 * The durable-sequence watermark: the highest device sequence whose entries are on disk
 * (docs/sync.md "Only what is on disk goes up").
 *
 * Why: a till group is committed with its WAL flush deferred (ledger/wal-sync.ts) and is on
 * disk only once that fsync completes. Entries read on the same connection before then may
 * still be lost to a power cut, and the store would then give their sequence numbers to
 * other entries; head office, having acknowledged those numbers, would skip the new entries
 * as already received (docs/protocol.md §2: the sequence is gap-free and acked once). So the
 * uploader reads only up to this watermark.
 *
 * Everything committed with the connection's own `synchronous = FULL` is durable when its
 * COMMIT returns; only deferred groups are ever pending, so the watermark is "everything"
 * unless a deferred group with entries waits for its fsync, and then the entry just before
 * the oldest such group. Nothing needs storing: at open the gateway flushes what the files
 * hold (wal-sync.ts `flushAtOpen`), so after a restart every entry found is durable.
 */
export class DurableSeq {
  /** Deferred groups with entries whose fsync has not completed: numbered, oldest first. */
  private pending: Array<{ group: number; after: number }> = [];
  private groups = 0;
  private readonly listeners = new Set<() => void>();

  /** `lastSeq` reads the highest committed sequence on the connection (`MAX(seq)`, a primary-key seek). */
  constructor(private readonly lastSeq: () => number) {}

  /** Before a deferred group commits: remembers where its entries start; returns its number. */
  begin(): { group: number; after: number } {
    return { group: ++this.groups, after: this.lastSeq() };
  }

  /** After the group's COMMIT (or its rollback): holds the watermark if it posted entries. */
  end(mark: { group: number; after: number }): void {
    if (this.lastSeq() > mark.after) this.pending.push(mark);
  }

  /** The number of the last group begun: an fsync started now covers every group up to it. */
  get lastGroup(): number {
    return this.groups;
  }

  /** An fsync that started after group `upTo` was committed has completed. */
  flushed(upTo: number): void {
    const before = this.pending.length;
    this.pending = this.pending.filter((p) => p.group > upTo);
    if (this.pending.length === before) return;
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // A listener's failure is its own (the uploader's nudge never throws).
      }
    }
  }

  /** The highest sequence that is on disk: entries at or below it may be sent to head office. */
  ceiling(): number {
    const oldest = this.pending[0];
    return oldest === undefined ? Number.MAX_SAFE_INTEGER : oldest.after;
  }

  /** Whether some committed entries still wait for their fsync. */
  get holding(): boolean {
    return this.pending.length > 0;
  }

  /** Called each time the watermark moves up (a group's entries became durable); returns the unsubscribe. */
  onDurable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
