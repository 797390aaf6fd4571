import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { effectiveStatus } from '../../../gateway/src/ledger/cards.ts';
import { LedgerError } from '../../../gateway/src/ledger/errors.ts';
import { type Ledger, openLedger } from '../../../gateway/src/ledger/ledger.ts';
import { hashPin, IMPORT_PIN_PARAMS, needsRehash, pinMatches } from '../../../gateway/src/ledger/pins.ts';
import { AT, member } from '../../fakes/ledger-fixtures.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';

const FAST = { N: 1024, r: 8, p: 1 };

describe('PIN hashes', () => {
  it('are salted scrypt with their parameters, never the PIN', () => {
    const a = hashPin('1234', FAST);
    const b = hashPin('1234', FAST);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(a).not.toContain('1234');
    expect(pinMatches('1234', a)).toBe(true);
    expect(pinMatches('1235', a)).toBe(false);
    expect(pinMatches('1234', 'garbage')).toBe(false);
    expect(needsRehash(hashPin('1', IMPORT_PIN_PARAMS))).toBe(true);
  });
});

describe('members and cards', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let ledger: Ledger;
  beforeEach(() => {
    dir = makeTempDir();
    ledger = openLedger(dir.file('ledger.db'));
    ledger.addMember(member('m1', { phone: '+37491000001' }), [
      { uid: '04a1b2c3', number: '1000001', memberId: 'm1', createdAt: AT, pinHash: hashPin('4321', FAST) },
      { uid: '04FFFF01', memberId: 'm1', createdAt: '2026-11-24T10:00:00+04:00', status: 'blocked' },
    ]);
  });
  afterEach(() => {
    ledger.close();
    dir.remove();
  });

  it('finds a card by uid (any case), number and phone (the active card)', () => {
    expect(ledger.findCard({ uid: '04A1B2C3' })?.memberId).toBe('m1');
    expect(ledger.findCard({ uid: '04a1b2c3' })?.number).toBe('1000001');
    expect(ledger.findCard({ number: '1000001' })?.uid).toBe('04A1B2C3');
    expect(ledger.findCard({ phone: '+37491000001' })?.uid).toBe('04A1B2C3');
    expect(ledger.findCard({ phone: '+000' })).toBeNull();
    expect(ledger.findCard({ uid: 'DEAD' })).toBeNull();
    expect(ledger.listCards('m1').map((c) => c.uid)).toEqual(['04A1B2C3', '04FFFF01']);
  });

  it('refuses duplicate uids and numbers, non-hex uids, cards of unknown members, bad statuses', () => {
    const codeOf = (fn: () => void) => {
      try {
        fn();
        return 'NO_ERROR';
      } catch (e) {
        return e instanceof LedgerError ? e.code : String(e);
      }
    };
    expect(codeOf(() => ledger.addCard({ uid: '04A1B2C3', memberId: 'm1', createdAt: AT }))).toBe(
      'CARD_EXISTS',
    );
    expect(
      codeOf(() => ledger.addCard({ uid: '05', number: '1000001', memberId: 'm1', createdAt: AT })),
    ).toBe('CARD_EXISTS');
    expect(codeOf(() => ledger.addCard({ uid: '06', memberId: 'nobody', createdAt: AT }))).toBe(
      'MEMBER_UNKNOWN',
    );
    expect(() => ledger.addCard({ uid: 'XYZ', memberId: 'm1', createdAt: AT })).toThrow(/CHECK/);
    expect(() => ledger.db.prepare("UPDATE cards SET status = 'lost'").run()).toThrow(/CHECK/);
    expect(codeOf(() => ledger.addMember(member('m1')))).toBe('MEMBER_EXISTS');
  });

  it('updates member details, not tier or dates', () => {
    const m = ledger.updateMember('m1', { phone: '+37499000000', language: 'fa', lastName: null });
    expect(m).toMatchObject({ phone: '+37499000000', language: 'fa', lastName: null, tier: 'bronze' });
    expect(ledger.findCard({ phone: '+37499000000' })?.uid).toBe('04A1B2C3');
    expect(() => ledger.updateMember('nobody', { phone: '1' })).toThrow(/MEMBER_UNKNOWN/);
  });

  it('card statuses and expiry', () => {
    for (const s of ['suspended', 'blocked', 'expired', 'active'] as const) {
      ledger.setCardStatus('04A1B2C3', s);
      expect(ledger.findCard({ uid: '04A1B2C3' })?.status).toBe(s);
    }
    ledger.addCard({ uid: '07', memberId: 'm1', createdAt: AT, expiresAt: '2026-01-01T00:00:00Z' });
    const card = ledger.findCard({ uid: '07' });
    expect(card && effectiveStatus(card, new Date('2026-06-01T00:00:00Z'))).toBe('expired');
    expect(card && effectiveStatus(card, new Date('2025-06-01T00:00:00Z'))).toBe('active');
  });

  it('locks the card after maxAttempts wrong PINs in a row; a right PIN resets; unlock reopens', async () => {
    expect(await ledger.verifyPin('04A1B2C3', '0000', 3)).toEqual({
      ok: false,
      code: 'PIN_INVALID',
      attemptsLeft: 2,
    });
    expect(await ledger.verifyPin('04A1B2C3', '4321', 3)).toEqual({ ok: true });
    expect(ledger.findCard({ uid: '04A1B2C3' })?.pinFailures).toBe(0);
    expect(await ledger.verifyPin('04A1B2C3', '0000', 3)).toMatchObject({ attemptsLeft: 2 });
    expect(await ledger.verifyPin('04A1B2C3', '0001', 3)).toMatchObject({ attemptsLeft: 1 });
    expect(await ledger.verifyPin('04A1B2C3', '0002', 3)).toEqual({ ok: false, code: 'CARD_LOCKED' });
    expect(ledger.findCard({ uid: '04A1B2C3' })?.status).toBe('locked');
    // Even the right PIN is refused while locked.
    expect(await ledger.verifyPin('04A1B2C3', '4321', 3)).toEqual({ ok: false, code: 'CARD_LOCKED' });
    expect(ledger.unlockCard('04a1b2c3')).toMatchObject({ status: 'active', pinFailures: 0 });
    expect(await ledger.verifyPin('04A1B2C3', '4321', 3)).toEqual({ ok: true });
    // The light hash was upgraded on the right PIN.
    const stored = ledger.db.prepare("SELECT pin_hash FROM cards WHERE uid = '04A1B2C3'").get() as {
      pin_hash: string;
    };
    expect(needsRehash(stored.pin_hash)).toBe(false);
    expect(await ledger.verifyPin('04FFFF01', '1', 3)).toEqual({ ok: false, code: 'PIN_NOT_SET' });
    expect(await ledger.verifyPin('AA', '1', 3)).toEqual({ ok: false, code: 'CARD_UNKNOWN' });
    expect(ledger.unlockCard('04FFFF01').status).toBe('blocked');
  });

  it('concurrent wrong PINs all count, and the card locks at the limit', async () => {
    const results = await Promise.all(
      ['1', '2', '3', '4', '5'].map((pin) => ledger.verifyPin('04A1B2C3', pin, 3)),
    );
    expect(results.filter((r) => !r.ok && r.code === 'CARD_LOCKED').length).toBeGreaterThanOrEqual(1);
    expect(ledger.findCard({ uid: '04A1B2C3' })?.status).toBe('locked');
    await ledger.setPin('04A1B2C3', '9999');
    ledger.unlockCard('04A1B2C3');
    expect(await ledger.verifyPin('04A1B2C3', '9999', 3)).toEqual({ ok: true });
  });

  it('enrolment, card replacement and signup bonus commit together through effects', () => {
    ledger.commit({
      idempotencyKey: 'till:t1:enroll-1',
      type: 'enroll',
      at: AT,
      programVersion: 1,
      storeId: 's',
      postings: [
        {
          owner: { member: 'm9' },
          asset: 'points',
          bucket: 'available',
          kind: 'event',
          amount: 100,
          lot: { availableAt: AT, expiresAt: null },
        },
      ],
      effects: {
        members: [member('m9', { referrerId: 'm1' })],
        cards: [{ uid: '0909', memberId: 'm9', createdAt: AT }],
        events: [{ memberId: 'm9', event: 'signup' }],
      },
    });
    expect(ledger.loadMemberState('m9', new Date(), 12)).toMatchObject({
      referrerId: 'm1',
      eventsPosted: ['signup'],
    });
    ledger.commit({
      idempotencyKey: 'till:t1:replace-1',
      type: 'card-replace',
      at: AT,
      programVersion: 1,
      storeId: 's',
      postings: [],
      effects: {
        cardStatus: [{ uid: '0909', status: 'blocked' }],
        cards: [{ uid: '0A0A', memberId: 'm9', createdAt: AT }],
      },
    });
    expect(ledger.listCards('m9').map((c) => [c.uid, c.status])).toEqual([
      ['0909', 'blocked'],
      ['0A0A', 'active'],
    ]);
    expect(ledger.balance({ member: 'm9' }, 'points')).toBe(100);
  });
});
