import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../gateway/src/core/logger.ts';
import { Sessions } from '../../gateway/src/kiosk/sessions.ts';
import type { KioskMemberSession } from '../../gateway/src/kiosk/wire.ts';
import { type GatewayFixture, startGateway } from '../fakes/gateway-fixture.ts';
import { connectKiosk, type KioskClient } from './kiosk-client.ts';

const twoKiosks = {
  kiosks: [
    { id: 'kiosk-1', secret: 'kiosk-secret', reader: 'reader-1' },
    { id: 'kiosk-2', secret: 'kiosk-2-secret', reader: 'reader-2' },
  ],
  readers: [
    { id: 'reader-1', driver: 'simulated', debounceMs: 20 },
    { id: 'reader-2', driver: 'simulated', debounceMs: 20 },
  ],
};

describe('kiosk sessions (docs/protocol.md §1 Kiosk)', () => {
  let fx: GatewayFixture;
  let k1: KioskClient;
  let k2: KioskClient;
  const tap = (reader: string, uid: string) => fx.gateway.readers.simulated(reader)?.tap(uid);

  beforeAll(async () => {
    fx = await startGateway(twoKiosks);
    k1 = await connectKiosk(fx.url);
    k2 = await connectKiosk(fx.url, 'kiosk-2', 'kiosk-2-secret');
  });
  afterAll(async () => {
    await k1.close();
    await k2.close();
    await fx.stop();
  });

  it('publishes a member session to the kiosk bound to the reader only', async () => {
    const before2 = k2.sessions.length;
    const next = k1.nextSession();
    tap('reader-1', '04A1B2C3');
    const s = (await next) as KioskMemberSession;
    expect(s.state).toBe('member');
    expect(s.member).toMatchObject({ id: 'M-1001', language: 'hy' });
    expect(s.balances.points).toBe(1200);
    expect(s.nextTier).toMatchObject({ id: 'silver' });
    expect(s.tierProgress.current.id).toBe('bronze');
    expect(s.rewards.map((r) => r.id)).toContain('coffee');
    const coffee = s.rewards.find((r) => r.id === 'coffee');
    expect(coffee).toMatchObject({ affordable: true, tierAllowed: false, available: false, stockLeft: 100 });
    expect(coffee?.names.fa).toBe('قهوه رایگان');
    expect(s.rewards[0]?.available).toBe(true);
    expect(s.expiringSoon).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    expect(k2.sessions.length).toBe(before2);
  });

  it('an unknown card gets unknown-card, a blocked one refused', async () => {
    let next = k2.nextSession();
    tap('reader-2', 'DEADBEEF01');
    expect(await next).toMatchObject({ state: 'unknown-card' });
    fx.gateway.ledger.setCardStatus('3D4E5F60', 'blocked');
    next = k2.nextSession();
    tap('reader-2', '3D4E5F60');
    expect(await next).toMatchObject({ state: 'refused', error: { code: 'CARD_BLOCKED' } });
  });

  it('a suspended card may show its balance but not spend (docs/program.md Cards)', async () => {
    fx.gateway.ledger.setCardStatus('2C3D4E5F', 'suspended');
    const next = k2.nextSession();
    tap('reader-2', '2C3D4E5F');
    const s = (await next) as KioskMemberSession;
    expect(s).toMatchObject({ state: 'member', card: { status: 'suspended' }, balances: { points: 2600 } });
    const res = await k2.request('convert', { sessionId: s.sessionId, points: 100, pin: '6789' });
    expect(res).toMatchObject({ ok: false, error: { code: 'CARD_SUSPENDED' } });
  });

  it('a kiosk cannot read another kiosk’s sessions', async () => {
    // The broker's ACL answers SUBACK 0x80, which mqtt.js turns into a rejection.
    await expect(k1.client.subscribeAsync('loyalty/v1/kiosk/kiosk-2/session', { qos: 1 })).rejects.toThrow();
    const before = k1.sessions.length;
    const next = k2.nextSession();
    tap('reader-2', '1B2C3D4E');
    await next;
    await new Promise((r) => setTimeout(r, 100));
    expect(k1.sessions.slice(before).some((s) => 'member' in s && s.member.id === 'M-1005')).toBe(false);
  });

  it('end closes the session with idle; later requests get SESSION_EXPIRED', async () => {
    let next = k1.nextSession();
    tap('reader-1', '1B2C3D4E');
    const s = (await next) as KioskMemberSession;
    next = k1.nextSession();
    expect(await k1.request('end', { sessionId: s.sessionId })).toMatchObject({ ok: true });
    expect(await next).toMatchObject({ state: 'idle' });
    expect(await k1.request('history', { sessionId: s.sessionId, limit: 5 })).toMatchObject({
      ok: false,
      error: { code: 'SESSION_EXPIRED' },
    });
  });

  it('a new tap replaces the session: the old card’s session id is expired', async () => {
    let next = k1.nextSession();
    tap('reader-1', '04A1B2C3');
    const first = (await next) as KioskMemberSession;
    next = k1.nextSession();
    tap('reader-1', '1B2C3D4E');
    const second = (await next) as KioskMemberSession;
    expect(second.member.id).toBe('M-1005');
    const res = await k1.request('redeem-reward', {
      sessionId: first.sessionId,
      rewardId: 'wallet-1000',
      pin: '1234',
    });
    expect(res).toMatchObject({ ok: false, error: { code: 'SESSION_EXPIRED' } });
    const hist = await k1.request('history', { sessionId: second.sessionId, limit: 5 });
    expect(hist).toMatchObject({ ok: true });
    expect(hist.entries).toEqual([
      { at: '2026-01-01T00:00:00+04:00', kind: 'opening', points: 800, credit: 0 },
    ]);
  });

  it('the gateway ends a session nobody ends (idle timeout)', async () => {
    const published: Array<{ topic: string; payload: object }> = [];
    const sessions = new Sessions({
      kiosks: [{ id: 'kiosk-9', reader: 'reader-9' }],
      ops: fx.gateway.ops,
      publish: async (topic, payload) => {
        published.push({ topic, payload });
      },
      logger: silentLogger,
      timeoutMs: 50,
    });
    sessions.onTap({ uid: '04A1B2C3', reader: 'reader-9', at: new Date().toISOString() });
    sessions.onTap({ uid: '04A1B2C3', reader: 'reader-1', at: new Date().toISOString() });
    expect(published).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 120));
    expect(published.map((p) => p.topic)).toEqual([
      'loyalty/v1/kiosk/kiosk-9/session',
      'loyalty/v1/kiosk/kiosk-9/session',
    ]);
    expect(published[1]?.payload).toMatchObject({ state: 'idle' });
    sessions.stop();
  });
});
