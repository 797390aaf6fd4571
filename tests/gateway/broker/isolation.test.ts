/**
 * One till that stops reading its socket must not freeze the others (docs/troubleshooting.md
 * "MQTT broker: refused and disconnected clients"): a real gateway, a raw-socket till that subscribes to its
 * responses, pauses its reads and floods requests, and real mqtt.js tills beside it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTill, type GatewayFixture, startGateway, TILL_SECRET } from '../../fakes/gateway-fixture.ts';
import { roundTrip, startHarness } from './helpers.ts';
import { connectPacket, publishPacket, rawClient, subscribePacket } from './raw-mqtt.ts';

const FLOOD = 20_000;

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

describe('broker isolation: a client that stops reading', () => {
  let fx: GatewayFixture;
  beforeAll(async () => {
    fx = await startGateway();
  });
  afterAll(() => fx.stop());

  it('is disconnected while the other tills keep being answered', async () => {
    const port = fx.gateway.ports.mqtt!;
    const flooder = rawClient(
      port,
      connectPacket({ clientId: 'till-01-flood', username: 'till-01', password: TILL_SECRET, keepalive: 60 }),
    );
    expect(await flooder.connack).toBe(0);
    flooder.socket.write(subscribePacket(1, 'loyalty/v1/till/till-01/res/#'));
    // From here on the flooder reads nothing: its answers pile up in the broker's socket.
    flooder.socket.pause();

    const honest = await Promise.all(['till-02', 'till-03'].map((id) => connectTill(fx.url, id)));
    // The same requests before the flood, for the log's comparison.
    const baseline: number[] = [];
    for (let i = 0; i < 100; i++) {
      for (const till of honest) {
        const started = performance.now();
        await till.request('identify', { card: { uid: '04A1B2C3' } });
        baseline.push(performance.now() - started);
      }
    }
    const rssBefore = process.memoryUsage().rss;
    const latencies: number[] = [];
    let flooding = true;
    const ask = async (till: (typeof honest)[number]): Promise<number> => {
      let answered = 0;
      while (flooding) {
        const started = performance.now();
        const res = await till.request('identify', { card: { uid: '04A1B2C3' } });
        latencies.push(performance.now() - started);
        expect(res.ok).toBe(true);
        answered++;
      }
      return answered;
    };
    const asking = honest.map(ask);

    const request = JSON.stringify({ card: { uid: '04A1B2C3' } }).slice(1);
    for (let i = 0; i < FLOOD && !flooder.isClosed(); i++) {
      const ok = flooder.socket.write(
        publishPacket(
          (i % 65_000) + 2,
          'loyalty/v1/till/till-01/req/identify',
          `{"requestId":"f-${i}",${request}`,
        ),
      );
      if (!ok) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    // Reading again, the flooder finds its connection closed by the broker (had the broker
    // kept it, it would now read its answers and stay connected).
    flooder.socket.resume();
    await Promise.race([flooder.closed, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    // The others go on being answered after the flooder is gone.
    await new Promise((resolve) => setTimeout(resolve, 300));
    flooding = false;
    const answered = await Promise.all(asking);
    const sorted = [...latencies].sort((a, b) => a - b);
    const before = [...baseline].sort((a, b) => a - b);
    const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
    console.log(
      `isolation: before the flood p50 ${percentile(before, 50).toFixed(1)} ms, p99 ${percentile(before, 99).toFixed(1)} ms; ` +
        `during it the other tills answered ${answered.join('+')} requests, ` +
        `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, ` +
        `max ${sorted.at(-1)?.toFixed(1)} ms; RSS ${mb(rssBefore)} -> ${mb(process.memoryUsage().rss)}; ` +
        `slow clients ${JSON.stringify(fx.gateway.broker.metrics().slowClients)}`,
    );
    expect(flooder.isClosed()).toBe(true);
    for (const n of answered) expect(n).toBeGreaterThan(0);
    expect(fx.gateway.broker.metrics().slowClients.total).toBeGreaterThanOrEqual(1);
    await Promise.all(honest.map((t) => t.close()));
  }, 60_000);
});

describe('broker isolation: the in-flight cap (mqtt.limits.maxInFlight)', () => {
  it('disconnects a client holding that many unacknowledged answers, never one that acknowledges', async () => {
    const h = await startHarness({ limits: { maxInFlight: 16 } });
    try {
      const port = h.broker.ports.mqtt!;
      const stuck = rawClient(
        port,
        connectPacket({
          clientId: 'till-01-stuck',
          username: 'till-01',
          password: 'till-01-secret',
          keepalive: 60,
        }),
      );
      expect(await stuck.connack).toBe(0);
      stuck.socket.write(subscribePacket(1, 'loyalty/v1/till/till-01/res/#'));
      // Reads its socket but never sends PUBACK: the answers stay in flight.
      for (let i = 0; i < 40; i++)
        stuck.socket.write(
          publishPacket(i + 2, 'loyalty/v1/till/till-01/req/identify', `{"requestId":"s-${i}"}`),
        );
      await Promise.race([stuck.closed, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      expect(stuck.isClosed()).toBe(true);
      expect(h.broker.metrics().slowClients.byReason['in-flight']).toBe(1);

      // mqtt.js acknowledges every answer: 200 requests, twelve times the cap, in bursts of 8.
      const honest = await h.connect('till-02', { clientId: 'till-02-honest' });
      await honest.subscribeAsync('loyalty/v1/till/till-02/res/#', { qos: 1 });
      for (let burst = 0; burst < 25; burst++) {
        await Promise.all(Array.from({ length: 8 }, () => roundTrip(honest, 'till', 'till-02')));
      }
      expect(honest.connected).toBe(true);
      expect(h.broker.metrics().slowClients.total).toBe(1);
    } finally {
      await h.cleanup();
    }
  });
});
