/**
 * `mqtt.limits` in the store's config (docs/configuration.md): checked with the path of a
 * bad value, and handed to the gateway's broker (a half-sent packet, from a raw socket).
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../gateway/src/config/load.ts';
import { ValidationError } from '../../../gateway/src/core/errors.ts';
import { startGateway, TILL_SECRET, testConfigValue } from '../../fakes/gateway-fixture.ts';
import { connectPacket, publishPacket, rawClient } from './raw-mqtt.ts';

const problemsOf = (value: unknown): string[] => {
  try {
    validateConfig(value, '/tmp', null);
  } catch (error) {
    if (error instanceof ValidationError) return error.problems.map((p) => p.path);
    throw error;
  }
  return [];
};

describe('mqtt.limits', () => {
  it('names each out-of-range limit by its path, and an unknown one', () => {
    const limits = {
      maxQueuedBytes: 10,
      maxInFlight: 1,
      maxKeepaliveSeconds: 0,
      packetTimeoutSeconds: 9999,
      x: 1,
    };
    expect(problemsOf(testConfigValue('/tmp', { mqtt: { port: 0, limits } })).sort()).toEqual([
      'mqtt.limits.maxInFlight',
      'mqtt.limits.maxKeepaliveSeconds',
      'mqtt.limits.maxQueuedBytes',
      'mqtt.limits.packetTimeoutSeconds',
      'mqtt.limits.x',
    ]);
    expect(problemsOf(testConfigValue('/tmp', { mqtt: { port: 0, limits: { maxInFlight: 50 } } }))).toEqual(
      [],
    );
  });

  it("reach the gateway's broker", async () => {
    const fx = await startGateway({
      mqtt: { port: 0, host: '127.0.0.1', limits: { packetTimeoutSeconds: 1 } },
    });
    try {
      const c = rawClient(
        fx.gateway.ports.mqtt!,
        connectPacket({ clientId: 'till-01-raw', username: 'till-01', password: TILL_SECRET, keepalive: 0 }),
      );
      expect(await c.connack).toBe(0);
      c.socket.write(publishPacket(2, 'loyalty/v1/till/till-01/req/identify', '{}').subarray(0, 5));
      await Promise.race([c.closed, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      expect(c.isClosed()).toBe(true);
      expect(fx.gateway.broker.metrics().stalledPackets).toBe(1);
    } finally {
      await fx.stop();
    }
  });
});
