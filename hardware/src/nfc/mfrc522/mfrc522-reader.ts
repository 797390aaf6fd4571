import { openHardwareSpi, type SpiDevice } from '../../transport/spi.ts';
import { type BlockAccess, cardTypeFromSak, HardwareError, type ResetLine } from '../../types.ts';
import { delay } from '../../util/clock.ts';
import { errorMessage, toHex } from '../../util/logger.ts';
import {
  type ReaderConnection,
  SupervisedReader,
  type SupervisedReaderOptions,
} from '../supervised-reader.ts';
import { halt, type Mfrc522Lib, readBlock, selectCard, writeBlock } from './iso14443.ts';
import { KNOWN_VERSIONS, Reg } from './registers.ts';

export interface Mfrc522ReaderOptions extends SupervisedReaderOptions {
  /** SPI seam: returns the (synchronous) SPI object handed to `mfrc522-rpi`. */
  openSpi?: () => Promise<SpiDevice>;
  spi?: { bus?: number; device?: number; speedHz?: number };
  /** Hardware reset before init; ours (GPIO via onoff), not the library's rpio: no Pi 5 support. */
  /** Hardware reset before init: ours (GPIO via onoff), not the library's rpio (no Pi 5 support). */
  reset?: ResetLine;
  /** Default 50 ms: the library's examples poll every 500 ms, too slow at a till. */
  pollIntervalMs?: number;
  /** How often, with no card present, VersionReg is re-read to notice a dead reader. */
  healthCheckMs?: number;
}

/** MFRC522 over SPI, driving the real `mfrc522-rpi` library plus our cascade levels 2 and 3. */
export class Mfrc522Reader extends SupervisedReader implements BlockAccess {
  readonly #options: Mfrc522ReaderOptions;
  #lib: Mfrc522Lib | undefined;

  constructor(options: Mfrc522ReaderOptions) {
    super(options, 250);
    this.#options = options;
  }

  protected override async connect(signal: AbortSignal): Promise<ReaderConnection> {
    const spi = await (this.#options.openSpi ?? (() => openHardwareSpi(this.#options.spi)))();
    // Lazy: loading mfrc522-rpi loads rpio, which only the MFRC522 driver should pay for.
    const { default: MFRC522 } = await import('mfrc522-rpi');
    const lib = new MFRC522(spi); // calls spi.open(); no setBuzzerPin: no beep on every read
    await this.#options.reset?.pulse();
    lib.reset();
    const version = lib.readRegister(Reg.Version);
    const chip = KNOWN_VERSIONS.get(version);
    if (!chip) {
      spi.close?.();
      throw new HardwareError('NOT_FOUND', `no MFRC522 on SPI (VersionReg 0x${version.toString(16)})`);
    }
    this.logger.info('MFRC522 found', { reader: this.id, chip });
    this.#lib = lib;
    const lost = this.#pollLoop(lib, signal);
    return {
      lost,
      close: async () => {
        if (this.#lib === lib) this.#lib = undefined;
        spi.close?.();
      },
    };
  }

  async #pollLoop(lib: Mfrc522Lib, signal: AbortSignal): Promise<Error> {
    const interval = this.#options.pollIntervalMs ?? 50;
    const healthEvery = this.#options.healthCheckMs ?? 1_000;
    let lastHealth = this.clock.now();
    while (!signal.aborted && this.#lib === lib) {
      try {
        const card = selectCard(lib);
        if (card) halt(lib); // so the next WUPA finds it again: a held card is seen on every poll
        this.reportPoll(card ? [{ uid: toHex(card.uid), cardType: cardTypeFromSak(card.sak) }] : []);
        if (!card && this.clock.now() - lastHealth >= healthEvery) {
          lastHealth = this.clock.now();
          const version = lib.readRegister(Reg.Version);
          if (!KNOWN_VERSIONS.has(version)) {
            return new Error(`MFRC522 stopped answering (0x${version.toString(16)})`);
          }
        }
      } catch (error) {
        return new Error(`SPI failed: ${errorMessage(error)}`); // e.g. EIO from spidev
      }
      try {
        await delay(this.clock, interval, signal);
      } catch {
        break;
      }
    }
    return new Error('poll loop ended');
  }

  async readBlocks(uid: string, blocks: readonly number[], keyA: Uint8Array): Promise<Uint8Array> {
    const out = new Uint8Array(blocks.length * 16);
    this.#withCard(uid, keyA, blocks, (lib, block, i) => {
      const data = readBlock(lib, block);
      if (!data) throw new HardwareError('IO', `read of block ${block} failed`);
      out.set(data, i * 16);
    });
    return out;
  }

  async writeBlocks(
    uid: string,
    blocks: readonly number[],
    data: Uint8Array,
    keyA: Uint8Array,
  ): Promise<void> {
    if (data.length !== blocks.length * 16) throw new RangeError('data must be 16 bytes per block');
    this.#withCard(uid, keyA, blocks, (lib, block, i) => {
      if (!writeBlock(lib, block, data.subarray(i * 16, i * 16 + 16))) {
        throw new HardwareError('IO', `write of block ${block} failed`);
      }
    });
  }

  /** Synchronous like the library, so no poll can interleave between auth and read. */
  #withCard(
    uid: string,
    keyA: Uint8Array,
    blocks: readonly number[],
    each: (lib: Mfrc522Lib, block: number, index: number) => void,
  ): void {
    const lib = this.#lib;
    if (!lib) throw new HardwareError('NOT_CONNECTED', `reader ${this.id} is offline`);
    const card = selectCard(lib);
    if (!card || toHex(card.uid) !== uid)
      throw new HardwareError('NO_CARD', 'that card is not on the reader');
    const uid4 = card.uid.slice(-4); // Crypto1 uses the last 4 UID bytes
    let sector: number | undefined;
    try {
      for (const [i, block] of blocks.entries()) {
        const s = block < 128 ? Math.floor(block / 4) : 32 + Math.floor((block - 128) / 16);
        if (s !== sector) {
          if (!lib.authenticate(block, [...keyA], uid4)) {
            throw new HardwareError('AUTH_FAILED', `key A refused for block ${block}`);
          }
          sector = s;
        }
        each(lib, block, i);
      }
    } finally {
      lib.stopCrypto();
      halt(lib);
    }
  }
}
