import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatedCard, Mfrc522Emulator } from '../../../hardware/src/index.ts';
import { type GatewayFixture, startGateway } from '../../fakes/gateway-fixture.ts';
import { connectKiosk, type KioskClient } from '../../kiosk/kiosk-client.ts';
import { classicCard, shownSince, TOKEN_KEY, tokenFor, watchStates, watchTaps } from './helpers.ts';

/** A program with `cards: {requireToken: true}`: UID-only cards are refused at our readers. */
describe('a program that requires card tokens', () => {
  const mfrc522 = new Mfrc522Emulator();
  let fx: GatewayFixture;
  let k1: KioskClient;
  let k2: KioskClient;
  let taps: Awaited<ReturnType<typeof watchTaps>>;
  let rcState: Awaited<ReturnType<typeof watchStates>>;

  beforeAll(async () => {
    fx = await startGateway(
      {
        kiosks: [
          { id: 'kiosk-1', secret: 'kiosk-secret', reader: 'rc-1' },
          { id: 'kiosk-2', secret: 'kiosk-2-secret', reader: 'reader-1' },
        ],
        readers: [
          { id: 'rc-1', driver: 'mfrc522', debounceMs: 200 },
          { id: 'reader-1', driver: 'simulated', debounceMs: 20 },
        ],
        cardTokenKey: TOKEN_KEY,
      },
      undefined,
      {
        hardware: { openSpi: async () => mfrc522 },
        program: (p) => ({ ...p, cards: { requireToken: true } }),
      },
    );
    taps = await watchTaps(fx.gateway);
    k1 = await connectKiosk(fx.url);
    k2 = await connectKiosk(fx.url, 'kiosk-2', 'kiosk-2-secret');
    rcState = await watchStates(k1.client, 'rc-1');
    await rcState.next('ready', 0);
  });

  afterAll(async () => {
    await k1.close();
    await k2.close();
    await taps.stop();
    await fx.stop();
  });

  const lift = async () => {
    const ready = rcState.next('ready');
    mfrc522.removeCard();
    await ready;
  };

  it('refuses a blank card (no token) with an error on the indicator, and publishes no tap', async () => {
    const tapsBefore = taps.taps.length;
    const from = fx.gateway.indicator.shown.length;
    const session = k1.nextSession();
    mfrc522.placeCard(classicCard('04A1B2C3'));
    expect(await session).toMatchObject({
      state: 'refused',
      error: { code: 'CARD_NOT_GENUINE', message: expect.stringMatching(/only cards with a token/) },
    });
    expect(shownSince(fx.gateway, from)).toEqual(['busy', 'error']);
    await lift();

    // The same member's card with its token is accepted; it is the next tap published.
    const next = taps.next(tapsBefore);
    const accepted = k1.nextSession();
    mfrc522.placeCard(classicCard('04A1B2C3', tokenFor('04A1B2C3')));
    expect(await next).toMatchObject({ uid: '04A1B2C3', reader: 'rc-1' });
    expect(await accepted).toMatchObject({ state: 'member', member: { id: 'M-1001' } });
    await lift();
  });

  it('refuses an NTAG (no MIFARE blocks to hold a token)', async () => {
    const session = k1.nextSession();
    mfrc522.placeCard(new EmulatedCard({ uid: '04A1B2C3D4E5F6' })); // SAK 0x00
    expect(await session).toMatchObject({ state: 'refused' });
    await lift();
  });

  it('refuses taps of a simulated reader: it reads UIDs only', async () => {
    const session = k2.nextSession();
    fx.gateway.readers.simulated('reader-1')?.tap('04A1B2C3');
    expect(await session).toMatchObject({ state: 'refused', error: { code: 'CARD_NOT_GENUINE' } });
  });
});
