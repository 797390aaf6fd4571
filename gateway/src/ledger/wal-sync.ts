import { close, closeSync, existsSync, fstat, fsync, fsyncSync, open, openSync, stat } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type { DurableSeq } from './durable-seq.ts';
import type { Db } from './sql.ts';

/** What a WalSync may be given instead of the real thing (tests hold the fsync behind a gate). */
export interface WalSyncSeams {
  /** Flushes a descriptor to disk; the default is fs.fsync on libuv's thread pool. */
  fsync?: (fd: number) => Promise<void>;
}

/**
 * Group commits whose fsync runs off the event loop (docs/protocol.md: durable before answered).
 *
 * With `synchronous = FULL` SQLite fsyncs the write-ahead log inside COMMIT, on the event
 * loop: while the disk flushes, no request is read, decided or answered. Here a group is
 * committed with `synchronous = OFF` (its frames are written to the WAL, not flushed) and
 * then `durable()` fsyncs the WAL file on libuv's thread pool; the group's answers wait for
 * that fsync, so nothing is answered before it is on disk, exactly as with FULL. Meanwhile
 * the event loop decides and commits the next group: latency ≈ one group's work + one fsync.
 *
 * What stays as it was:
 * - Everything else on the connection (the scheduler, sync, imports) commits with the
 *   connection's own `synchronous` (FULL): only `deferred()` switches it off, for one
 *   synchronous call, so nothing else can run inside that window.
 * - Checkpoints. A checkpoint copies WAL frames into the database; once it is complete the
 *   WAL is rewritten from its start, so the database file must be flushed first. SQLite
 *   does that only when `synchronous` is on, so automatic checkpoints are off inside
 *   `deferred()`, and `deferred()` runs one itself, with the connection's own FULL, once
 *   about as many frames as the automatic checkpoint allows have been written.
 * - Recovery. A commit whose fsync did not finish before a power cut may be lost, and was
 *   never answered: the till sends it again under the same requestId.
 *
 * A read on the same connection between a group's commit and its fsync sees that group
 * (at most one fsync, ~1 ms, earlier than with FULL); a sale's own answer never does, and
 * neither does the uploader: `watermark` (ledger/durable-seq.ts) holds the entries of each
 * group until the fsync that covers it completes, and `entriesAfter` reads only below it.
 */
export class WalSync {
  // A pragma that sets a value does so when it is prepared: these run through exec each time.
  private readonly off = 'PRAGMA wal_autocheckpoint = 0; PRAGMA synchronous = OFF';
  private readonly restore: string;
  private readonly autoPages: number;
  /**
   * Frames between checkpoints: `wal_autocheckpoint` (SQLite: 1 000), as SQLite would. A
   * longer log means fewer checkpoints but each a longer stall of the event loop (four
   * times as long measured worse at the 200 sales/s p99).
   */
  private readonly checkpointFrames: number;
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private syncing = false;
  private wal: { fd: number; ino: number } | null = null;
  private unitsSinceCheckpoint = 0;
  /** Units between checkpoints: re-estimated from the frames each checkpoint finds. */
  private checkpointEvery = 64;

  private readonly fsync: (fd: number) => Promise<void>;

  private constructor(
    private readonly db: Db,
    private readonly walPath: string,
    private readonly watermark: DurableSeq | null,
    seams: WalSyncSeams,
  ) {
    this.fsync = seams.fsync ?? fsyncAsync;
    const synchronous = Number(db.pragma('synchronous', { simple: true }));
    this.autoPages = Number(db.pragma('wal_autocheckpoint', { simple: true }));
    this.checkpointFrames = this.autoPages;
    this.restore = `PRAGMA synchronous = ${synchronous}; PRAGMA wal_autocheckpoint = ${this.autoPages}`;
  }

