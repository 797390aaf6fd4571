import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatedCard } from '../../../../hardware/src/nfc/emulated-card.ts';
import { Pn532Emulator } from '../../../../hardware/src/nfc/pn532/emulator.ts';
import { Pn532Reader } from '../../../../hardware/src/nfc/pn532/pn532-reader.ts';
import { openSerialPort } from '../../../../hardware/src/transport/serial.ts';
import { nextEvent, record } from '../../helpers/events.ts';
import { createPtyPair, type PtyPair } from '../../helpers/socat.ts';

const KEY = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

describe('Pn532Reader against the PN532 emulator over socat ptys', () => {
  let pty: PtyPair;
  let chip: Pn532Emulator;
  let reader: Pn532Reader;

  async function attachChip(): Promise<Pn532Emulator> {
    return new Pn532Emulator(await openSerialPort({ path: pty.b, baudRate: 115_200 }));
  }

  beforeEach(async () => {
    pty = await createPtyPair();
    chip = await attachChip();
    reader = new Pn532Reader({
      id: 'pn',
      path: pty.a,
      pollIntervalMs: 20,
      ackTimeoutMs: 200,
      responseTimeoutMs: 300,
      removalMs: 200,
      backoff: { initialMs: 30, maxMs: 200, factor: 2 },
    });
    const online = nextEvent(reader, 'online');
    await reader.start();
    await online;
  });

  afterEach(async () => {
    await reader.stop();
    await chip.close();
    await pty.dispose();
  });

  it('wakes the chip, configures SAM and max retries, then polls', async () => {
    const tap = nextEvent(reader, 'tap');
    chip.placeCard(new EmulatedCard({ uid: '04A1B2C3' }));
    await tap;
    // A retried command may repeat under load; the order is what matters.
    const order = [0x14, 0x02, 0x32, 0x4a].map((code) => chip.commands.indexOf(code));
    expect(order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1]!))).toBe(true);
  });

  it('reads a 4-byte MIFARE Classic UID as one tap, then removed', async () => {
    const tap = nextEvent(reader, 'tap');
    chip.placeCard(new EmulatedCard({ uid: '04A1B2C3' }));
    expect(await tap).toMatchObject({ uid: '04A1B2C3', cardType: 'mifare-classic-1k' });
    const removed = nextEvent(reader, 'removed');
    chip.removeCard();
    expect((await removed).uid).toBe('04A1B2C3');
  });

  it('reads a 7-byte NTAG UID whole', async () => {
    const tap = nextEvent(reader, 'tap');
    chip.placeCard(new EmulatedCard({ uid: '04112233445566' }));
    expect(await tap).toMatchObject({ uid: '04112233445566', cardType: 'mifare-ultralight' });
  });

  it('reads a 10-byte UID whole', async () => {
    const tap = nextEvent(reader, 'tap');
    chip.placeCard(new EmulatedCard({ uid: '04112233445566778899', sak: 0x20 }));
    expect(await tap).toMatchObject({ uid: '04112233445566778899', cardType: 'iso14443-4' });
  });

  it('a card held across many polls is one tap', async () => {
    const taps = record(reader, 'tap');
    chip.placeCard(new EmulatedCard({ uid: 'DEADBEEF' }));
    await nextEvent(reader, 'tap');
    const before = chip.commands.length;
    // wait for at least 10 more polls with the card still there
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('polls stalled')), 3_000);
      const check = setInterval(() => {
        if (chip.commands.length - before >= 10) {
          clearInterval(check);
          clearTimeout(t);
          resolve();
        }
      }, 10);
    });
    expect(taps).toHaveLength(1);
  });

  it('survives garbage, split frames and bad checksums', async () => {
    chip.noiseBeforeResponse = Uint8Array.of(0x55, 0xff, 0x00, 0x13, 0xff);
    chip.splitResponses = true;
    chip.corruptNext = 'dcs';
    const tap = nextEvent(reader, 'tap');
    chip.placeCard(new EmulatedCard({ uid: '0A0B0C0D' }));
    expect((await tap).uid).toBe('0A0B0C0D');
    chip.corruptNext = 'lcs';
    const taps = record(reader, 'tap');
    chip.removeCard();
    await nextEvent(reader, 'removed');
    chip.placeCard(new EmulatedCard({ uid: '04112233445566' }));
    await nextEvent(reader, 'tap');
    expect(taps.map((t) => t.uid)).toEqual(['04112233445566']);
    expect(reader.online).toBe(true);
  });

  it('goes offline when the chip stops answering and back online when it answers again', async () => {
    const offline = nextEvent(reader, 'offline');
    chip.silent = true;
    expect((await offline).reason).toMatch(/not answering/);
    const online = nextEvent(reader, 'online', 5_000);
    chip.silent = false;
    await online;
    const tap = nextEvent(reader, 'tap');
    chip.placeCard(new EmulatedCard({ uid: '11223344' }));
    expect((await tap).uid).toBe('11223344');
  });

  it('goes offline on unplug and back online after replug', async () => {
    const offline = nextEvent(reader, 'offline');
    await chip.close();
    await pty.kill();
    await offline;
    const online = nextEvent(reader, 'online', 5_000);
    await pty.restart();
    chip = await attachChip();
    await online;
  });

  it('reads and writes MIFARE blocks with InDataExchange', async () => {
    const card = new EmulatedCard({ uid: '04A1B2C3' });
    chip.placeCard(card);
    await nextEvent(reader, 'tap');
    const data = Uint8Array.from({ length: 48 }, (_, i) => i);
    await reader.writeBlocks('04A1B2C3', [4, 5, 6], data, KEY);
    expect([...(await reader.readBlocks('04A1B2C3', [4, 5, 6], KEY))]).toEqual([...data]);
    await expect(reader.readBlocks('04A1B2C3', [8], Uint8Array.of(1, 2, 3, 4, 5, 6))).rejects.toThrow(
      /key A refused/,
    );
    await expect(reader.readBlocks('99999999', [4], KEY)).rejects.toThrow(/not on the reader/);
  });
});
