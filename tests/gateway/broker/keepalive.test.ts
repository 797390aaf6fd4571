/**
 * A logged-in client cannot keep its socket forever (docs/configuration.md
 * `mqtt.limits.maxKeepaliveSeconds`, `packetTimeoutSeconds`): raw sockets that ask
 * keepalive 0 and go silent, or send half a packet, against a real broker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerLimits } from '../../../gateway/src/broker/broker.ts';
import { type Harness, startHarness } from './helpers.ts';
import { connectPacket, publishPacket, type RawClient, rawClient, subscribePacket } from './raw-mqtt.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves true when the broker closed the socket within `ms` (the test's patience, not an assertion of speed). */
const closedWithin = (c: RawClient, ms: number): Promise<boolean> =>
  Promise.race([c.closed.then(() => true), sleep(ms).then(() => false)]);

describe('keepalive imposed and half-sent packets timed out', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.cleanup();
    h = undefined;
  });

  const connected = async (limits: BrokerLimits, keepalive: number): Promise<RawClient> => {
    h = await startHarness({ limits });
    const c = rawClient(
      h.broker.ports.mqtt!,
      connectPacket({ clientId: 'till-01-raw', username: 'till-01', password: 'till-01-secret', keepalive }),
    );
    expect(await c.connack).toBe(0);
    return c;
  };

  it('disconnects a client that asked keepalive 0 once it is silent 1.5 × the maximum', async () => {
    const c = await connected({ maxKeepaliveSeconds: 1 }, 0);
    expect(await closedWithin(c, 10_000)).toBe(true);
  });

  it('disconnects a client asking more than the maximum on the maximum', async () => {
    const c = await connected({ maxKeepaliveSeconds: 1 }, 3600);
    expect(await closedWithin(c, 10_000)).toBe(true);
  });

  it('closes a connection whose packet stays half-sent (keepalive 0, so nothing else would)', async () => {
    const c = await connected({ packetTimeoutSeconds: 1 }, 0);
    const publish = publishPacket(2, 'loyalty/v1/till/till-01/req/identify', '{"requestId":"half"}');
    c.socket.write(publish.subarray(0, 6));
    expect(await closedWithin(c, 10_000)).toBe(true);
    expect(h!.broker.metrics().stalledPackets).toBe(1);
  });

  it('takes a packet split over two writes, and a slow client that completes its packets', async () => {
    const c = await connected({ packetTimeoutSeconds: 5 }, 30);
    let answers = '';
    c.socket.on('data', (chunk: Buffer) => {
      answers += chunk.toString('latin1');
    });
    c.socket.write(subscribePacket(1, 'loyalty/v1/till/till-01/res/#'));
    for (let i = 0; i < 3; i++) {
      const publish = publishPacket(
        i + 2,
        'loyalty/v1/till/till-01/req/identify',
        `{"requestId":"split-${i}"}`,
      );
      c.socket.write(publish.subarray(0, 7));
      await sleep(100);
      c.socket.write(publish.subarray(7));
    }
    for (let i = 0; i < 100 && !answers.includes('split-2'); i++) await sleep(50);
    expect(answers).toContain('"requestId":"split-0"');
    expect(answers).toContain('"requestId":"split-2"');
    expect(c.isClosed()).toBe(false);
    expect(h!.broker.metrics().stalledPackets).toBe(0);
    c.socket.destroy();
  });
});
