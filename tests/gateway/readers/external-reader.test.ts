/**
 * An external reader (config `driver: external`): the gateway drives nothing, an integration
 * publishes the reader's taps (docs/protocol.md §1 Readers), and the kiosk bound to it opens a
 * session like for our own readers. An integration cannot tap for a reader the gateway drives.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, startGateway } from '../../fakes/gateway-fixture.ts';
import { connectKiosk, type KioskClient } from '../../kiosk/kiosk-client.ts';

describe('an external reader', () => {
  let fx: GatewayFixture;
  let atTill: KioskClient;
  let atDoor: KioskClient;
  let integration: MqttClient;

  beforeAll(async () => {
    fx = await startGateway({
      readers: [
        { id: 'reader-1', driver: 'simulated' },
        { id: 'till-reader', driver: 'external' },
      ],
      kiosks: [
        { id: 'kiosk-1', secret: 'kiosk-secret', reader: 'till-reader' },
        { id: 'kiosk-2', secret: 'kiosk-2-secret', reader: 'reader-1' },
      ],
    });
    atTill = await connectKiosk(fx.url);
    atDoor = await connectKiosk(fx.url, 'kiosk-2', 'kiosk-2-secret');
    integration = await mqtt.connectAsync(fx.url, {
      username: 'node-red',
      password: 'nr-secret',
      clientId: 'node-red',
      reconnectPeriod: 0,
    });
  });
  afterAll(async () => {
    await integration?.endAsync();
    await atTill?.close();
    await atDoor?.close();
    await fx?.stop();
  });

  const tap = (reader: string, uid: string) =>
    integration.publishAsync(
      `loyalty/v1/reader/${reader}/tap`,
      JSON.stringify({ uid, at: new Date().toISOString(), reader }),
      { qos: 1 },
    );

  it('opens the session of the kiosk bound to it with the member of the card', async () => {
    const session = atTill.nextSession();
    await tap('till-reader', '04A1B2C3');
    expect(await session).toMatchObject({ state: 'member', member: { id: 'M-1001' } });
    expect(fx.gateway.readers.simulated('till-reader')).toBeUndefined();
  });

  it("ignores an integration's tap for a reader the gateway drives itself", async () => {
    let spoofed = false;
    atDoor
      .nextSession()
      .then(() => {
        spoofed = true;
      })
      .catch(() => {});
    await tap('reader-1', '1B2C3D4E');
    // A later tap that does open a session: the spoofed one, handled before it, opened none.
    const session = atTill.nextSession();
    await tap('till-reader', '1B2C3D4E');
    expect(await session).toMatchObject({ state: 'member', member: { id: 'M-1005' } });
    // A round trip on kiosk-2's own connection: a session published before it arrives first.
    await atDoor.request('end', { sessionId: 'none' });
    expect(spoofed).toBe(false);
  });
});
