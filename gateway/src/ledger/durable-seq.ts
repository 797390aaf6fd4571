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
 * the oldest such group. A failed fsync leaves its groups pending: the next one to complete
 * covers them. Nothing needs storing (no migration): at open the ledger flushes what the
 * files hold (wal-sync.ts `flushAtOpen`), so after a restart every entry found is durable.
 */
/** Where the uploader's tables end: entries' seq, members' and cards' rowids. */
export interface DurableMark {
  seq: number;
  member: number;
  card: number;
}

const ALL: DurableMark = {
  seq: Number.MAX_SAFE_INTEGER,
  member: Number.MAX_SAFE_INTEGER,
  card: Number.MAX_SAFE_INTEGER,
};

export class DurableSeq {
  /** Deferred groups that wrote rows the uploader reads, fsync not completed: numbered, oldest first. */
  private pending: Array<{ group: number; after: DurableMark }> = [];
  private groups = 0;
  private readonly listeners = new Set<() => void>();

  /**
   * `mark` reads the highest entry seq, and the highest member and card rowids, on the
   * connection (each a primary-key seek). Members enrolled and cards issued in a group go up
   * with a batch too (docs/sync.md), so they are held the same way as its entries.
   */
  constructor(private readonly mark: () => DurableMark) {}

  /** Before a deferred group commits: remembers where its rows start; returns its number. */
  begin(): { group: number; after: DurableMark } {
    return { group: ++this.groups, after: this.mark() };
  }

  /** After the group's COMMIT (or its rollback): holds the watermark if it wrote such rows. */
  end(begun: { group: number; after: DurableMark }): void {
    const now = this.mark();
    const { after } = begun;
    if (now.seq > after.seq || now.member > after.member || now.card > after.card) this.pending.push(begun);
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
    return this.ceilings().seq;
  }

  /** The same for members' and cards' rowids (what `membersToUpload` may read). */
  ceilings(): DurableMark {
    const oldest = this.pending[0];
    return oldest === undefined ? ALL : oldest.after;
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
