import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackupProgress } from '../../../gateway/src/ledger/backup.ts';
import { type Ledger, openLedger } from '../../../gateway/src/ledger/ledger.ts';
import { earn, member, tx } from '../../fakes/ledger-fixtures.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';

describe('backup', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let ledger: Ledger;
  beforeEach(() => {
    dir = makeTempDir();
    ledger = openLedger(dir.file('ledger.db'));
    ledger.addMember(member('m1'));
  });
  afterEach(() => {
    ledger.close();
    dir.remove();
  });

  it('copies a consistent snapshot online and reports progress', async () => {
    ledger.commitMany(Array.from({ length: 2000 }, () => tx([earn('m1', 3)])));
    const progress: BackupProgress[] = [];
    const done = await ledger.backup(dir.file('copy.db'), (p) => progress.push(p));
    expect(done.remainingPages).toBe(0);
    expect(progress.length).toBeGreaterThan(0);
    // Commits keep working after (and during) a backup.
    ledger.commit(tx([earn('m1', 1)]));
    const copy = openLedger(dir.file('copy.db'));
    try {
      expect(copy.verify()).toEqual([]);
      expect(copy.balance({ member: 'm1' }, 'points')).toBe(6000);
      expect(copy.pendingCount()).toBe(2000);
    } finally {
      copy.close();
    }
  });
});
