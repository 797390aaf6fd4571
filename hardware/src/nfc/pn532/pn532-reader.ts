import { openSerialPort, type SerialLink, type SerialOpener } from '../../transport/serial.ts';
import { type BlockAccess, cardTypeFromSak, HardwareError } from '../../types.ts';
import { delay } from '../../util/clock.ts';
import { errorMessage, fromHex, toHex } from '../../util/logger.ts';
import { Mutex } from '../../util/mutex.ts';
import { Waitress } from '../../util/waitress.ts';
import {
  type ReaderConnection,
  SupervisedReader,
  type SupervisedReaderOptions,
} from '../supervised-reader.ts';
import { Command, type Pn532Packet, TFI_ERROR, TFI_PN532 } from './frame.ts';
import { Pn532Parser } from './parser.ts';
import { Pn532Writer } from './writer.ts';

export interface Pn532ReaderOptions extends SupervisedReaderOptions {
  path: string;
  baudRate?: number;
  open?: SerialOpener;
  /** Pause between InListPassiveTarget polls (default 100 ms). */
  pollIntervalMs?: number;
  ackTimeoutMs?: number;
  responseTimeoutMs?: number;
  /** Consecutive failed polls before the reader counts as offline (default 3). */
  maxMissedPolls?: number;
}

interface Session {
  link: SerialLink;
  exchange(code: number, params: readonly number[]): Promise<Uint8Array>;
  mutex: Mutex;
  /** UID of the target the last InListPassiveTarget selected (Tg 1), if any. */
  current: string | undefined;
}

/**
 * PN532 over HSU (UART). The PN532 completes cascade levels itself, so 4-, 7- and 10-byte
 * UIDs arrive whole in InListPassiveTarget's NFCID.
 */
export class Pn532Reader extends SupervisedReader implements BlockAccess {
  readonly #options: Pn532ReaderOptions;
  #session: Session | undefined;

  constructor(options: Pn532ReaderOptions) {
    super(options, 400);
    this.#options = options;
  }

  protected override async connect(signal: AbortSignal): Promise<ReaderConnection> {
    const o = this.#options;
    const link = await (o.open ?? openSerialPort)({ path: o.path, baudRate: o.baudRate ?? 115_200 });
    const parser = new Pn532Parser();
    const waitress = new Waitress<Pn532Packet>(this.clock);
    const writer = new Pn532Writer(link);
    const offData = link.onData((chunk) => {
      const before = parser.dropped;
      for (const packet of parser.push(chunk)) waitress.offer(packet);
      if (parser.dropped > before)
        this.logger.debug('dropped bad frame', { reader: this.id, total: parser.dropped });
    });
    let woken = false;
    const exchange = async (code: number, params: readonly number[]): Promise<Uint8Array> => {
      const ack = waitress.waitFor(
        (p) => p.kind === 'ack',
        o.ackTimeoutMs ?? 200,
        `ACK for 0x${code.toString(16)}`,
      );
      const reply = waitress.waitFor(
        (p) => p.kind === 'frame' && (p.tfi === TFI_ERROR || (p.tfi === TFI_PN532 && p.data[0] === code + 1)),
        o.responseTimeoutMs ?? 500,
        `reply to 0x${code.toString(16)}`,
      );
      try {
        await writer.command(code, params, !woken);
        woken = true;
        await ack.promise;
        const packet = await reply.promise;
        if (packet.kind !== 'frame' || packet.tfi === TFI_ERROR) {
          throw new HardwareError('PROTOCOL', `PN532 error frame for 0x${code.toString(16)}`);
        }
        return packet.data.subarray(1);
      } catch (error) {
        ack.cancel();
        reply.cancel();
        // Abort whatever the chip is still doing so its late reply cannot answer the next command.
        await writer.abort().catch(() => {});
        throw error;
      }
    };
    const mutex = new Mutex();
    const session: Session = { link, exchange, mutex, current: undefined };
    const close = async (): Promise<void> => {
      if (this.#session === session) this.#session = undefined;
      offData();
      waitress.clear();
      await link.close();
    };
    try {
      await mutex.run(async () => {
        await exchange(Command.SAMConfiguration, [0x01, 0x14, 0x01]);
        const fw = await exchange(Command.GetFirmwareVersion, []);
        this.logger.info('PN532 found', { reader: this.id, ic: fw[0], version: `${fw[1]}.${fw[2]}` });
        // MxRtyATR FF, MxRtyPSL 01, MxRtyPassiveActivation 01: InListPassiveTarget answers
        // "no target" instead of blocking until a card appears.
        await exchange(Command.RFConfiguration, [0x05, 0xff, 0x01, 0x01]);
      });
    } catch (error) {
      await close();
      throw error;
    }
    this.#session = session;
    const lost = new Promise<Error>((resolve) => {
      void this.#pollLoop(session, signal).then(resolve);
      void link.closed.then(resolve);
    });
    return { lost, close };
  }

  async #pollLoop(session: Session, signal: AbortSignal): Promise<Error> {
    let missed = 0;
    const maxMissed = this.#options.maxMissedPolls ?? 3;
    while (!signal.aborted && this.#session === session) {
      try {
        const res = await session.mutex.run(() =>
          session.exchange(Command.InListPassiveTarget, [0x01, 0x00]),
        );
        missed = 0;
        this.#onTarget(session, res);
      } catch (error) {
        if (++missed >= maxMissed) return new Error(`PN532 not answering: ${errorMessage(error)}`);
      }
      try {
        await delay(this.clock, this.#options.pollIntervalMs ?? 100, signal);
      } catch {
        break;
      }
    }
    return new Error('poll loop ended');
  }

  #onTarget(session: Session, res: Uint8Array): void {
    // NbTg Tg SENS_RES(2) SEL_RES NFCIDLen NFCID…
    const len = res[5] ?? 0;
    const nfcid = res.subarray(6, 6 + len);
    if (res[0] !== 1 || len === 0 || nfcid.length !== len) {
      session.current = undefined;
      this.reportPoll([]);
      return;
    }
    const uid = toHex(nfcid);
    session.current = uid;
    this.reportPoll([{ uid, cardType: cardTypeFromSak(res[4]!) }]);
  }

