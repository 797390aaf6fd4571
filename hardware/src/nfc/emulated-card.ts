import { fromHex } from '../util/logger.ts';

export interface EmulatedCardOptions {
  /** 4, 7 or 10 bytes, hex. */
  uid: string;
  /** Defaults: 0x08 (MIFARE Classic 1K) for 4-byte UIDs, 0x00 (Ultralight/NTAG) otherwise. */
  sak?: number;
  /** ATQA as sent on air (LSB first); defaults follow the UID size. */
  atqa?: [number, number];
}

const DEFAULT_KEY = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
const DEFAULT_TRAILER = [...DEFAULT_KEY, 0xff, 0x07, 0x80, 0x69, ...DEFAULT_KEY];

/**
 * A card for the emulators: identity (UID, ATQA, SAK) and, for MIFARE Classic, 16-byte
 * blocks with key A taken from each sector trailer, as on the real card.
 */
export class EmulatedCard {
  readonly uid: Uint8Array;
  readonly sak: number;
  readonly atqa: [number, number];
  readonly blocks: Uint8Array[];

  constructor(options: EmulatedCardOptions) {
    this.uid = fromHex(options.uid);
    if (![4, 7, 10].includes(this.uid.length)) throw new RangeError('UID must be 4, 7 or 10 bytes');
    this.sak = options.sak ?? (this.uid.length === 4 ? 0x08 : 0x00);
    const sizeBits = this.uid.length === 4 ? 0x00 : this.uid.length === 7 ? 0x40 : 0x80;
    this.atqa = options.atqa ?? [sizeBits | 0x04, 0x00];
    const count = this.isClassic ? ((this.sak & 0x18) === 0x18 ? 256 : 64) : 0;
    this.blocks = Array.from({ length: count }, (_, i) =>
      isTrailer(i) ? Uint8Array.from(DEFAULT_TRAILER) : new Uint8Array(16),
    );
    if (count > 0) this.blocks[0]!.set(this.uid.subarray(0, 4));
  }

  get isClassic(): boolean {
    return (this.sak & 0x08) !== 0;
  }

  /** The 4 UID bytes Crypto1 uses (the last 4, which for a 4-byte UID is all of it). */
  get authUid(): Uint8Array {
    return this.uid.subarray(this.uid.length - 4);
  }

  authenticate(block: number, keyA: Uint8Array, uid4: Uint8Array): boolean {
    const trailer = this.blocks[trailerOf(block)];
    if (!trailer || keyA.length !== 6) return false;
    return sameBytes(trailer.subarray(0, 6), keyA) && sameBytes(uid4, this.authUid);
  }

  read(block: number): Uint8Array | undefined {
    const data = this.blocks[block];
    if (!data) return undefined;
    const copy = Uint8Array.from(data);
    if (isTrailer(block)) copy.fill(0, 0, 6); // key A is never readable
    return copy;
  }

  write(block: number, data: Uint8Array): boolean {
    const target = this.blocks[block];
    if (!target || block === 0 || data.length !== 16) return false;
    target.set(data);
    return true;
  }
}

/** Sector trailer for a block: every 4th block below 128, every 16th above (4K layout). */
export function trailerOf(block: number): number {
  return block < 128 ? block - (block % 4) + 3 : block - (block % 16) + 15;
}

function isTrailer(block: number): boolean {
  return trailerOf(block) === block;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
