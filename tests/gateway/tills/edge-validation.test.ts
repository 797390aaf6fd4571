import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectTill,
  type GatewayFixture,
  saleBody,
  startGateway,
  type TillClient,
} from '../../fakes/gateway-fixture.ts';

// docs/protocol.md §1: one validation of instants and amounts at the edge, INVALID_REQUEST
// naming the field, nothing posted. Real gateway, real broker, a real mqtt.js till.
const DAY = 86_400_000;
/** An instant `ms` from now, written as a till at UTC+04:00 would. */
const at = (ms: number): string => {
  const local = new Date(Date.now() + ms + 4 * 3_600_000);
  return `${local.toISOString().slice(0, 19)}+04:00`;
};

let fx: GatewayFixture;
let till: TillClient;

beforeAll(async () => {
  fx = await startGateway({
    limits: { instantPast: '30d', instantFuture: '1h', maxAmount: 50_000_000, maxQty: 100 },
  });
  till = await connectTill(fx.url);
});
afterAll(async () => {
  await till.close();
  await fx.stop();
});

/** Sends a request and asserts it was refused naming `field`, with nothing added to the ledger. */
const refused = async (op: string, body: Record<string, unknown>, field: string): Promise<string> => {
  const before = fx.gateway.ledger.lastSeq();
  const res = await till.request(op, body);
  expect(res.ok).toBe(false);
  const error = res.error as { code: string; message: string };
  expect(error.code).toBe('INVALID_REQUEST');
  expect(error.message.startsWith(`${field}: `)).toBe(true);
  expect(fx.gateway.ledger.lastSeq()).toBe(before);
  if (typeof body.saleId === 'string' && op === 'sale')
    expect(fx.gateway.ledger.getSaleHistory(body.saleId)).toBeNull();
  return error.message;
};

const milk = [{ sku: 'MILK', productGroup: 'food', qty: 2, unitPrice: 45_000 }];

describe('instants at the edge', () => {
  it('refuses dates JavaScript would roll over, and year 0000', async () => {
    expect(await refused('sale', saleBody('04A1B2C3', milk, { at: '2026-02-30T10:00:00+04:00' }), 'at')).toBe(
      'at: 2026-02-30 is not a real calendar date',
    );
    expect(await refused('sale', saleBody('04A1B2C3', milk, { at: '0000-01-01T10:00:00Z' }), 'at')).toMatch(
      /year/,
    );
    await refused('sale', saleBody('04A1B2C3', milk, { at: '2026-11-23T24:00:00+04:00' }), 'at');
    await refused('simulate', saleBody('04A1B2C3', milk, { at: '2026-11-31T10:00:00+04:00' }), 'at');
    await refused(
      'return',
      { returnId: 'R-x', saleId: 'S-x', at: '2026-04-31T10:00:00+04:00', all: true },
      'at',
    );
  });

  it('refuses an instant outside the window around the device clock, naming the limit', async () => {
    for (const year of ['1900-06-01T10:00:00+04:00', '9999-12-31T23:59:59+04:00'])
      await refused('sale', saleBody('04A1B2C3', milk, { at: year }), 'at');
    expect(await refused('sale', saleBody('04A1B2C3', milk, { at: at(-31 * DAY) }), 'at')).toMatch(
      /more than 30d before this device's clock .*limits\.instantPast/,
    );
    expect(await refused('sale', saleBody('04A1B2C3', milk, { at: at(2 * 3_600_000) }), 'at')).toMatch(
      /more than 1h after this device's clock .*limits\.instantFuture/,
    );
    await refused('return', { returnId: 'R-y', saleId: 'S-y', at: at(-40 * DAY), all: true }, 'at');
  });

  it("posts a sale inside the window, an offset other than the store's too", async () => {
    const inside = saleBody('04A1B2C3', milk, { at: at(-29 * DAY) });
    expect(await till.request('sale', inside)).toMatchObject({ ok: true, saleId: inside.saleId });
    const utc = saleBody('04A1B2C3', milk, { at: new Date(Date.now() + 30 * 60_000).toISOString() });
    expect(await till.request('sale', utc)).toMatchObject({ ok: true });
  });
});

