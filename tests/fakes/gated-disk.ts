/**
 * A disk whose fsync can be held: the WalSync seam (ledger/wal-sync.ts `WalSyncSeams`) with
 * the real fsync behind a gate. While held, every fsync asked for waits; released, they run.
 * It remembers how long the log was when the last completed fsync of it was asked for: what
 * a power cut at that moment would leave of the log (the power-cut simulation cuts it there).
 */
import { fstatSync, fsync } from 'node:fs';
import { promisify } from 'node:util';
import type { WalSyncSeams } from '../../gateway/src/ledger/index.ts';

const realFsync = promisify(fsync);

export interface GatedDisk {
  seams: WalSyncSeams;
  /** From now on, fsyncs wait. */
  hold(): void;
  /** Lets the waiting fsyncs (and later ones) run. */
  release(): void;
  /** fsyncs waiting at the gate now. */
  readonly waiting: number;
  /** Bytes of the log covered by the last completed fsync of a file (null: none yet). */
  readonly durableLogBytes: number | null;
  /** Completed fsyncs of a file. */
  readonly completed: number;
}

export function gatedDisk(): GatedDisk {
  let gate: { promise: Promise<void>; open: () => void } | null = null;
  let waiting = 0;
  let completed = 0;
  let durableLogBytes: number | null = null;
  return {
    seams: {
      fsync: async (fd) => {
        // What is written when the fsync is asked for is what it makes durable.
        const st = fstatSync(fd);
        waiting++;
        try {
          while (gate) await gate.promise;
        } finally {
          waiting--;
        }
        await realFsync(fd);
        if (st.isFile()) {
          durableLogBytes = st.size;
          completed++;
        }
      },
    },
    hold() {
      if (gate) return;
      let open = () => {};
      const promise = new Promise<void>((resolve) => {
        open = resolve;
      });
      gate = { promise, open };
    },
    release() {
      const held = gate;
      gate = null;
      held?.open();
    },
    get waiting() {
      return waiting;
    },
    get durableLogBytes() {
      return durableLogBytes;
    },
    get completed() {
      return completed;
    },
  };
}
