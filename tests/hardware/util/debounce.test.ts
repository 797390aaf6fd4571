import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TapDebouncer } from '../../../hardware/src/util/debounce.ts';

describe('TapDebouncer', () => {
  it('a card held for 10 s while polled every 50 ms is one tap', () => {
    const d = new TapDebouncer({ removalMs: 300 });
    const events = [];
    for (let t = 0; t <= 10_000; t += 50) events.push(...d.seen('04A1B2C3', t));
    events.push(...d.expire(10_400));
    expect(events).toEqual([
      { type: 'tap', uid: '04A1B2C3' },
      { type: 'removed', uid: '04A1B2C3' },
    ]);
  });

  it('removal then re-presentation is a new tap', () => {
    const d = new TapDebouncer({ removalMs: 300 });
    expect(d.seen('AA', 0)).toEqual([{ type: 'tap', uid: 'AA' }]);
    expect(d.expire(299)).toEqual([]);
    expect(d.expire(300)).toEqual([{ type: 'removed', uid: 'AA' }]);
    expect(d.seen('AA', 400)).toEqual([{ type: 'tap', uid: 'AA' }]);
  });

  it('two different cards in quick succession are two taps', () => {
    const d = new TapDebouncer({ removalMs: 300 });
    const events = [...d.seen('AA', 0), ...d.seen('BB', 40), ...d.seen('AA', 80), ...d.seen('BB', 120)];
    expect(events.filter((e) => e.type === 'tap').map((e) => e.uid)).toEqual(['AA', 'BB']);
  });

  it('a missed poll shorter than the window does not make a second tap', () => {
    const d = new TapDebouncer({ removalMs: 300 });
    const taps = [...d.seen('AA', 0), ...d.seen('AA', 250), ...d.seen('AA', 500)].filter(
      (e) => e.type === 'tap',
    );
    expect(taps).toHaveLength(1);
  });

  it('clear reports every present card as removed', () => {
    const d = new TapDebouncer({ removalMs: 300 });
    d.seen('AA', 0);
    d.seen('BB', 0);
    expect(d.clear()).toEqual([
      { type: 'removed', uid: 'AA' },
      { type: 'removed', uid: 'BB' },
    ]);
    expect(d.present).toEqual([]);
  });

  it('property: sightings with gaps under the window are one tap; a longer gap is a new one', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 299 }), { maxLength: 200 }), (gaps) => {
        const d = new TapDebouncer({ removalMs: 300 });
        let t = 0;
        const events = [...d.seen('AA', t)];
        for (const gap of gaps) {
          t += gap;
          events.push(...d.seen('AA', t));
        }
        expect(events).toEqual([{ type: 'tap', uid: 'AA' }]);
        expect(d.expire(t + 300)).toEqual([{ type: 'removed', uid: 'AA' }]);
        expect(d.seen('AA', t + 300)).toEqual([{ type: 'tap', uid: 'AA' }]);
      }),
    );
  });

  describe('polled readers', () => {
    it('a stalled poll loop does not split a held card into two taps', () => {
      const d = new TapDebouncer({ removalMs: 300 });
      const events = [...d.poll(['AA'], 0), ...d.poll(['AA'], 5_000), ...d.poll(['AA'], 5_050)];
      expect(events).toEqual([{ type: 'tap', uid: 'AA' }]);
    });

    it('one missed poll is a glitch; enough missed polls over the window is a removal', () => {
      const d = new TapDebouncer({ removalMs: 300, minMissedPolls: 2 });
      d.poll(['AA'], 0);
      expect(d.poll([], 1_000)).toEqual([]); // one miss, however late
      expect(d.poll(['AA'], 1_050)).toEqual([]);
      expect(d.poll([], 1_100)).toEqual([]);
      expect(d.poll([], 1_200)).toEqual([]); // two misses but only 150 ms unseen
      expect(d.poll([], 1_350)).toEqual([{ type: 'removed', uid: 'AA' }]);
      expect(d.poll(['AA'], 1_400)).toEqual([{ type: 'tap', uid: 'AA' }]);
    });

    it('a held card polled every 50 ms for 10 s is one tap; two cards are two taps', () => {
      const d = new TapDebouncer({ removalMs: 250 });
      const events = [];
      for (let t = 0; t <= 10_000; t += 50) events.push(...d.poll(['AA'], t));
      events.push(...d.poll(['BB'], 10_050), ...d.poll(['AA'], 10_100));
      expect(events.filter((e) => e.type === 'tap').map((e) => e.uid)).toEqual(['AA', 'BB']);
    });
  });
});
