import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KioskMemberSession } from '../../gateway/src/kiosk/wire.ts';
import { connectTill, type GatewayFixture, saleBody, startGateway } from '../fakes/gateway-fixture.ts';
import { connectKiosk, type KioskClient } from './kiosk-client.ts';

describe('kiosk spending ops (docs/program.md Redemption)', () => {
  let fx: GatewayFixture;
  let kiosk: KioskClient;
  const events: Array<{ topic: string; body: Record<string, unknown> }> = [];
  let nodeRed: mqtt.MqttClient;

  const session = async (uid: string): Promise<KioskMemberSession> => {
    const next = kiosk.nextSession();
    fx.gateway.readers.simulated('reader-1')?.tap(uid);
    const s = await next;
    if (s.state !== 'member') throw new Error(`expected a member session, got ${s.state}`);
    return s;
  };

  beforeAll(async () => {
    fx = await startGateway({ readers: [{ id: 'reader-1', driver: 'simulated', debounceMs: 20 }] });
    kiosk = await connectKiosk(fx.url);
    nodeRed = await mqtt.connectAsync(fx.url, {
      username: 'node-red',
      password: 'nr-secret',
      clientId: 'node-red',
      reconnectPeriod: 0,
    });
    nodeRed.on('message', (topic, payload) => events.push({ topic, body: JSON.parse(payload.toString()) }));
    await nodeRed.subscribeAsync('loyalty/v1/events/#', { qos: 1 });
  });
  afterAll(async () => {
    await kiosk.close();
    await nodeRed.endAsync();
    await fx.stop();
  });

  it('redeems a stocked reward with the right PIN: points drop, stock drops, voucher code', async () => {
    // M-1006 (2 600 points) buys for 100 000 AMD (1 000 qualifying points): silver, so the
    // tier-restricted coffee is allowed (docs/program.md Tiers: upgrade at once).
    const till = await connectTill(fx.url);
    const sale = await till.request(
      'sale',
      saleBody('04DEAD00BEEF42', [{ sku: 'TV', qty: 1, unitPrice: 10_000_000 }]),
    );
    await till.close();
    expect(sale).toMatchObject({ ok: true, tier: 'silver', balances: { points: 3650 } });
    const s = await session('04DEAD00BEEF42');
    expect(s.rewards.find((r) => r.id === 'coffee')).toMatchObject({ available: true, stockLeft: 100 });
    const refreshed = kiosk.nextSession();
    const res = await kiosk.request('redeem-reward', {
      sessionId: s.sessionId,
      rewardId: 'coffee',
      pin: '6789',
    });
    expect(res).toMatchObject({
      ok: true,
      rewardId: 'coffee',
      balances: { points: 3350 },
      voucher: { sku: 'COFFEE-1' },
    });
    const code = (res.voucher as { code: string }).code;
    expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(fx.gateway.ledger.rewardStockLeft('coffee')).toBe(99);
    const after = (await refreshed) as KioskMemberSession;
    expect(after.sessionId).toBe(s.sessionId);
    expect(after.balances.points).toBe(3350);
    expect(after.rewards.find((r) => r.id === 'coffee')?.stockLeft).toBe(99);
    // A second redemption gets another code; a re-send of the first gets the same answer.
    const again = await kiosk.request('redeem-reward', {
      sessionId: s.sessionId,
      rewardId: 'coffee',
      pin: '6789',
    });
    expect((again.voucher as { code: string }).code).not.toBe(code);
    const resend = await kiosk.request('redeem-reward', {
      requestId: String(res.requestId),
      sessionId: s.sessionId,
      rewardId: 'coffee',
      pin: '6789',
    });
    expect(resend).toEqual(res);
    expect(fx.gateway.ledger.rewardStockLeft('coffee')).toBe(98);
    await new Promise((r) => setTimeout(r, 100));
    const redeemed = events.filter((e) => e.topic === 'loyalty/v1/events/reward.redeemed');
    expect(redeemed).toHaveLength(2);
    expect(redeemed[0]?.body).toMatchObject({
      memberId: 'M-1006',
      data: { rewardId: 'coffee', points: 300 },
    });
  });

  it('refuses a tier-restricted reward and a reward the member cannot afford', async () => {
    const s = await session('0A1B2C3D'); // M-1003, bronze, 300 points
    expect(
      await kiosk.request('redeem-reward', { sessionId: s.sessionId, rewardId: 'coffee', pin: '3456' }),
    ).toMatchObject({ ok: false, error: { code: 'TIER_NOT_ALLOWED' } });
    expect(
      await kiosk.request('redeem-reward', { sessionId: s.sessionId, rewardId: 'spa-day', pin: '3456' }),
    ).toMatchObject({ ok: false, error: { code: 'TIER_NOT_ALLOWED' } });
  });

  it('converts points to credit with the PIN', async () => {
    const s = await session('1B2C3D4E'); // M-1005, 800 points
    const res = await kiosk.request('convert', { sessionId: s.sessionId, points: 200, pin: '5678' });
    expect(res).toMatchObject({
      ok: true,
      points: 200,
      credit: 200000,
      balances: { points: 600, credit: 200000 },
    });
    const hist = await kiosk.request('history', { sessionId: s.sessionId, limit: 1 });
    expect(hist.entries).toEqual([
      expect.objectContaining({ kind: 'convert', points: -200, credit: 200000 }),
    ]);
    expect(
      await kiosk.request('convert', { sessionId: s.sessionId, points: 100_000, pin: '5678' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'INSUFFICIENT_BALANCE' },
    });
  });

  it('wrong PINs lock the card (CARD_LOCKED), and a locked card is refused on the next tap', async () => {
    const s = await session('04A1B2C3'); // M-1001, PIN 1234, 5 attempts
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await kiosk.request('redeem-reward', {
        sessionId: s.sessionId,
        rewardId: 'wallet-1000',
        pin: '0000',
      });
      codes.push((res.error as { code: string }).code);
    }
    expect(codes.slice(0, 4)).toEqual(['PIN_INVALID', 'PIN_INVALID', 'PIN_INVALID', 'PIN_INVALID']);
    expect(codes[5]).toBe('CARD_LOCKED');
    const right = await kiosk.request('redeem-reward', {
      sessionId: s.sessionId,
      rewardId: 'wallet-1000',
      pin: '1234',
    });
    expect(right).toMatchObject({ ok: false, error: { code: 'CARD_LOCKED' } });
    const next = kiosk.nextSession();
    fx.gateway.readers.simulated('reader-1')?.tap('1B2C3D4E');
    await next;
    const again = kiosk.nextSession();
    fx.gateway.readers.simulated('reader-1')?.tap('04A1B2C3');
    expect(await again).toMatchObject({ state: 'refused', error: { code: 'CARD_LOCKED' } });
  });

  it('answers INVALID_REQUEST naming the field', async () => {
    const s = await session('04C0FFEE112233');
    expect(await kiosk.request('redeem-reward', { sessionId: s.sessionId, pin: '4567' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST', message: expect.stringContaining('rewardId') },
    });
    expect(await kiosk.request('convert', { sessionId: s.sessionId, points: -1, pin: '4567' })).toMatchObject(
      {
        ok: false,
        error: { code: 'INVALID_REQUEST', message: expect.stringContaining('points') },
      },
    );
  });
});
