import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectTill,
  type GatewayFixture,
  startGateway,
  type TillClient,
} from '../../fakes/gateway-fixture.ts';

// A chain store (hq configured) that has never reached head office: offline from the start.
let fx: GatewayFixture;
let till: TillClient;
beforeAll(async () => {
  fx = await startGateway({
    hq: { url: 'http://127.0.0.1:9', deviceId: 'device-1' },
    offline: { maxAge: '1h', spendLimit: { points: 500, credit: 3000 } },
  });
  till = await connectTill(fx.url);
});
afterAll(async () => {
  await till.close();
  await fx.stop();
});

describe('offline spend caps (docs/protocol.md §2 offline redemption)', () => {
  it('caps credit holds per member per day while head office is unreachable', async () => {
    const card = { uid: '04A1B2C3D4E5F6' }; // M-1002: 150 000 credit, PIN 2345
    const over = await till.request('authorize', { card, pin: '2345', credit: 5000 });
    expect(over).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_BALANCE' } });
    expect(String((over.error as { message: string }).message)).toMatch(
      /head office unreachable: at most 3000 credit/,
    );
    expect(await till.request('authorize', { card, pin: '2345', credit: 2000 })).toMatchObject({
      ok: true,
      credit: 2000,
    });
    const second = await till.request('authorize', { card, pin: '2345', credit: 2000 });
    expect(second.error).toMatchObject({
      code: 'INSUFFICIENT_BALANCE',
      message: expect.stringMatching(/at most 1000/),
    });
    expect(await till.request('authorize', { card, pin: '2345', credit: 1000 })).toMatchObject({ ok: true });
  });
});
