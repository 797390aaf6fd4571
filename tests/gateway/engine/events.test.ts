import { describe, expect, it } from 'vitest';
import { dueEvents, postDueEvents, signupEvents } from '../../../gateway/src/engine/events.ts';
import { ctx, member, program } from './helpers.ts';

const p = program({
  earn: [
    { id: 'bday', type: 'event', event: 'birthday', points: 500 },
    { id: 'anniv', type: 'event', event: 'anniversary', points: 200 },
    { id: 'welcome', type: 'event', event: 'signup', points: 100 },
  ],
});

describe('events (docs/program.md: Events)', () => {
  it('birthday on 29 Feb falls on 28 Feb in common years and on 29 Feb in leap years', () => {
    const m = member({ birthDate: '2000-02-29' });
    expect(dueEvents(ctx(p), m, '2027-02-28')).toEqual([
      { ruleId: 'bday', event: 'birthday', key: 'birthday:2027', points: 500 },
    ]);
    expect(dueEvents(ctx(p), m, '2027-03-01')).toEqual([]);
    expect(dueEvents(ctx(p), m, '2028-02-28')).toEqual([]);
    expect(dueEvents(ctx(p), m, '2028-02-29')).toHaveLength(1);
  });

  it('posts once per year: a marker already posted means nothing is due', () => {
    const m = member({
      birthDate: '1990-12-02',
      anniversaryDate: '2020-12-02',
      eventsPosted: ['anniversary:2026'],
    });
    const r = postDueEvents(ctx(p), m, '2026-12-02');
    expect(r.eventsPosted).toEqual(['birthday:2026']);
    expect(r.transaction?.postings).toEqual([
      expect.objectContaining({ kind: 'event', amount: 500, ruleId: 'bday', meta: { event: 'birthday' } }),
    ]);
    expect(r.transaction?.postings[0]?.qualifying).toBeUndefined(); // events never qualify
    expect(
      postDueEvents(ctx(p), { ...m, eventsPosted: ['birthday:2026', 'anniversary:2026'] }, '2026-12-02')
        .transaction,
    ).toBeNull();
  });

  it('signup bonus once, on enrollment', () => {
    const r = signupEvents(ctx(p), member());
    expect(r.transaction?.postings).toEqual([expect.objectContaining({ amount: 100, ruleId: 'welcome' })]);
    expect(r.eventsPosted).toEqual(['signup']);
    expect(signupEvents(ctx(p), member({ eventsPosted: ['signup'] })).transaction).toBeNull();
  });
});
