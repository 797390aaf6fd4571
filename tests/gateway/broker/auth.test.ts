import { connectAsync, type ErrorWithReasonCode } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientRegistry } from '../../../gateway/src/broker/clients.ts';
import { clientsConfig, type Harness, startHarness } from './helpers.ts';

/** Connects and returns the CONNACK return code (0 when accepted). */
async function connackCode(
  url: string,
  options: { username?: string; password?: string; clientId?: string },
) {
  try {
    const client = await connectAsync(url, {
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      clientId: `${options.username ?? 'anonymous'}-auth`,
      ...options,
    });
    await client.endAsync(true);
    return 0;
  } catch (err) {
    return (err as ErrorWithReasonCode).code;
  }
}

describe('broker authentication (docs/protocol.md §1: every client authenticates)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.cleanup());

  it('refuses anonymous clients with CONNACK 5', async () => {
    expect(await connackCode(h.url, {})).toBe(5);
    expect(await connackCode(h.url, { username: 'till-01' })).toBe(5);
  });

  it('refuses a wrong password and an unknown id with CONNACK 5', async () => {
    expect(await connackCode(h.url, { username: 'till-01', password: 'till-02-secret' })).toBe(5);
    expect(await connackCode(h.url, { username: 'till-99', password: 'till-01-secret' })).toBe(5);
  });

  it('accepts the right password, again after a success (cached) and not a wrong one after it', async () => {
    expect(await connackCode(h.url, { username: 'till-01', password: 'till-01-secret' })).toBe(0);
    expect(await connackCode(h.url, { username: 'till-01', password: 'till-01-secret' })).toBe(0);
    expect(await connackCode(h.url, { username: 'till-01', password: 'till-01-secretX' })).toBe(5);
  });

  it("refuses a client id that is another client's id (no session takeover)", async () => {
    const code = await connackCode(h.url, {
      username: 'till-01',
      password: 'till-01-secret',
      clientId: 'kiosk-1',
    });
    // 2 "identifier rejected": the credentials were right, the client id is not its own.
    expect(code).toBe(2);
    expect(
      await connackCode(h.url, { username: 'till-01', password: 'till-01-secret', clientId: 'till-01' }),
    ).toBe(0);
  });

  it('counts connections and failures by reason', () => {
    const m = h.broker.metrics();
    expect(m.authFailures.byReason).toEqual({ anonymous: 2, 'bad-credentials': 3, 'client-id': 1 });
    expect(m.connections).toBe(3);
  });
});

describe('client registry', () => {
  it('verifies secrets and rejects ids that are not one plain topic level', async () => {
    const registry = createClientRegistry(clientsConfig);
    expect(await registry.verify('kiosk-1', 'kiosk-1-secret')).toEqual({
      id: 'kiosk-1',
      role: 'kiosk',
      reader: 'reader-1',
    });
    expect(await registry.verify('kiosk-1', Buffer.from('nope'))).toBeNull();
    expect(() => createClientRegistry({ tills: [{ id: 'till/1', secret: 's' }] })).toThrow(/topic level/);
    expect(() => createClientRegistry({ tills: [{ id: 'till-+', secret: 's' }] })).toThrow(/topic level/);
    expect(() =>
      createClientRegistry({ tills: [{ id: 'x', secret: 's' }], integrations: [{ id: 'x', secret: 't' }] }),
    ).toThrow(/duplicate/);
  });
});