describe('dates at the edge', () => {
  it('refuses an enrollment whose birth date does not exist', async () => {
    const res = await till.request('enroll', {
      card: { uid: '0B1E2D3C' },
      member: { firstName: 'Ani', birthDate: '1990-02-30' },
    });
    expect(res).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST', message: 'member.birthDate: 1990-02-30 is not a real calendar date' },
    });
    expect(fx.gateway.ledger.findCard({ uid: '0B1E2D3C' })).toBeNull();
    const leap = await till.request('enroll', {
      card: { uid: '0B1E2D3D' },
      member: { firstName: 'Aram', birthDate: '2000-02-29' },
    });
    expect(leap).toMatchObject({ ok: true });
  });
});

describe('amounts and quantities at the edge', () => {
  it('refuses an amount of 2^53−1 and anything over limits.maxAmount, naming the field', async () => {
    const huge = Number.MAX_SAFE_INTEGER;
    expect(
      await refused(
        'sale',
        saleBody('04A1B2C3', [{ sku: 'GOLD', qty: 1, unitPrice: huge }], { at: at(0) }),
        'total',
      ),
    ).toBe(`total: ${huge} is more than limits.maxAmount (50000000)`);
    const line = saleBody('04A1B2C3', milk, { at: at(0) });
    (line.lines as Array<Record<string, unknown>>)[0]!.unitPrice = 60_000_000;
    await refused('sale', line, 'lines[0].unitPrice');
    await refused(
      'authorize',
      { card: { uid: '04A1B2C3D4E5F6' }, pin: '2345', credit: 50_000_001 },
      'credit',
    );
    await refused('capture', { holdId: 'H-1', saleId: 'S-1', credit: huge }, 'credit');
    await refused('giftcard-issue', { code: 'GC-HUGE', credit: huge }, 'credit');
    await refused('giftcard-redeem', { code: 'GC-HUGE', credit: huge }, 'credit');
  });

  it('refuses a quantity over limits.maxQty on a sale line and a return line', async () => {
    const many = saleBody('04A1B2C3', [{ sku: 'PEN', qty: 101, unitPrice: 10 }], { at: at(0) });
    expect(await refused('sale', many, 'lines[0].qty')).toBe(
      'lines[0].qty: 101 is more than limits.maxQty (100)',
    );
    await refused(
      'return',
      { returnId: 'R-z', saleId: 'S-z', at: at(0), lines: [{ lineId: '1', qty: 101 }] },
      'lines[0].qty',
    );
  });

  it('accepts the limits themselves', async () => {
    const edge = saleBody(null, [{ sku: 'PEN', qty: 100, unitPrice: 500_000 }], { at: at(0) });
    expect(edge.total).toBe(50_000_000);
    expect(await till.request('sale', edge)).toMatchObject({ ok: true });
  });
});

describe('with the default limits (a year back, a day ahead, 1 000 000 000 minor units)', () => {
  it('refuses the field reports: 2^53−1 points of sale, years 1900 and 9999', async () => {
    const plain = await startGateway({ limits: undefined });
    const t = await connectTill(plain.url, 'till-02');
    try {
      const ask = async (body: Record<string, unknown>) =>
        (await t.request('sale', body)).error as { message: string };
      const huge = saleBody('04A1B2C3', [{ sku: 'GOLD', qty: 1, unitPrice: Number.MAX_SAFE_INTEGER }], {
        at: at(0),
      });
      expect((await ask(huge)).message).toMatch(/^total: .*limits\.maxAmount \(1000000000000\)/);
      expect((await ask(saleBody('04A1B2C3', milk, { at: '1900-01-01T10:00:00+04:00' }))).message).toMatch(
        /3650d before/,
      );
      expect((await ask(saleBody('04A1B2C3', milk, { at: '9999-01-01T10:00:00+04:00' }))).message).toMatch(
        /1d after/,
      );
      expect(await t.request('sale', saleBody('04A1B2C3', milk, { at: at(-300 * DAY) }))).toMatchObject({
        ok: true,
      });
      expect(plain.gateway.ledger.verify()).toEqual([]);
    } finally {
      await t.close();
      await plain.stop();
    }
  });
});
