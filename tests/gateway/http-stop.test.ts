import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../fakes/gateway-fixture.ts';

describe('stopping the gateway', () => {
  it('does not wait for a page connected over MQTT-over-WebSocket (the kiosk)', async () => {
    const fx = await startGateway();
    const page = await mqtt.connectAsync(`ws://127.0.0.1:${fx.gateway.ports.http}/mqtt`, {
      username: 'kiosk-1',
      password: 'kiosk-secret',
      clientId: 'kiosk-1-page',
      reconnectPeriod: 0,
    });
    expect(page.connected).toBe(true);
    const stopped = await Promise.race([
      fx.stop().then(() => 'stopped'),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 10_000)),
    ]);
    expect(stopped).toBe('stopped');
    page.end(true);
  });
});
