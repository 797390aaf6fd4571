import { type GpioLine, type GpioLineFactory, onoffLineFactory } from './gpio/line.ts';
import { gpioResetLine } from './gpio/reset-line.ts';
import { findHeaderChip, sysfsNumber } from './gpio/sysfs-chip.ts';
import { LineReader } from './nfc/line/line-reader.ts';
import { Mfrc522Reader } from './nfc/mfrc522/mfrc522-reader.ts';
import { Pn532Reader } from './nfc/pn532/pn532-reader.ts';
import { SimulatedReader } from './nfc/simulated/simulated-reader.ts';
import type { SupervisedReader } from './nfc/supervised-reader.ts';
import type { SerialOpener } from './transport/serial.ts';
import type { SpiDevice } from './transport/spi.ts';
import type { Logger, ResetLine } from './types.ts';
import type { BackoffOptions } from './util/backoff.ts';
import type { Clock } from './util/clock.ts';

/** A reader entry of the gateway config (docs/protocol.md 3); `debounceMs` is the removal window. */
export type ReaderConfig =
  | { id: string; driver: 'simulated'; debounceMs?: number }
  | { id: string; driver: 'pn532'; path: string; baudRate?: number; debounceMs?: number }
  | { id: string; driver: 'serial-line'; path: string; baudRate?: number; debounceMs?: number }
  | {
      id: string;
      driver: 'mfrc522';
      spi?: { bus: number; device: number };
      /** BCM number of the line wired to the MFRC522 RST (physical pin 22 is BCM 25). */
      resetPin?: number;
      debounceMs?: number;
    };

/** Seams, all optional: the defaults are the real serialport, spi-device and onoff. */
export interface ReaderDependencies {
  logger?: Logger;
  clock?: Clock;
  backoff?: BackoffOptions;
  openSerial?: SerialOpener;
  openSpi?: () => Promise<SpiDevice>;
  gpioSysfsRoot?: string;
  gpioLineFactory?: GpioLineFactory;
}

/** Builds the reader a config entry describes; nothing is opened until `start()`. */
export function createReader(config: ReaderConfig, deps: ReaderDependencies = {}): SupervisedReader {
  const base = {
    id: config.id,
    logger: deps.logger,
    clock: deps.clock,
    backoff: deps.backoff,
    removalMs: config.debounceMs,
  };
  switch (config.driver) {
    case 'simulated':
      return new SimulatedReader(base);
    case 'pn532':
      return new Pn532Reader({
        ...base,
        path: config.path,
        baudRate: config.baudRate,
        open: deps.openSerial,
      });
    case 'serial-line':
      return new LineReader({ ...base, path: config.path, baudRate: config.baudRate, open: deps.openSerial });
    case 'mfrc522':
      return new Mfrc522Reader({
        ...base,
        spi: config.spi,
        openSpi: deps.openSpi,
        reset: config.resetPin === undefined ? undefined : lazyResetLine(config.resetPin, deps),
      });
  }
}

/** Opens the GPIO line on the first pulse (after the reader started) and keeps it driven high. */
function lazyResetLine(bcm: number, deps: ReaderDependencies): ResetLine {
  let line: GpioLine | undefined;
  return {
    async pulse() {
      if (!line) {
        const chip = await findHeaderChip(deps.gpioSysfsRoot);
        line = await (deps.gpioLineFactory ?? onoffLineFactory)(sysfsNumber(chip, bcm));
      }
      await gpioResetLine(line, deps.clock).pulse();
    },
  };
}
