import 'mfrc522-rpi'; // preload: the reader imports it lazily, fake timers do not wait for disk I/O
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EmulatedCard } from '../../../../hardware/src/nfc/emulated-card.ts';
import { Mfrc522Emulator } from '../../../../hardware/src/nfc/mfrc522/emulator.ts';
import { Mfrc522Reader } from '../../../../hardware/src/nfc/mfrc522/mfrc522-reader.ts';
import { record } from '../../helpers/events.ts';

const KEY = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

describe('Mfrc522Reader (real library, emulated chip, fake time)', () => {
  let chip: Mfrc522Emulator;
  let reader: Mfrc522Reader;

  beforeEach(async () => {
    vi.useFakeTimers();
    chip = new Mfrc522Emulator();
    reader = new Mfrc522Reader({
      id: 'rc',
      openSpi: async () => chip,
      backoff: { initialMs: 100, maxMs: 1_000, factor: 2 },
    });
    await reader.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(reader.online).toBe(true);
  });

  afterEach(async () => {
    await reader.stop();
    vi.useRealTimers();
  });

  it('a card held for 10 s is one tap; removal then re-presenting is a new tap', async () => {
    const taps = record(reader, 'tap');
    const removed = record(reader, 'removed');
    chip.placeCard(new EmulatedCard({ uid: '04112233445566' }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(taps).toMatchObject([{ uid: '04112233445566', cardType: 'mifare-ultralight' }]);
    chip.removeCard();
    await vi.advanceTimersByTimeAsync(500);
    expect(removed).toHaveLength(1);
    chip.placeCard(new EmulatedCard({ uid: '04112233445566' }));
    await vi.advanceTimersByTimeAsync(100);
    expect(taps).toHaveLength(2);
  });

  it('two different cards in quick succession are two taps', async () => {
    const taps = record(reader, 'tap');
    chip.placeCard(new EmulatedCard({ uid: '04A1B2C3' }));
    await vi.advanceTimersByTimeAsync(60);
    chip.placeCard(new EmulatedCard({ uid: '04112233445566778899', sak: 0x20 }));
    await vi.advanceTimersByTimeAsync(60);
    expect(taps.map((t) => [t.uid, t.cardType])).toEqual([
      ['04A1B2C3', 'mifare-classic-1k'],
      ['04112233445566778899', 'iso14443-4'],
    ]);
  });

  it('reads and writes token blocks, and refuses a card that is not there', async () => {
    chip.placeCard(new EmulatedCard({ uid: '04A1B2C3' }));
    await vi.advanceTimersByTimeAsync(60);
    const data = Uint8Array.from({ length: 48 }, (_, i) => 255 - i);
    await reader.writeBlocks('04A1B2C3', [4, 5, 6], data, KEY);
    expect([...(await reader.readBlocks('04A1B2C3', [4, 5, 6], KEY))]).toEqual([...data]);
    await expect(reader.readBlocks('04A1B2C3', [4], Uint8Array.of(0, 0, 0, 0, 0, 0))).rejects.toThrow(
      /key A/,
    );
    await expect(reader.readBlocks('DEADBEEF', [4], KEY)).rejects.toThrow(/not on the reader/);
  });

  it('goes offline when the chip stops answering, and back online when it does', async () => {
    const offline = record(reader, 'offline');
    const online = record(reader, 'online');
    chip.connected = false;
    await vi.advanceTimersByTimeAsync(1_100);
    expect(offline).toHaveLength(1);
    expect(offline[0]?.reason).toMatch(/stopped answering/);
    await vi.advanceTimersByTimeAsync(3_000); // retries fail: VersionReg reads 0x00
    expect(reader.online).toBe(false);
    chip.connected = true;
    await vi.advanceTimersByTimeAsync(1_100);
    expect(online).toHaveLength(1);
    expect(reader.online).toBe(true);
  });

  it('an SPI error is a lost connection, not a crash', async () => {
    const offline = record(reader, 'offline');
    const transfer = chip.transfer.bind(chip);
    chip.transfer = () => {
      throw new Error('EIO');
    };
    await vi.advanceTimersByTimeAsync(100);
    expect(offline).toMatchObject([{ reason: 'SPI failed: EIO' }]);
    chip.transfer = transfer;
    await vi.advanceTimersByTimeAsync(500);
    expect(reader.online).toBe(true);
  });
});
