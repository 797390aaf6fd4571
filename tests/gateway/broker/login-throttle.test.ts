/**
 * Failed MQTT logins are rate limited per address and per username, with backoff
 * (gateway/src/broker/login-throttle.ts). The broker's clock is driven by the test; the
 * clients are real: mqtt.js, and raw sockets from other loopback addresses.
 */
import { createServer } from 'node:http';
import { connectAsync, type ErrorWithReasonCode } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createLoginThrottle } from '../../../gateway/src/broker/login-throttle.ts';
import { type Harness, secretOf, startHarness } from './helpers.ts';
import { connectPacket, rawClient } from './raw-mqtt.ts';

describe('failed MQTT logins, rate limited', () => {
  let h: Harness | undefined;
  let now = 1_000_000;
  afterEach(async () => {
    await h?.cleanup();
    h = undefined;
  });
  const start = async (): Promise<Harness> => {
    h = await startHarness({ nowMs: () => now });
    return h;
  };

  /** CONNACK code for an mqtt.js login from 127.0.0.1 (0: accepted). */
  const login = async (username: string, password: string): Promise<number> => {
    try {
      const client = await connectAsync(h!.url, {
        username,
        password,
        clientId: `${username}-login`,
        reconnectPeriod: 0,
      });
      await client.endAsync(true);
      return 0;
    } catch (err) {
      return (err as ErrorWithReasonCode).code ?? -1;
    }
  };

  /** CONNACK code for a raw login from another loopback address. */
  const loginFrom = async (address: string, username: string, password: string): Promise<number> => {
    const raw = rawClient(
      h!.broker.ports.mqtt!,
      connectPacket({ clientId: `${username}-raw`, username, password, keepalive: 30 }),
      address,
    );
    const code = await raw.connack;
    raw.socket.destroy();
    return code;
  };

  it('lets five wrong passwords through, then makes the address wait, doubling the wait', async () => {
    await start();
    for (let i = 0; i < 5; i++) expect(await login('till-01', `guess-${i}`)).toBe(5);
    // Even the right password is not looked at while the address waits: CONNACK 3.
    expect(await login('till-01', secretOf('till-01'))).toBe(3);
    expect(await login('till-02', 'guess')).toBe(3);
    now += 500;
    expect(await login('till-01', secretOf('till-01'))).toBe(3);
    now += 600; // 1.1 s after the fifth failure
    expect(await login('till-01', 'guess-5')).toBe(5); // the sixth: now 2 s
    now += 1_900;
    expect(await login('till-01', secretOf('till-01'))).toBe(3);
    now += 200;
    expect(await login('till-01', secretOf('till-01'))).toBe(0);
    expect(h!.broker.metrics().authFailures.byReason).toMatchObject({
      'bad-credentials': 6,
      'rate-limited': 4,
    });
  });

  it('a flood of guesses gets at most one real try per wait, up to a minute', async () => {
    await start();
    let checked = 0;
    // 2 000 attempts over ten simulated minutes, one every 300 ms.
    for (let i = 0; i < 2_000; i++) {
      const code = await loginFrom('127.0.0.2', 'till-01', `guess-${i}`);
      if (code === 5) checked++;
      else expect(code).toBe(3);
      now += 300;
    }
    // 5 free, then waits of 1, 2, 4, 8, 16, 32 s, then one a minute: about 5 + 6 + 8.
    expect(checked).toBeGreaterThanOrEqual(15);
    expect(checked).toBeLessThanOrEqual(22);
    console.log(`login throttle: ${checked} of 2000 guesses in 10 minutes reached the password check`);
  });

  it('limits one username guessed from many addresses, but not its own known address', async () => {
    await start();
    expect(await login('till-01', secretOf('till-01'))).toBe(0); // till-01 is known at 127.0.0.1
    for (let i = 2; i <= 6; i++) expect(await loginFrom(`127.0.0.${i}`, 'till-01', 'guess')).toBe(5);
    // A fresh address guessing till-01 now waits (the username is held back)...
    expect(await loginFrom('127.0.0.7', 'till-01', secretOf('till-01'))).toBe(3);
    // ...while the real till-01, from where it logged in before, still gets in.
    expect(await login('till-01', secretOf('till-01'))).toBe(0);
    // Other usernames from a fresh address are not held back by till-01's wait.
    expect(await loginFrom('127.0.0.8', 'till-02', secretOf('till-02'))).toBe(0);
  });

  it('counts MQTT over WebSocket by the address of its HTTP connection', async () => {
    await start();
    const http = createServer((_req, res) => res.end());
    h!.broker.attach(http);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const address = http.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      for (let i = 0; i < 5; i++) {
        const code = await connectAsync(`ws://127.0.0.1:${port}/mqtt`, {
          username: 'kiosk-1',
          password: `guess-${i}`,
          clientId: 'kiosk-1-page',
          reconnectPeriod: 0,
        }).then(
          async (c) => {
            await c.endAsync(true);
            return 0;
          },
          (err: ErrorWithReasonCode) => err.code ?? -1,
        );
        expect(code).toBe(5);
      }
      // The same address over TCP now waits.
      expect(await login('till-01', secretOf('till-01'))).toBe(3);
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('anonymous clients stay refused with CONNACK 5 (docs/protocol.md §1)', async () => {
    await start();
    for (let i = 0; i < 8; i++) {
      const raw = rawClient(
        h!.broker.ports.mqtt!,
        connectPacket({ clientId: 'x', keepalive: 30 }),
        '127.0.0.9',
      );
      expect(await raw.connack).toBe(5);
      raw.socket.destroy();
    }
    // ...and count against the address they came from.
    expect(await loginFrom('127.0.0.9', 'till-01', secretOf('till-01'))).toBe(3);
  });
});

describe('login-throttle.ts', () => {
  it('forgets failures a quiet while after the last one, and a known pair loses its pass after failing', () => {
    const t = createLoginThrottle({ freeFailures: 2, baseDelayMs: 1_000, forgetAfterMs: 60_000 });
    t.failed('10.0.0.1', 'till-01', 0);
    t.failed('10.0.0.1', 'till-01', 0);
    expect(t.check('10.0.0.1', 'till-01', 10)).toMatchObject({ allowed: false, by: 'address' });
    expect(t.check('10.0.0.1', 'till-01', 60_001)).toEqual({ allowed: true });

    t.succeeded('10.0.0.2', 'till-02', 0);
    t.failed('10.0.0.2', 'till-02', 1);
    expect(t.check('10.0.0.2', 'till-02', 2)).toEqual({ allowed: true }); // known pair
    t.failed('10.0.0.2', 'till-02', 3);
    expect(t.check('10.0.0.2', 'till-02', 4)).toMatchObject({ allowed: false });
  });

  it('remembers at most maxTracked keys', () => {
    const t = createLoginThrottle({ freeFailures: 1, maxTracked: 100 });
    for (let i = 0; i < 1_000; i++) t.failed(`10.0.${i >> 8}.${i & 255}`, undefined, 0);
    // The oldest were forgotten, the newest are still held back.
    expect(t.check('10.0.0.0', undefined, 1)).toEqual({ allowed: true });
    expect(t.check('10.0.3.231', undefined, 1)).toMatchObject({ allowed: false });
  });
});
