import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectTill,
  type GatewayFixture,
  MANAGER_CODE,
  saleBody,
  startGateway,
  type TillClient,
} from '../../fakes/gateway-fixture.ts';

// Demo members (gateway/demo/members.csv): M-1001 card 04A1B2C3, PIN 1234, 1 200 opening points,
// bronze; M-1002 card 04A1B2C3D4E5F6, PIN 2345, 5 400 points and 150 000 credit, pensioner.
// The demo program: 1 point per 10 000 (100.00 AMD), first purchase +50, 2 % cashback on otc
// for pensioners, credit may pay at most 50 % of a sale.
const NOON = '2026-11-23T12:00:00+04:00'; // a Monday: no weekend or happy-hour multiplier

let fx: GatewayFixture;
let till: TillClient;

beforeAll(async () => {
  fx = await startGateway();
  till = await connectTill(fx.url);
});
afterAll(async () => {
  await till.close();
  await fx.stop();
});

describe('identify', () => {
  it('answers the member, balances, next tier', async () => {
    const res = await till.request('identify', { card: { uid: '04a1b2c3' } });
    expect(res).toMatchObject({
      ok: true,
      member: { id: 'M-1001', tier: 'bronze', language: 'hy' },
      card: { status: 'active' },
      balances: { points: 1200, pendingPoints: 0, credit: 0 },
      nextTier: { id: 'silver', missing: 1000 }, // opening balances do not qualify for tiers
    });
  });

  it('refuses unknown and blocked cards with the status as the code', async () => {
    expect((await till.request('identify', { card: { uid: 'DEADBEEF' } })).error).toMatchObject({
      code: 'CARD_UNKNOWN',
    });
    fx.gateway.ledger.setCardStatus('3D4E5F60', 'blocked');
    expect((await till.request('identify', { card: { uid: '3D4E5F60' } })).error).toMatchObject({
      code: 'CARD_BLOCKED',
    });
  });

  it('names the field of a malformed card reference', async () => {
    const res = await till.request('identify', { card: { uid: 'not hex!' } });
    expect(res).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST', message: 'card.uid: must be hex' },
    });
  });
});

describe('sale and return', () => {
  it('posts what the program earns, durably, and replays the same response for the same requestId', async () => {
    const body = saleBody('04A1B2C3', [{ sku: 'SKU-1', productGroup: 'otc', qty: 2, unitPrice: 12550 }], {
      at: NOON,
    });
    const first = await till.request('sale', { ...body, requestId: 'sale-1' });
    // 25 100 × 1 / 10 000 = 2.51 → 2 points, + 50 first purchase = 52
    expect(first).toMatchObject({ ok: true, earned: { points: 52, credit: 0 }, balances: { points: 1252 } });
    expect(fx.gateway.ledger.balance({ member: 'M-1001' }, 'points')).toBe(1252);

    // The till lost the answer and re-sends after a reconnect: same response, nothing posted twice.
    const again = await connectTill(fx.url);
    const replay = await again.request('sale', { ...body, requestId: 'sale-1' });
    await again.close();
    expect(replay).toEqual(first);
    expect(fx.gateway.ledger.balance({ member: 'M-1001' }, 'points')).toBe(1252);

    const conflict = await till.request('sale', { ...body, total: 1, requestId: 'sale-1' });
    expect(conflict).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('refuses a sale whose lines do not add up, naming the field, and posts nothing', async () => {
    const body = saleBody('04A1B2C3', [{ sku: 'SKU-1', qty: 1, unitPrice: 10000 }], {
      at: NOON,
      total: 99999,
    });
    const before = fx.gateway.ledger.lastSeq();
    const res = await till.request('sale', body);
    expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(String((res.error as { message: string }).message)).toMatch(/total|payments/);
    expect(fx.gateway.ledger.lastSeq()).toBe(before);
  });

  it('records an anonymous sale that earns nothing, and refuses an unknown card', async () => {
    const anon = await till.request(
      'sale',
      saleBody(null, [{ sku: 'SKU-1', qty: 1, unitPrice: 50000 }], { at: NOON }),
    );
    expect(anon).toMatchObject({ ok: true, earned: { points: 0, credit: 0 } });
    const unknown = await till.request(
      'sale',
      saleBody('0BADCAFE', [{ sku: 'SKU-1', qty: 1, unitPrice: 1 }], { at: NOON }),
    );
    expect(unknown).toMatchObject({ ok: false, error: { code: 'CARD_UNKNOWN' } });
  });

  it('pays cashback to a pensioner and reverses a partial return proportionally', async () => {
    const body = saleBody(
      '04A1B2C3D4E5F6',
      [{ sku: 'ASPIRIN', productGroup: 'otc', qty: 4, unitPrice: 25000 }],
      { at: NOON },
    );
    const sale = await till.request('sale', body);
    // 100 000 → 10 points (+50 first purchase); cashback 2 % of 100 000 = 2 000 credit
    expect(sale).toMatchObject({ ok: true, earned: { points: 60, credit: 2000 } });
    const ret = await till.request('return', {
      returnId: 'R-1',
      saleId: body.saleId,
      at: NOON,
      lines: [{ lineId: '1', qty: 1 }],
    });
    // R = 1/4: spend floor(10 × 1/4) = 2; cashback floor(2 000 × 1/4) = 500 (the event bonus is not a sale earning)
    expect(ret).toMatchObject({
      ok: true,
      reversed: { points: 2, credit: 500 },
      writtenOff: { points: 0, credit: 0 },
    });
    const rest = await till.request('return', { returnId: 'R-2', saleId: body.saleId, at: NOON, all: true });
    expect(rest).toMatchObject({ ok: true, reversed: { points: 8, credit: 1500 } });
    const more = await till.request('return', { returnId: 'R-3', saleId: body.saleId, at: NOON, all: true });
    // Nothing of the sale is left to return (docs/program.md: never more than earned).
    expect(more).toMatchObject({ ok: false, error: { code: 'RETURN_EXCEEDS_SALE' } });
    const unknown = await till.request('return', {
      returnId: 'R-4',
      saleId: 'NO-SUCH-SALE',
      at: NOON,
      all: true,
    });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'SALE_UNKNOWN' } });
  });
});