  async readBlocks(uid: string, blocks: readonly number[], keyA: Uint8Array): Promise<Uint8Array> {
    const session = this.#requireCard(uid);
    return session.mutex.run(async () => {
      const out = new Uint8Array(blocks.length * 16);
      let sector: number | undefined;
      for (const [i, block] of blocks.entries()) {
        sector = await this.#authenticate(session, uid, block, keyA, sector);
        const res = await session.exchange(Command.InDataExchange, [0x01, 0x30, block]);
        if ((res[0]! & 0x3f) !== 0 || res.length < 17) {
          throw new HardwareError('IO', `read of block ${block} failed (status 0x${res[0]?.toString(16)})`);
        }
        out.set(res.subarray(1, 17), i * 16);
      }
      return out;
    });
  }

  async writeBlocks(
    uid: string,
    blocks: readonly number[],
    data: Uint8Array,
    keyA: Uint8Array,
  ): Promise<void> {
    if (data.length !== blocks.length * 16) throw new RangeError('data must be 16 bytes per block');
    const session = this.#requireCard(uid);
    await session.mutex.run(async () => {
      let sector: number | undefined;
      for (const [i, block] of blocks.entries()) {
        sector = await this.#authenticate(session, uid, block, keyA, sector);
        const res = await session.exchange(Command.InDataExchange, [
          0x01,
          0xa0,
          block,
          ...data.subarray(i * 16, i * 16 + 16),
        ]);
        if ((res[0]! & 0x3f) !== 0) throw new HardwareError('IO', `write of block ${block} failed`);
      }
    });
  }

  #requireCard(uid: string): Session {
    const session = this.#session;
    if (!session) throw new HardwareError('NOT_CONNECTED', `reader ${this.id} is offline`);
    if (session.current !== uid) throw new HardwareError('NO_CARD', 'that card is not on the reader');
    return session;
  }

  async #authenticate(
    session: Session,
    uid: string,
    block: number,
    keyA: Uint8Array,
    authenticated: number | undefined,
  ): Promise<number> {
    const sector = block < 128 ? Math.floor(block / 4) : 32 + Math.floor((block - 128) / 16);
    if (sector === authenticated) return sector;
    const uidBytes = fromHex(uid);
    const res = await session.exchange(Command.InDataExchange, [
      0x01,
      0x60,
      block,
      ...keyA,
      ...uidBytes.subarray(uidBytes.length - 4),
    ]);
    if ((res[0]! & 0x3f) !== 0) throw new HardwareError('AUTH_FAILED', `key A refused for block ${block}`);
    return sector;
  }
}
