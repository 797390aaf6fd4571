import 'mfrc522-rpi';
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createReader } from '../../hardware/src/create-reader.ts';
import { emulatedLineFactory } from '../../hardware/src/gpio/line.ts';
import { EmulatedCard } from '../../hardware/src/nfc/emulated-card.ts';
import { LineReader } from '../../hardware/src/nfc/line/line-reader.ts';
import { Mfrc522Emulator } from '../../hardware/src/nfc/mfrc522/emulator.ts';
import { Pn532Reader } from '../../hardware/src/nfc/pn532/pn532-reader.ts';
import { SimulatedReader } from '../../hardware/src/nfc/simulated/simulated-reader.ts';
import { record } from './helpers/events.ts';
import { FIXTURES, makeSysfsTree } from './helpers/sysfs.ts';

describe('createReader', () => {
  let root: string;
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    root = makeSysfsTree(FIXTURES['Pi 4, bookworm/trixie']);
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(root, { recursive: true, force: true });
  });

  it('maps each driver to its reader', () => {
    expect(createReader({ id: 's', driver: 'simulated' })).toBeInstanceOf(SimulatedReader);
    expect(createReader({ id: 'p', driver: 'pn532', path: '/dev/ttyS0' })).toBeInstanceOf(Pn532Reader);
    expect(createReader({ id: 'l', driver: 'serial-line', path: '/dev/ttyUSB0' })).toBeInstanceOf(LineReader);
  });

  it('mfrc522: pulses the reset line at base + BCM, then reads cards', async () => {
    const chip = new Mfrc522Emulator();
    const { factory, lines } = emulatedLineFactory();
    const reader = createReader(
      { id: 'rc', driver: 'mfrc522', resetPin: 25, debounceMs: 300 },
      { openSpi: async () => chip, gpioSysfsRoot: root, gpioLineFactory: factory },
    );
    const taps = record(reader, 'tap');
    await reader.start();
    // Finding the GPIO chip reads (real) fixture files: wait for it, advancing fake time.
    await vi.waitFor(() => expect(reader.online).toBe(true), { timeout: 2_000, interval: 20 });
    expect(lines.get(537)?.writes.map((w) => w.value)).toEqual([0, 1]);
    chip.placeCard(new EmulatedCard({ uid: '04A1B2C3' }));
    await vi.advanceTimersByTimeAsync(100);
    expect(taps.map((t) => t.uid)).toEqual(['04A1B2C3']);
    await reader.stop();
  });

  it('mfrc522: retries while SPI cannot be opened, with offline then online', async () => {
    const chip = new Mfrc522Emulator();
    let failures = 2;
    const reader = createReader(
      { id: 'rc', driver: 'mfrc522' },
      {
        backoff: { initialMs: 100, maxMs: 1_000, factor: 2 },
        openSpi: async () => {
          if (failures-- > 0) throw new Error('ENOENT: /dev/spidev0.0');
          return chip;
        },
      },
    );
    const offline = record(reader, 'offline');
    const errors = record(reader, 'error');
    await reader.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(offline).toMatchObject([{ reason: 'ENOENT: /dev/spidev0.0' }]);
    expect(errors).toHaveLength(1); // the same failure again is not reported twice
    await vi.advanceTimersByTimeAsync(300);
    expect(reader.online).toBe(true);
    await reader.stop();
  });
});
