import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectTill,
  type GatewayFixture,
  saleBody,
  startGateway,
  TILL_SECRET,
} from '../../fakes/gateway-fixture.ts';

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGateway({
    integrations: [{ id: 'node-red', secret: 'nr-secret', allowTillRequests: false }],
  });
});
afterAll(async () => {
  await fx.stop();
});

const nextMessage = (client: mqtt.MqttClient, filter: (topic: string) => boolean, ms = 5000) =>
  new Promise<{ topic: string; body: Record<string, unknown> }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message')), ms);
    const onMessage = (topic: string, payload: Buffer) => {
      if (!filter(topic)) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> });
    };
    client.on('message', onMessage);
  });

describe('the till link (docs/protocol.md §1)', () => {
  it('answers a payload that is not JSON on res/error and keeps serving', async () => {
    const client = await mqtt.connectAsync(fx.url, {
      username: 'till-01',
      password: TILL_SECRET,
      clientId: 'till-01-link',
      reconnectPeriod: 0,
    });
    await client.subscribeAsync('loyalty/v1/till/till-01/res/#', { qos: 1 });
    const answer = nextMessage(client, (t) => t.endsWith('/res/error'));
    await client.publishAsync('loyalty/v1/till/till-01/req/sale', 'not json {', { qos: 1 });
    expect((await answer).body).toMatchObject({
      requestId: null,
      ok: false,
      error: { code: 'INVALID_REQUEST' },
    });
    const unknownOp = nextMessage(client, (t) => t.endsWith('/res/refund'));
    await client.publishAsync('loyalty/v1/till/till-01/req/refund', JSON.stringify({ requestId: 'x' }), {
      qos: 1,
    });
    expect((await unknownOp).body).toMatchObject({
      requestId: 'x',
      ok: false,
      error: { code: 'INVALID_REQUEST' },
    });
    await client.endAsync();
    const till = await connectTill(fx.url);
    expect(await till.request('identify', { card: { uid: '04A1B2C3' } })).toMatchObject({ ok: true });
    await till.close();
  });

  it("keeps a till out of another till's topics: its publish never reaches the engine", async () => {
    const before = fx.gateway.ledger.lastSeq();
    const intruder = await mqtt.connectAsync(fx.url, {
      username: 'till-02',
      password: TILL_SECRET,
      clientId: 'till-02',
      reconnectPeriod: 0,
    });
    await expect(intruder.subscribeAsync('loyalty/v1/till/till-01/res/#', { qos: 1 })).rejects.toThrow(
      /Subscribe error/,
    );
    await intruder.publishAsync(
      'loyalty/v1/till/till-01/req/sale',
      JSON.stringify({
        requestId: 'evil',
        ...saleBody('04A1B2C3', [{ sku: 'X', qty: 1, unitPrice: 100000 }]),
      }),
      { qos: 1 },
    );
    await intruder.endAsync();
    const till = await connectTill(fx.url); // a round trip after the refused publish: it was dropped, not queued
    await till.request('identify', { card: { uid: '04A1B2C3' } });
    await till.close();
    expect(fx.gateway.ledger.lastSeq()).toBe(before);
    expect(fx.gateway.broker.metrics().refusedPublishes.total).toBeGreaterThan(0);
  });

  it('refuses anonymous and wrong-password clients', async () => {
    await expect(mqtt.connectAsync(fx.url, { reconnectPeriod: 0 })).rejects.toThrow(
      /Not authorized|not authorized/i,
    );
    await expect(
      mqtt.connectAsync(fx.url, { username: 'till-01', password: 'wrong', reconnectPeriod: 0 }),
    ).rejects.toThrow(/Not authorized|not authorized/i);
  });

  it('tells integrations what was posted, by member id only', async () => {
    const nr = await mqtt.connectAsync(fx.url, {
      username: 'node-red',
      password: 'nr-secret',
      clientId: 'node-red',
      reconnectPeriod: 0,
    });
    await nr.subscribeAsync('loyalty/v1/events/#', { qos: 1 });
    const event = nextMessage(nr, (t) => t === 'loyalty/v1/events/ledger.posted');
    const till = await connectTill(fx.url);
    const sale = saleBody('1B2C3D4E', [{ sku: 'X', qty: 1, unitPrice: 30000 }], {
      at: '2026-11-23T12:00:00+04:00',
    });
    await till.request('sale', sale);
    const { body } = await event;
    expect(body).toMatchObject({
      type: 'ledger.posted',
      memberId: 'M-1005',
      data: { type: 'sale', saleId: sale.saleId },
    });
    expect(JSON.stringify(body)).not.toMatch(/Emma|Walker|emma@/);
    await till.close();
    await nr.endAsync();
  });

  it('commits a burst from four tills in groups: every sale answered once, balances equal the entries', async () => {
    const tills = await Promise.all(
      ['till-01', 'till-02', 'till-03', 'till-04'].map((id) => connectTill(fx.url, id)),
    );
    const points = () => fx.gateway.ledger.balance({ member: 'M-1004' }, 'points');
    const before = points();
    // The member's first sale (with its first-purchase bonus) goes alone; then each 100.00 AMD sale earns 1 point.
    await tills[0]!.request(
      'sale',
      saleBody('04C0FFEE112233', [{ sku: 'X', qty: 1, unitPrice: 10000 }], {
        at: '2026-11-23T12:00:00+04:00',
      }),
    );
    const afterFirst = points();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        tills[i % 4]!.request(
          'sale',
          saleBody('04C0FFEE112233', [{ sku: 'X', qty: 1, unitPrice: 10000 }], {
            at: '2026-11-23T12:00:00+04:00',
          }),
        ),
      ),
    );
    expect(responses.every((r) => r.ok === true)).toBe(true);
    expect(responses.every((r) => (r.earned as { points: number }).points === 1)).toBe(true);
    expect(points()).toBe(afterFirst + 200);
    expect(afterFirst).toBeGreaterThan(before);
    expect(fx.gateway.ledger.verify()).toEqual([]);
    await Promise.all(tills.map((t) => t.close()));
  });
});