describe('credit holds', () => {
  it('needs the PIN, holds credit once, captures for less and gives the rest back', async () => {
    const card = { uid: '04A1B2C3D4E5F6' };
    const credit = () => fx.gateway.ledger.balance({ member: 'M-1002' }, 'credit');
    const start = credit();
    expect((await till.request('authorize', { card, credit: 10000 })).error).toMatchObject({
      code: 'PIN_REQUIRED',
    });
    expect((await till.request('authorize', { card, credit: 10000, pin: '0000' })).error).toMatchObject({
      code: 'PIN_INVALID',
    });
    const hold = await till.request('authorize', { card, credit: 10000, pin: '2345', holdId: 'H-1' });
    expect(hold).toMatchObject({ ok: true, holdId: 'H-1', credit: 10000 });
    expect(credit()).toBe(start - 10000);
    const captured = await till.request('capture', { holdId: 'H-1', saleId: 'S-CAP', credit: 6000 });
    expect(captured).toMatchObject({ ok: true });
    expect(credit()).toBe(start - 6000);
    expect((await till.request('void', { holdId: 'H-1' })).error).toMatchObject({ code: 'HOLD_UNKNOWN' });
    expect((await till.request('capture', { holdId: 'H-NONE', saleId: 'S', credit: 1 })).error).toMatchObject(
      {
        code: 'HOLD_UNKNOWN',
      },
    );
  });

  it('voids a hold back to the wallet', async () => {
    const before = fx.gateway.ledger.balance({ member: 'M-1002' }, 'credit');
    await till.request('authorize', {
      card: { uid: '04A1B2C3D4E5F6' },
      credit: 500,
      pin: '2345',
      holdId: 'H-2',
    });
    expect(await till.request('void', { holdId: 'H-2' })).toMatchObject({ ok: true });
    expect(fx.gateway.ledger.balance({ member: 'M-1002' }, 'credit')).toBe(before);
  });
});

describe('cards', () => {
  it('locks a card after wrong PINs; a manager unlocks it, a wrong manager code is refused', async () => {
    const card = { uid: '1B2C3D4E' }; // M-1005, PIN 5678; the demo allows 5 attempts
    for (let i = 0; i < 4; i++)
      expect((await till.request('authorize', { card, credit: 1, pin: '1111' })).error).toMatchObject({
        code: 'PIN_INVALID',
      });
    expect((await till.request('authorize', { card, credit: 1, pin: '1111' })).error).toMatchObject({
      code: 'CARD_LOCKED',
    });
    expect((await till.request('identify', { card })).error).toMatchObject({ code: 'CARD_LOCKED' });
    expect((await till.request('card-unlock', { card, managerCode: '000000' })).error).toMatchObject({
      code: 'MANAGER_CODE_INVALID',
    });
    expect(await till.request('card-unlock', { card, managerCode: MANAGER_CODE })).toMatchObject({
      ok: true,
      card: { status: 'active' },
    });
    expect(await till.request('identify', { card })).toMatchObject({ ok: true });
  });

  it('enrolls a new member with the signup bonus, once per card', async () => {
    const body = { card: { uid: '0E0E0E0E' }, member: { firstName: 'Lilit', language: 'hy' }, pin: '4321' };
    const res = await till.request('enroll', body);
    expect(res).toMatchObject({
      ok: true,
      member: { displayName: 'Lilit', tier: 'bronze' },
      balances: { points: 100 },
    });
    expect((await till.request('enroll', body)).error).toMatchObject({ code: 'CARD_EXISTS' });
    const who = await till.request('identify', { card: { uid: '0E0E0E0E' } });
    expect(who).toMatchObject({ ok: true, balances: { points: 100 } });
  });

  it('replaces a lost card: the old one is blocked, the balance and PIN move to the new one', async () => {
    const res = await till.request('card-replace', {
      card: { uid: '0A1B2C3D' },
      newCard: { uid: '0A1B2C3E' },
      managerCode: MANAGER_CODE,
    });
    expect(res).toMatchObject({ ok: true, member: { id: 'M-1003' } });
    expect((await till.request('identify', { card: { uid: '0A1B2C3D' } })).error).toMatchObject({
      code: 'CARD_BLOCKED',
    });
    expect(await till.request('identify', { card: { uid: '0A1B2C3E' } })).toMatchObject({
      ok: true,
      balances: { points: 300 },
    });
    const hold = await till.request('authorize', { card: { uid: '0A1B2C3E' }, credit: 1, pin: '3456' });
    expect(hold.error).toMatchObject({ code: 'INSUFFICIENT_BALANCE' }); // the PIN was accepted; no credit
  });
});

describe('the ledger after all of it', () => {
  it('verifies clean', () => {
    expect(fx.gateway.ledger.verify()).toEqual([]);
  });
});
