import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KioskMemberSession } from '../../../gateway/src/kiosk/wire.ts';
import {
  buildCardToken,
  Mfrc522Emulator,
  openSerialPort,
  Pn532Emulator,
} from '../../../hardware/src/index.ts';
import { type GatewayFixture, startGateway } from '../../fakes/gateway-fixture.ts';
import { createPtyPair, type PtyPair } from '../../hardware/helpers/socat.ts';
import { connectKiosk, type KioskClient } from '../../kiosk/kiosk-client.ts';
import { classicCard, shownSince, TOKEN_KEY, tokenFor, watchStates, watchTaps } from './helpers.ts';

/**
 * A store with two kiosks: kiosk-1 on a PN532 (emulated chip on the far end of a socat pty
 * pair, driven through the real serialport) and kiosk-2 on an MFRC522 (register-level
 * emulator behind the real mfrc522-rpi). Taps go through the gateway's reader service, its
 * token check, the real broker and real mqtt.js kiosk clients; the ledger is real SQLite.
 */
describe('card taps on emulated readers, end to end', () => {
  let pty: PtyPair;
  let pn532: Pn532Emulator;
  const mfrc522 = new Mfrc522Emulator();
  let fx: GatewayFixture;
  let k1: KioskClient;
  let k2: KioskClient;
  let taps: Awaited<ReturnType<typeof watchTaps>>;
  let pnState: Awaited<ReturnType<typeof watchStates>>;
  let rcState: Awaited<ReturnType<typeof watchStates>>;

  beforeAll(async () => {
    pty = await createPtyPair();
    pn532 = new Pn532Emulator(await openSerialPort({ path: pty.b, baudRate: 115_200 }));
    fx = await startGateway(
      {
        kiosks: [
          { id: 'kiosk-1', secret: 'kiosk-secret', reader: 'pn-1' },
          { id: 'kiosk-2', secret: 'kiosk-2-secret', reader: 'rc-1' },
        ],
        readers: [
          { id: 'pn-1', driver: 'pn532', path: pty.a, debounceMs: 250 },
          { id: 'rc-1', driver: 'mfrc522', debounceMs: 200 },
        ],
        cardTokenKey: TOKEN_KEY,
      },
      undefined,
      { hardware: { openSpi: async () => mfrc522 } },
    );
    taps = await watchTaps(fx.gateway);
    k1 = await connectKiosk(fx.url);
    k2 = await connectKiosk(fx.url, 'kiosk-2', 'kiosk-2-secret');
    pnState = await watchStates(k1.client, 'pn-1');
    rcState = await watchStates(k2.client, 'rc-1');
    await pnState.next('ready', 0);
    await rcState.next('ready', 0);
  });

  afterAll(async () => {
    await k1.close();
    await k2.close();
    await taps.stop();
    await fx.stop();
    await pn532.close();
    await pty.dispose();
  });

  /** Takes the card off the PN532 and waits until the reader says so. */
  const liftPn532 = async () => {
    const ready = pnState.next('ready');
    pn532.removeCard();
    await ready;
  };
  const liftMfrc522 = async () => {
    const ready = rcState.next('ready');
    mfrc522.removeCard();
    await ready;
  };

  it('a card with a valid token on the PN532 is published as a tap and opens its member’s kiosk session (indicator busy, then ok)', async () => {
    const from = fx.gateway.indicator.shown.length;
    const tap = taps.next();
    const session = k1.nextSession();
    pn532.placeCard(classicCard('04A1B2C3', tokenFor('04A1B2C3')));
    expect(await tap).toMatchObject({ uid: '04A1B2C3', reader: 'pn-1' });
    const s = (await session) as KioskMemberSession;
    expect(s).toMatchObject({ state: 'member', member: { id: 'M-1001' }, balances: { points: 1200 } });
    expect(shownSince(fx.gateway, from)).toEqual(['busy', 'ok']);

    // Removing the card keeps the session (docs/protocol.md §1 Kiosk: it ends on `end` or the idle
    // timeout, so the customer can browse with the card back in the wallet).
    await liftPn532();
    const history = await k1.request('history', { sessionId: s.sessionId, limit: 5 });
    expect(history).toMatchObject({ ok: true });
    const idle = k1.nextSession();
    await k1.request('end', { sessionId: s.sessionId });
    expect(await idle).toEqual({ state: 'idle', sessionId: s.sessionId });
  });

  it('a token copied from another card is refused: kiosk session refused, indicator error, no tap published', async () => {
    const tapsBefore = taps.taps.length;
    const from = fx.gateway.indicator.shown.length;
    const session = k1.nextSession();
    // Sara's UID with Ani's token: the MAC covers the UID.
    pn532.placeCard(classicCard('0A1B2C3D', tokenFor('04A1B2C3')));
    expect(await session).toMatchObject({ state: 'refused', error: { code: 'CARD_NOT_GENUINE' } });
    expect(shownSince(fx.gateway, from)).toEqual(['busy', 'error']);
    await liftPn532();

    // The next tap published is the next genuine card's: the forged one never was.
    const next = taps.next(tapsBefore);
    const genuine = k1.nextSession();
    pn532.placeCard(classicCard('1B2C3D4E', tokenFor('1B2C3D4E')));
    expect(await next).toMatchObject({ uid: '1B2C3D4E', reader: 'pn-1' });
    expect(await genuine).toMatchObject({ state: 'member', member: { id: 'M-1005' } });
    await liftPn532();
  });

  it('a token signed with another key is refused as well', async () => {
    const session = k1.nextSession();
    const otherKey = new TextEncoder().encode('some-other-store-key-0123456789');
    const token = buildCardToken({ uid: '0A1B2C3D', cardNumber: '0A1B2C3D', issued: '2026-11-23' }, otherKey);
    pn532.placeCard(classicCard('0A1B2C3D', token));
    expect(await session).toMatchObject({ state: 'refused', error: { code: 'CARD_NOT_GENUINE' } });
    await liftPn532();
  });

  it('a blank card (UID only) is accepted while the program does not require tokens', async () => {
    const tap = taps.next();
    const session = k1.nextSession();
    pn532.placeCard(classicCard('3D4E5F60'));
    expect(await tap).toMatchObject({ uid: '3D4E5F60', reader: 'pn-1' });
    expect(await session).toMatchObject({ state: 'member', member: { id: 'M-1007' } });
    await liftPn532();
  });

  it('an unknown card with a valid token is unknown-card, and the indicator shows error', async () => {
    const from = fx.gateway.indicator.shown.length;
    const session = k1.nextSession();
    pn532.placeCard(classicCard('DEADBEEF', tokenFor('DEADBEEF')));
    expect(await session).toMatchObject({ state: 'unknown-card' });
    expect(shownSince(fx.gateway, from)).toEqual(['busy', 'error']);
    await liftPn532();
  });

  it('a 7-byte MIFARE Classic with a valid token on the MFRC522 opens the other kiosk’s session', async () => {
    const tap = taps.next();
    const session = k2.nextSession();
    const before1 = k1.sessions.length;
    mfrc522.placeCard(classicCard('04A1B2C3D4E5F6', tokenFor('04A1B2C3D4E5F6')));
    expect(await tap).toMatchObject({ uid: '04A1B2C3D4E5F6', reader: 'rc-1' });
    expect(await session).toMatchObject({ state: 'member', member: { id: 'M-1002' } });
    await liftMfrc522();
    expect(k1.sessions.length).toBe(before1);
  });

  it('a forged token on the MFRC522 is refused', async () => {
    const session = k2.nextSession();
    mfrc522.placeCard(classicCard('04C0FFEE112233', tokenFor('04A1B2C3D4E5F6')));
    expect(await session).toMatchObject({ state: 'refused', error: { code: 'CARD_NOT_GENUINE' } });
    await liftMfrc522();
  });
});
