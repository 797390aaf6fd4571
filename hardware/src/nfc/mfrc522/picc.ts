import type { EmulatedCard } from '../emulated-card.ts';
import { trailerOf } from '../emulated-card.ts';
import { crcA, hasValidCrcA } from './crc-a.ts';

export interface AirFrame {
  bytes: number[];
  /** Valid bits in the last byte; 0 means all 8. */
  lastBits: number;
}

const SEL = [0x93, 0x95, 0x97] as const;
const ACK = 0x0a;
const NAK = 0x04;

/**
 * The card side of ISO 14443-3 type A for the MFRC522 emulator: IDLE/READY/ACTIVE/HALT,
 * REQA/WUPA, anticollision and select over cascade levels 1–3 (cascade tag 0x88, BCC, SAK
 * 0x04 while incomplete), HLTA, and MIFARE Classic READ/WRITE once authenticated.
 * Crypto1 itself is not modelled: after MFAuthent the data flows in plain text.
 */
export class VirtualPicc {
  #state: 'idle' | 'ready' | 'active' | 'halt' = 'idle';
  #level = 0;
  #authSector: number | undefined;
  #pendingWrite: number | undefined;

  constructor(readonly card: EmulatedCard) {}

  /** The field was switched off or the card left it. */
  reset(): void {
    this.#state = 'idle';
    this.#level = 0;
    this.#authSector = undefined;
    this.#pendingWrite = undefined;
  }

  /** The 4 UID bytes of cascade level `level` (0-based), with the cascade tag where due. */
  levelBytes(level: number): number[] {
    const uid = [...this.card.uid];
    const levels = uid.length === 4 ? 1 : uid.length === 7 ? 2 : 3;
    if (level >= levels) return [];
    const last = level === levels - 1;
    const start = level * 3;
    return last ? uid.slice(start, start + 4) : [0x88, ...uid.slice(start, start + 3)];
  }

  get isActive(): boolean {
    return this.#state === 'active';
  }

  /** MFAuthent as seen by the card: key A against the sector trailer. */
  authenticate(block: number, key: Uint8Array, uid4: Uint8Array): boolean {
    if (this.#state !== 'active' || !this.card.authenticate(block, key, uid4)) {
      this.#authSector = undefined;
      this.#state = 'idle';
      return false;
    }
    this.#authSector = trailerOf(block);
    return true;
  }

  endCrypto(): void {
    this.#authSector = undefined;
  }

  /** One frame from the reader; returns the answer, or undefined for silence. */
  receive(frame: AirFrame): AirFrame | undefined {
    const [cmd] = frame.bytes;
    if (frame.lastBits === 7 && frame.bytes.length === 1) {
      const wakes = cmd === 0x52 ? this.#state === 'idle' || this.#state === 'halt' : this.#state === 'idle';
      if (cmd !== 0x26 && cmd !== 0x52) return undefined;
      if (!wakes) {
        if (this.#state !== 'halt') this.reset(); // unexpected frame: back to IDLE (14443-3)
        return undefined;
      }
      this.#state = 'ready';
      this.#level = 0;
      return { bytes: [...this.card.atqa], lastBits: 0 };
    }
    if (this.#state === 'ready') return this.#anticollision(frame.bytes);
    if (this.#state === 'active') return this.#active(frame.bytes);
    return undefined;
  }

  #anticollision(bytes: number[]): AirFrame | undefined {
    const [sel, nvb] = bytes;
    if (sel !== SEL[this.#level]) {
      this.reset();
      return undefined;
    }
    const part = this.levelBytes(this.#level);
    const bcc = part.reduce((a, b) => a ^ b, 0);
    if (nvb === 0x20 && bytes.length === 2) return { bytes: [...part, bcc], lastBits: 0 };
    if (nvb === 0x70 && bytes.length === 9 && hasValidCrcA(bytes)) {
      const matches = part.every((b, i) => b === bytes[2 + i]) && bytes[6] === bcc;
      if (!matches) {
        this.reset();
        return undefined;
      }
      const complete = part[0] !== 0x88;
      const sak = complete ? this.card.sak : 0x04;
      if (complete) this.#state = 'active';
      else this.#level++;
      return { bytes: [sak, ...crcA([sak])], lastBits: 0 };
    }
    return undefined;
  }

  #active(bytes: number[]): AirFrame | undefined {
    if (!hasValidCrcA(bytes)) return { bytes: [NAK], lastBits: 4 };
    const body = bytes.slice(0, -2);
    if (this.#pendingWrite !== undefined) {
      const block = this.#pendingWrite;
      this.#pendingWrite = undefined;
      const ok = body.length === 16 && this.card.write(block, Uint8Array.from(body));
      return { bytes: [ok ? ACK : NAK], lastBits: 4 };
    }
    const [cmd, block = 0] = body;
    if (cmd === 0x50) {
      this.#state = 'halt';
      this.#authSector = undefined;
      return undefined;
    }
    const allowed = this.#authSector !== undefined && this.#authSector === trailerOf(block);
    if (cmd === 0x30) {
      const data = allowed ? this.card.read(block) : undefined;
      if (!data) return { bytes: [NAK], lastBits: 4 };
      return { bytes: [...data, ...crcA(data)], lastBits: 0 };
    }
    if (cmd === 0xa0) {
      if (!allowed) return { bytes: [NAK], lastBits: 4 };
      this.#pendingWrite = block;
      return { bytes: [ACK], lastBits: 4 };
    }
    this.reset();
    return undefined;
  }
}
