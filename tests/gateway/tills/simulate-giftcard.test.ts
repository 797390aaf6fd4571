/**
 * The till ops the other till tests leave out, over MQTT against the real gateway:
 * `simulate` (what a sale would earn, nothing posted), `giftcard-issue` (an addition: a gift
 * card sold at the till) and `giftcard-redeem` (partial redemption of a gift card's credit),
 * each with its success and error paths.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectTill,
  type GatewayFixture,
  saleBody,
  startGateway,
  type TillClient,
} from '../../fakes/gateway-fixture.ts';

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

describe('simulate', () => {
  it('answers what the sale would earn and posts nothing; the sale then earns exactly that', async () => {
    const body = saleBody('1B2C3D4E', [{ sku: 'SKU-7', productGroup: 'otc', qty: 3, unitPrice: 45_000 }], {
      at: NOON,
    });
    const entries = fx.gateway.ledger.lastSeq();
    const simulated = await till.request('simulate', body);
    expect(simulated.ok).toBe(true);
    expect(fx.gateway.ledger.lastSeq()).toBe(entries);
    const sold = await till.request('sale', body);
    expect(sold.ok).toBe(true);
    expect(simulated.earned).toEqual(sold.earned);
    expect(simulated.breakdown).toEqual(sold.breakdown);
    expect((sold.earned as { points: number }).points).toBeGreaterThan(0);
  });

  it('names the field of a sale that does not add up, and refuses an unknown card', async () => {
    const body = saleBody('1B2C3D4E', [{ sku: 'SKU-7', qty: 1, unitPrice: 1_000 }], { at: NOON, total: 999 });
    const bad = await till.request('simulate', body);
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect((bad.error as { message: string }).message).toMatch(/total/);
    const unknown = await till.request(
      'simulate',
      saleBody('FFEEDDCC', [{ sku: 'X', qty: 1, unitPrice: 100 }]),
    );
    expect(unknown).toMatchObject({ ok: false, error: { code: 'CARD_UNKNOWN' } });
  });
});

describe('giftcard-issue', () => {
  it('issues a card for its credit, valid the program’s 12 months by default; a code only once', async () => {
    const issued = await till.request('giftcard-issue', { code: 'GC-1234', credit: 20_000 });
    expect(issued).toMatchObject({ ok: true, code: 'GC-1234', credit: 20_000 });
    const months = (Date.parse(String(issued.expiresAt)) - Date.now()) / (30.44 * 86_400_000);
    expect(months).toBeGreaterThan(11.5);
    expect(months).toBeLessThan(12.5);
    expect(fx.gateway.ledger.balance({ giftCard: 'GC-1234' }, 'credit')).toBe(20_000);
    expect(await till.request('giftcard-issue', { code: 'GC-1234', credit: 5_000 })).toMatchObject({
      ok: false,
      error: { code: 'CARD_EXISTS' },
    });
    expect(fx.gateway.ledger.balance({ giftCard: 'GC-1234' }, 'credit')).toBe(20_000);
  });

  it('names a bad amount or validity', async () => {
    const noCredit = await till.request('giftcard-issue', { code: 'GC-2', credit: 0 });
    expect(noCredit).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect((noCredit.error as { message: string }).message).toMatch(/^credit/);
    const badMonths = await till.request('giftcard-issue', { code: 'GC-2', credit: 100, validityMonths: 0 });
    expect((badMonths.error as { message: string }).message).toMatch(/^validityMonths/);
  });
});

describe('giftcard-redeem', () => {
  it('takes part of the card, then the rest; more than is left is refused and takes nothing', async () => {
    expect(await till.request('giftcard-redeem', { code: 'GC-1234', credit: 7_500 })).toMatchObject({
      ok: true,
      remaining: 12_500,
    });
    expect(await till.request('giftcard-redeem', { code: 'GC-1234', credit: 12_501 })).toMatchObject({
      ok: false,
      error: { code: 'INSUFFICIENT_BALANCE' },
    });
    expect(fx.gateway.ledger.balance({ giftCard: 'GC-1234' }, 'credit')).toBe(12_500);
    expect(await till.request('giftcard-redeem', { code: 'GC-1234', credit: 12_500 })).toMatchObject({
      ok: true,
      remaining: 0,
    });
  });

  it('refuses an unknown code and names a bad amount', async () => {
    expect(await till.request('giftcard-redeem', { code: 'GC-NOPE', credit: 100 })).toMatchObject({
      ok: false,
      error: { code: 'CARD_UNKNOWN' },
    });
    const bad = await till.request('giftcard-redeem', { code: 'GC-1234', credit: -5 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect((bad.error as { message: string }).message).toMatch(/credit/);
    expect(fx.gateway.ledger.verify()).toEqual([]);
  });
});
