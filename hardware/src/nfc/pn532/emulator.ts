import type { SerialLink } from '../../transport/serial.ts';
import type { EmulatedCard } from '../emulated-card.ts';
import { ACK_FRAME, Command, encodeFrame, TFI_HOST, TFI_PN532 } from './frame.ts';
import { Pn532Parser } from './parser.ts';

/**
 * A PN532 on the far end of a serial link (a socat pty in tests): parses host frames with
 * the same Parser, answers ACK + response like the chip, and can misbehave on demand.
 */
export class Pn532Emulator {
  readonly #link: SerialLink;
  readonly #parser = new Pn532Parser();
  #card: EmulatedCard | undefined;
  #maxRetriesSet = false;
  #authenticatedSector: number | undefined;
  /** When true, the chip ignores everything (a hung reader). */
  silent = false;
  /** Corrupts the next response frame's length or data checksum. */
  corruptNext: 'lcs' | 'dcs' | undefined;
  /** Sends each response in two writes with a pause between, to split it across reads. */
  splitResponses = false;
  /** Sends these bytes before every response. */
  noiseBeforeResponse: Uint8Array | undefined;
  readonly commands: number[] = [];
  readonly #offData: () => void;

  constructor(link: SerialLink) {
    this.#link = link;
    this.#offData = link.onData((chunk) => {
      for (const packet of this.#parser.push(chunk)) {
        if (packet.kind === 'frame' && packet.tfi === TFI_HOST) void this.#handle(packet.data);
      }
    });
  }

  placeCard(card: EmulatedCard): void {
    this.#card = card;
    this.#authenticatedSector = undefined;
  }

  removeCard(): void {
    this.#card = undefined;
    this.#authenticatedSector = undefined;
  }

  async close(): Promise<void> {
    this.#offData();
    await this.#link.close();
  }

  async #handle(data: Uint8Array): Promise<void> {
    if (this.silent) return;
    const code = data[0]!;
    this.commands.push(code);
    const response = this.#respond(code, data.subarray(1));
    if (!response) return;
    await this.#link.write(ACK_FRAME).catch(() => {});
    const frame = encodeFrame(TFI_PN532, Uint8Array.of(code + 1, ...response));
    if (this.corruptNext === 'lcs') frame[4] = (frame[4]! + 1) & 0xff;
    if (this.corruptNext === 'dcs') frame[frame.length - 2] = (frame[frame.length - 2]! + 1) & 0xff;
    this.corruptNext = undefined;
    const bytes = this.noiseBeforeResponse ? Uint8Array.of(...this.noiseBeforeResponse, ...frame) : frame;
    try {
      if (!this.splitResponses) {
        await this.#link.write(bytes);
        return;
      }
      const cut = Math.floor(bytes.length / 2);
      await this.#link.write(bytes.subarray(0, cut));
      await new Promise((resolve) => setTimeout(resolve, 5)); // a real gap on the wire
      await this.#link.write(bytes.subarray(cut));
    } catch {
      // link gone (unplug in a test): a real chip would not notice either
    }
  }

  #respond(code: number, params: Uint8Array): number[] | undefined {
    switch (code) {
      case Command.GetFirmwareVersion:
        return [0x32, 0x01, 0x06, 0x07];
      case Command.SAMConfiguration:
        return [];
      case Command.RFConfiguration:
        if (params[0] === 0x05) this.#maxRetriesSet = true;
        return [];
      case Command.InListPassiveTarget:
        return this.#listTarget();
      case Command.InRelease:
        return [0x00];
      case Command.InDataExchange:
        return this.#exchange(params);
      default:
        return undefined; // unknown command: real chips answer with an error frame; we stay mute
    }
  }

  #listTarget(): number[] | undefined {
    const card = this.#card;
    this.#authenticatedSector = undefined;
    if (!card) return this.#maxRetriesSet ? [0x00] : undefined; // without max retries it blocks
    const [atqa0, atqa1] = card.atqa;
    // SENS_RES is reported MSB first by the PN532 (00 04 for a Classic 1K).
    return [0x01, 0x01, atqa1, atqa0, card.sak, card.uid.length, ...card.uid];
  }

  #exchange(params: Uint8Array): number[] {
    const card = this.#card;
    const op = params[1];
    const block = params[2] ?? 0;
    if (!card || params[0] !== 0x01) return [0x01]; // timeout: target gone
    if (op === 0x60) {
      const ok = card.authenticate(block, params.subarray(3, 9), params.subarray(9, 13));
      this.#authenticatedSector = ok ? sectorOf(block) : undefined;
      return [ok ? 0x00 : 0x14];
    }
    if (this.#authenticatedSector !== sectorOf(block)) return [0x14];
    if (op === 0x30) {
      const data = card.read(block);
      return data ? [0x00, ...data] : [0x01];
    }
    if (op === 0xa0) return [card.write(block, params.slice(3, 19)) ? 0x00 : 0x01];
    return [0x27]; // not an acceptable command
  }
}

function sectorOf(block: number): number {
  return block < 128 ? Math.floor(block / 4) : 32 + Math.floor((block - 128) / 16);
}
