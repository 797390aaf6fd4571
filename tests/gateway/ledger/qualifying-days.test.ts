/**
 * The tier window from running sums per day (docs/ledger.md: Qualifying sums): for any first
 * day the engine may pick near the window's edge, the qualifying points the member state
 * shows after it are exactly those of the entries after it — from a handful of rows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../../gateway/src/ledger/ledger.ts';
import { member, tx } from '../../fakes/ledger-fixtures.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-04T12:00:00Z');

describe('qualifying points from day sums', () => {
  it('sum after any window start near the edge = the entries after it; the rest is one row', () => {
    const entry = fc.record({
      ago: fc.integer({ min: 0, max: 420 * DAY }),
      qualifying: fc.integer({ min: -30, max: 60 }).filter((q) => q !== 0),
    });
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 60 }),
        fc.integer({ min: -4 * DAY, max: 2 * DAY }),
        (entries, shift) => {
          const dir = makeTempDir();
          const ledger = openLedger(dir.file('ledger.db'));
          try {
            ledger.addMember(member('m1'));
            for (const e of entries) {
              // Offsets differ from UTC, as tills send them (+04:00).
              const at = new Date(NOW - e.ago + 4 * 3_600_000).toISOString().replace('Z', '+04:00');
              ledger.commit(
                tx(
                  [
                    {
                      owner: { member: 'm1' },
                      asset: 'points',
                      bucket: 'available',
                      kind: 'earn',
                      amount: 0,
                      qualifying: e.qualifying,
                    },
                  ],
                  { at },
                ),
              );
            }
            const state = ledger.loadMemberState('m1', new Date(NOW), 12);
            const cutoff = new Date(NOW);
            cutoff.setUTCMonth(cutoff.getUTCMonth() - 12);
            const start = cutoff.getTime() + shift;
            const shown = state.qualifying
              .filter((q) => Date.parse(q.at) >= start)
              .reduce((s, q) => s + q.amount, 0);
            const expected = entries
              .map((e) => ({ ms: NOW - e.ago, q: e.qualifying }))
              .filter((e) => e.ms >= start)
              .reduce((s, e) => s + e.q, 0);
            expect(shown).toBe(expected);
            // Entries well inside the window come back as one row, not one per entry.
            const insideEdge = Math.floor((cutoff.getTime() + 2 * DAY) / DAY + 1) * DAY;
            const edgeRows = entries.filter(
              (e) => NOW - e.ago >= cutoff.getTime() - 4 * DAY && NOW - e.ago < insideEdge,
            );
            expect(state.qualifying.length).toBeLessThanOrEqual(edgeRows.length + 1);
          } finally {
            ledger.close();
            dir.remove();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
