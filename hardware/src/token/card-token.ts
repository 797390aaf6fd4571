import { createHmac, timingSafeEqual } from 'node:crypto';
import { fromHex } from '../util/logger.ts';

/**
 * A signed token written to the card, so a cloned UID alone is not enough. Layout (48 bytes:
 * three MIFARE Classic blocks or twelve NTAG pages):
 *   0-1 "LE" · 2 version · 3-4 issued (days since 1970, big-endian) · 5 card number length ·
 *   6-29 card number (ASCII, zero padded) · 30-45 HMAC-SHA256 truncated to 128 bits · 46-47 zero.
 * The MAC covers the UID too, so a token copied onto another card does not verify.
 * The key is passed in and never logged or stored here.
 */
export const TOKEN_BYTES = 48;
/** Sector 1, blocks 4-6 (block 7 is its trailer); sector 0 holds the manufacturer block. */
export const TOKEN_BLOCKS: readonly number[] = [4, 5, 6];
/** NTAG21x user memory starts at page 4. */
export const TOKEN_PAGES: readonly number[] = Array.from({ length: 12 }, (_, i) => 4 + i);

const MAGIC = [0x4c, 0x45];
const VERSION = 1;
const MAX_NUMBER = 24;
const MAC_OFFSET = 30;
const MAC_BYTES = 16;
const DOMAIN = Buffer.from('loyalty-edge/card-token/v1');
const DAY_MS = 86_400_000;

export interface CardTokenFields {
  /** UID as read, upper-case hex. */
  uid: string;
  /** Printed card number: ASCII, 1-24 characters. */
  cardNumber: string;
  /** Issue date, YYYY-MM-DD. */
  issued: string;
}

export type TokenVerification =
  | { ok: true; cardNumber: string; issued: string }
  | { ok: false; reason: 'format' | 'version' | 'signature' };

function mac(key: Uint8Array, uid: string, body: Uint8Array): Buffer {
  if (key.length < 16) throw new RangeError('token key must be at least 16 bytes');
  return createHmac('sha256', key)
    .update(DOMAIN)
    .update(fromHex(uid))
    .update(body)
    .digest()
    .subarray(0, MAC_BYTES);
}

function daysFromDate(issued: string): number {
  const ms = Date.parse(`${issued}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(issued) || Number.isNaN(ms))
    throw new RangeError('issued must be YYYY-MM-DD');
  const days = ms / DAY_MS;
  if (days < 0 || days > 0xffff) throw new RangeError('issued date out of range');
  return days;
}

export function buildCardToken(fields: CardTokenFields, key: Uint8Array): Uint8Array {
  const number = Buffer.from(fields.cardNumber, 'ascii');
  if (number.length === 0 || number.length > MAX_NUMBER || !/^[\x20-\x7e]+$/.test(fields.cardNumber)) {
    throw new RangeError(`card number must be 1-${MAX_NUMBER} printable ASCII characters`);
  }
  const out = new Uint8Array(TOKEN_BYTES);
  const days = daysFromDate(fields.issued);
  out.set([...MAGIC, VERSION, days >> 8, days & 0xff, number.length]);
  out.set(number, 6);
  out.set(mac(key, fields.uid, out.subarray(0, MAC_OFFSET)), MAC_OFFSET);
  return out;
}

export function verifyCardToken(uid: string, token: Uint8Array, key: Uint8Array): TokenVerification {
  if (token.length < TOKEN_BYTES || token[0] !== MAGIC[0] || token[1] !== MAGIC[1])
    return { ok: false, reason: 'format' };
  if (token[2] !== VERSION) return { ok: false, reason: 'version' };
  const length = token[5]!;
  if (length === 0 || length > MAX_NUMBER) return { ok: false, reason: 'format' };
  const expected = mac(key, uid, token.subarray(0, MAC_OFFSET));
  if (!timingSafeEqual(expected, token.subarray(MAC_OFFSET, MAC_OFFSET + MAC_BYTES))) {
    return { ok: false, reason: 'signature' };
  }
  const days = (token[3]! << 8) | token[4]!;
  return {
    ok: true,
    cardNumber: Buffer.from(token.subarray(6, 6 + length)).toString('ascii'),
    issued: new Date(days * DAY_MS).toISOString().slice(0, 10),
  };
}

/** Splits a token into chunks of `size` bytes (16 for MIFARE blocks, 4 for NTAG pages). */
export function splitToken(token: Uint8Array, size: 16 | 4): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < token.length; i += size) chunks.push(token.slice(i, i + size));
  return chunks;
}