  /**
   * For a file database in WAL mode whose commits are synced (FULL or EXTRA); null
   * otherwise (`:memory:`, a rollback journal, or a connection already not durable),
   * where commits go on as they are.
   */
  static of(db: Db, options: { watermark?: DurableSeq; seams?: WalSyncSeams } = {}): WalSync | null {
    if (db.memory || db.readonly || db.inTransaction) return null;
    if (String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return null;
    if (Number(db.pragma('synchronous', { simple: true })) < 2) return null;
    return new WalSync(db, `${db.name}-wal`, options.watermark ?? null, options.seams ?? {});
  }

  /**
   * Runs `commitGroup` (one synchronous transaction of `units` requests) with the WAL
   * flush left to `durable()`. Nothing may be answered from it before `durable()` resolves.
   */
  deferred<T>(units: number, commitGroup: () => T): T {
    const mark = this.watermark?.begin();
    this.db.exec(this.off);
    try {
      return commitGroup();
    } finally {
      this.db.exec(this.restore);
      if (mark) this.watermark?.end(mark);
      this.unitsSinceCheckpoint += units;
      if (this.autoPages > 0 && this.unitsSinceCheckpoint >= this.checkpointEvery) {
        // The group is committed whatever the checkpoint does: a failed one is tried again as
        // many groups later (the log only grows meanwhile).
        try {
          this.checkpoint();
        } catch {
          this.unitsSinceCheckpoint = 0;
        }
      }
    }
  }

  /** Resolves once everything committed before this call is on disk (one fsync serves many callers). */
  durable(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.syncing) this.flush();
    });
  }

  private flush(): void {
    this.syncing = true;
    const waiting = this.waiters;
    this.waiters = [];
    // Every group committed before this fsync starts is on disk once it completes.
    const covers = this.watermark?.lastGroup ?? 0;
    this.fsyncWal()
      .then(
        () => {
          // The watermark first: a group's answers and the uploader's nudge see it moved.
          this.watermark?.flushed(covers);
          for (const w of waiting) w.resolve();
        },
        (error: unknown) => {
          const failed = error instanceof Error ? error : new Error(String(error));
          for (const w of waiting) w.reject(failed);
        },
      )
      .finally(() => {
        this.syncing = false;
        if (this.waiters.length > 0) this.flush();
      });
  }

  /**
   * fsync of the WAL through a descriptor kept open (it lives as long as the connection:
   * SQLite removes the log only when the last connection closes). A log that is not the
   * one the descriptor holds (removed and created again) is opened anew, and a new log's
   * directory entry is flushed too.
   */
  private async fsyncWal(): Promise<void> {
    if (!this.db.open) {
      // Closing checkpointed the log with the connection's own synchronous (FULL): on disk.
      this.close();
      return;
    }
    const held = this.wal;
    if (held !== null) {
      // The usual case: flush the descriptor, and check meanwhile that it is still the log.
      const [, onDisk] = await Promise.all([this.fsync(held.fd), inodeOf(this.walPath)]);
      if (onDisk === held.ino || onDisk === null) return;
    }
    if ((await inodeOf(this.walPath)) === null) return; // no log: all checkpointed and flushed
    if (this.wal !== null) await closeAsync(this.wal.fd).catch(() => {});
    this.wal = null;
    const fd = await openAsync(this.walPath, 'r');
    const { ino } = await fstatAsync(fd);
    this.wal = { fd, ino };
    await this.fsync(fd);
    const dir = await openAsync(dirname(this.walPath), 'r');
    try {
      await this.fsync(dir);
    } finally {
      await closeAsync(dir);
    }
  }

  /** Closes the kept descriptor (the ledger is closing). */
  close(): void {
    if (this.wal !== null) close(this.wal.fd, () => {});
    this.wal = null;
  }

  /** A passive checkpoint with the connection's own synchronous (it flushes the database first). */
  private checkpoint(): void {
    const [row] = this.db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
    const frames = row?.log ?? 0;
    if (frames > 0) {
      const perUnit = frames / this.unitsSinceCheckpoint;
      this.checkpointEvery = Math.max(16, Math.floor(this.checkpointFrames / perUnit));
    }
    this.unitsSinceCheckpoint = 0;
  }
}

/**
 * Flushes a database's files as found at open. A process killed (not powered off) leaves
 * frames written but not yet flushed in the operating system's cache; the new process reads
 * them as committed, so they are flushed before anything (the uploader) treats them as
 * durable (ledger/durable-seq.ts).
 */
export function flushAtOpen(db: Db): void {
  if (db.memory || db.readonly) return;
  for (const path of [`${db.name}-wal`, db.name]) {
    if (!existsSync(path)) continue;
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

const statAsync = promisify(stat);
const openAsync = promisify(open);
const fstatAsync = promisify(fstat);
const fsyncAsync = promisify(fsync);
const closeAsync = promisify(close);

/** The file's inode, or null when there is none (ENOENT: the log was checkpointed and removed). */
async function inodeOf(path: string): Promise<number | null> {
  try {
    return (await statAsync(path)).ino;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
