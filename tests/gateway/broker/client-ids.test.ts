/**
 * Client ids are bound to the identity that logs in (docs/till-guide.md "Connecting"):
 * its own id or `{id}-…`. Nobody else can kick a client off or resume its persistent
 * session. Real broker, real mqtt.js clients; one raw socket for what mqtt.js will not send.
 */
import { connect, connectAsync, type ErrorWithReasonCode, type IClientOptions } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientRegistry } from '../../../gateway/src/broker/clients.ts';
import { collect, type Harness, nextMessage, roundTrip, secretOf, startHarness } from './helpers.ts';
import { connectPacket, rawClient } from './raw-mqtt.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('client ids bound to identities', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.cleanup());

  /** The CONNACK return code for `username` connecting with these options (0: accepted). */
  const connack = async (username: string, options: IClientOptions): Promise<number> => {
    try {
      const client = await connectAsync(h.url, {
        username,
        password: secretOf(username),
        reconnectPeriod: 0,
        ...options,
      });
      await client.endAsync(true);
      return 0;
    } catch (err) {
      return (err as ErrorWithReasonCode).code ?? -1;
    }
  };

  it('accepts the id itself, `{id}-…` and an empty id with a clean session', async () => {
    expect(await connack('till-01', { clientId: 'till-01' })).toBe(0);
    expect(await connack('till-01', { clientId: 'till-01-pos-2' })).toBe(0);
    expect(await connack('kiosk-1', { clientId: 'kiosk-1-page-x' })).toBe(0);
    expect(await connack('till-01', { clientId: '', clean: true })).toBe(0);
  });

  it('refuses an id that names another client with CONNACK 2, "identifier rejected"', async () => {
    for (const clientId of ['till-02', 'till-02-x', 'node-red', 'kiosk-1']) {
      expect({ clientId, code: await connack('till-01', { clientId }) }).toEqual({ clientId, code: 2 });
    }
  });

  it("accepts an id that names nobody (a library's own), bound to the identity that uses it", async () => {
    for (const clientId of ['mqttjs_1a2b3c', 'mosq-8hXc2', 'till-01x', 'till']) {
      expect({ clientId, code: await connack('till-01', { clientId }) }).toEqual({ clientId, code: 0 });
    }
    // Two tills with the same made-up id: two sessions, neither kicks the other off.
    const a = await h.connect('till-01', { clientId: 'shared-id' });
    const b = await h.connect('till-02', { clientId: 'shared-id' });
    await a.subscribeAsync('loyalty/v1/till/till-01/res/#', { qos: 1 });
    await b.subscribeAsync('loyalty/v1/till/till-02/res/#', { qos: 1 });
    await roundTrip(a, 'till', 'till-01');
    await roundTrip(b, 'till', 'till-02');
    expect([a.connected, b.connected]).toEqual([true, true]);
    await Promise.all([a.endAsync(), b.endAsync()]);
  });

  it('refuses an empty id with a persistent session (MQTT-3.1.3-8)', async () => {
    const raw = rawClient(
      h.broker.ports.mqtt!,
      connectPacket({ clientId: '', username: 'till-01', password: 'till-01-secret', clean: false }),
    );
    expect(await raw.connack).toBe(2);
    raw.socket.destroy();
  });

  it("cannot kick another till's connection off", async () => {
    const holder = await h.connect('till-02', { clientId: 'till-02-pos' });
    await holder.subscribeAsync('loyalty/v1/till/till-02/res/#', { qos: 1 });
    let closed = false;
    holder.on('close', () => {
      closed = true;
    });
    expect(await connack('till-01', { clientId: 'till-02-pos' })).toBe(2);
    await roundTrip(holder, 'till', 'till-02');
    expect(closed).toBe(false);
    expect(holder.connected).toBe(true);
  });

  it("never hands a till's persistent session, and its queued responses, to another till", async () => {
    const options = { clientId: 'till-02-persistent', clean: false };
    const first = await h.connect('till-02', options);
    await first.subscribeAsync('loyalty/v1/till/till-02/res/#', { qos: 1 });
    await first.endAsync();
    // A response published while till-02 is away: its session queues it (QoS 1).
    await h.broker.publish('loyalty/v1/till/till-02/res/identify', { requestId: 'away', ok: true });

    // till-01 asks for that session with the right till-01 credentials: refused, nothing delivered.
    let thief: Awaited<ReturnType<typeof connectAsync>> | null = null;
    const code = await connectAsync(h.url, {
      username: 'till-01',
      password: secretOf('till-01'),
      reconnectPeriod: 0,
      ...options,
    }).then(
      (client) => {
        thief = client;
        return 0;
      },
      (err: ErrorWithReasonCode) => err.code ?? -1,
    );
    expect(code).toBe(2);
    expect(thief).toBeNull();

    // The owner resumes it and gets the response it missed.
    // Listening before the CONNACK: the queued response follows it at once.
    const back = connect(h.url, {
      username: 'till-02',
      password: secretOf('till-02'),
      reconnectPeriod: 0,
      ...options,
    });
    const seen = collect(back);
    const queued = nextMessage(back, 'loyalty/v1/till/till-02/res/identify');
    expect(await queued).toMatchObject({ requestId: 'away' });
    await sleep(50);
    expect(seen.filter((m) => m.payload.includes('"away"'))).toHaveLength(1);
    await back.endAsync(true);
  });
});

describe('a made-up client id with a persistent session', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.cleanup());

  it("is the identity's own: another till using the same id gets a session of its own, not the queued responses", async () => {
    const options = { clientId: 'pos-terminal', clean: false, reconnectPeriod: 0 };
    const owner = await h.connect('till-02', options);
    await owner.subscribeAsync('loyalty/v1/till/till-02/res/#', { qos: 1 });
    await owner.endAsync();
    await h.broker.publish('loyalty/v1/till/till-02/res/identify', { requestId: 'away', ok: true });

    const other = connect(h.url, { username: 'till-01', password: secretOf('till-01'), ...options });
    const otherSeen = collect(other);
    await new Promise((resolve) => other.once('connect', resolve));
    await sleep(100);
    expect(otherSeen.filter((m) => m.payload.includes('"away"'))).toHaveLength(0);
    await other.endAsync(true);

    const back = connect(h.url, { username: 'till-02', password: secretOf('till-02'), ...options });
    const queued = nextMessage(back, 'loyalty/v1/till/till-02/res/identify');
    expect(await queued).toMatchObject({ requestId: 'away' });
    await back.endAsync(true);
  });
});

describe('clients.ts ownerOfClientId', () => {
  it('takes the longest registered id the client id starts with, followed by "-"', () => {
    const registry = createClientRegistry({
      tills: [
        { id: 'till-01', secret: 's1' },
        { id: 'till-01-x', secret: 's2' },
      ],
    });
    expect(registry.ownerOfClientId('till-01')?.id).toBe('till-01');
    expect(registry.ownerOfClientId('till-01-pos')?.id).toBe('till-01');
    expect(registry.ownerOfClientId('till-01-x')?.id).toBe('till-01-x');
    expect(registry.ownerOfClientId('till-01-x-1')?.id).toBe('till-01-x');
    expect(registry.ownerOfClientId('till-01x')).toBeUndefined();
    expect(registry.ownerOfClientId('till')).toBeUndefined();
    expect(registry.ownerOfClientId('-till-01')).toBeUndefined();
    expect(registry.ownerOfClientId('')).toBeUndefined();
  });
});
