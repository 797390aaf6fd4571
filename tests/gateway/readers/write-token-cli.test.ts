import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../gateway/src/cli/main.ts';
import {
  EmulatedCard,
  openSerialPort,
  Pn532Emulator,
  TOKEN_BLOCKS,
  verifyCardToken,
} from '../../../hardware/src/index.ts';
import { type GatewayFixture, startGateway, testConfigValue } from '../../fakes/gateway-fixture.ts';
import { createPtyPair, type PtyPair } from '../../hardware/helpers/socat.ts';
import { connectKiosk, type KioskClient } from '../../kiosk/kiosk-client.ts';
import { capture } from '../../provisioning/helpers.ts';
import { classicCard, TOKEN_KEY, watchStates } from './helpers.ts';

const tokenOn = (card: EmulatedCard): Uint8Array =>
  Uint8Array.from(TOKEN_BLOCKS.flatMap((b) => [...card.read(b)!]));

/**
 * `loyalty-edge cards write-token READER UID --config FILE` against a running gateway whose
 * PN532 is the emulator on a socat pty pair: the gateway holds the reader, the command asks it
 * over loopback HTTP. The program requires tokens, so the card is refused before and accepted after.
 */
describe('loyalty-edge cards write-token', () => {
  let pty: PtyPair;
  let pn532: Pn532Emulator;
  let fx: GatewayFixture;
  let kiosk: KioskClient;
  let state: Awaited<ReturnType<typeof watchStates>>;
  let configFile: string;
  const overrides = {
    kiosks: [{ id: 'kiosk-1', secret: 'kiosk-secret', reader: 'pn-1' }],
    readers: [
      { id: 'pn-1', driver: 'pn532', path: '', debounceMs: 250 },
      { id: 'reader-1', driver: 'simulated' },
    ],
    cardTokenKey: TOKEN_KEY,
  };
  const cli = async (...args: string[]) => {
    const io = capture();
    const code = await main(['cards', 'write-token', ...args, '--config', configFile], io);
    return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
  };

  beforeAll(async () => {
    pty = await createPtyPair();
    overrides.readers[0]!.path = pty.a;
    pn532 = new Pn532Emulator(await openSerialPort({ path: pty.b, baudRate: 115_200 }));
    fx = await startGateway(overrides, undefined, {
      program: (p) => ({ ...p, cards: { requireToken: true } }),
    });
    // The technician's config file: the same store, with the port the gateway listens on.
    configFile = join(fx.dir.path, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify(
        testConfigValue(fx.dir.path, {
          ...overrides,
          http: { port: fx.gateway.ports.http, host: '127.0.0.1' },
        }),
      ),
    );
    kiosk = await connectKiosk(fx.url);
    state = await watchStates(kiosk.client, 'pn-1');
    await state.next('ready', 0);
  });

  afterAll(async () => {
    await kiosk.close();
    await fx.stop();
    await pn532.close();
    await pty.dispose();
  });

  it('says so when no card is on the reader', async () => {
    const r = await cli('pn-1', '04A1B2C3');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no card on reader "pn-1"/);
  });

  it('refuses a card before its token, writes the token, and accepts the card after', async () => {
    const card = classicCard('04A1B2C3');
    const refused = kiosk.nextSession();
    pn532.placeCard(card);
    expect(await refused).toMatchObject({ state: 'refused' });

    const wrong = await cli('pn-1', '0A1B2C3D');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/the card on reader "pn-1" is 04A1B2C3, not 0A1B2C3D/);
    expect(tokenOn(card).every((b) => b === 0)).toBe(true);

    const r = await cli('pn-1', '04:a1:b2:c3', '--number', '2600001001');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/token written to 04A1B2C3 on pn-1 \(card number 2600001001/);
    expect(verifyCardToken('04A1B2C3', tokenOn(card), new TextEncoder().encode(TOKEN_KEY))).toMatchObject({
      ok: true,
      cardNumber: '2600001001',
    });

    const ready = state.next('ready');
    pn532.removeCard();
    await ready;
    const accepted = kiosk.nextSession();
    pn532.placeCard(card);
    expect(await accepted).toMatchObject({ state: 'member', member: { id: 'M-1001' } });
    const gone = state.next('ready');
    pn532.removeCard();
    await gone;
  });

  it('refuses an NTAG: tokens go on MIFARE Classic blocks', async () => {
    const present = kiosk.nextSession();
    pn532.placeCard(new EmulatedCard({ uid: '04A1B2C3D4E5F6' })); // SAK 0x00: NTAG21x
    await present;
    const r = await cli('pn-1', '04A1B2C3D4E5F6');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/mifare-ultralight: tokens go on MIFARE Classic/);
    const gone = state.next('ready');
    pn532.removeCard();
    await gone;
  });

  it('refuses a reader that cannot write card memory, and an unknown reader', async () => {
    const simulated = await cli('reader-1', '04A1B2C3');
    expect(simulated.code).toBe(1);
    expect(simulated.err).toMatch(/reader "reader-1" cannot write card memory/);
    const unknown = await cli('nope', '04A1B2C3');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/no reader "nope"/);
  });

  it('says the gateway must be running when nothing answers', async () => {
    const stopped = join(fx.dir.path, 'stopped.json');
    // Port 1 on loopback: nothing listens there.
    writeFileSync(stopped, JSON.stringify(testConfigValue(fx.dir.path, { ...overrides, http: { port: 1 } })));
    const io = capture();
    const code = await main(['cards', 'write-token', 'pn-1', '04A1B2C3', '--config', stopped], io);
    expect(code).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/no gateway answers .* it must be running/);
  });
});
