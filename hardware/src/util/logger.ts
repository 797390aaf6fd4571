import type { Logger } from '../types.ts';

export const noopLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/**
 * Masks a UID for logs: first two bytes and last byte stay visible (`04A1••••F6`), enough
 * to tell cards apart on a bench without putting card numbers into journald.
 */
export function maskUid(uid: string): string {
  if (uid.length <= 6) return '••••';
  return `${uid.slice(0, 4)}••••${uid.slice(-2)}`;
}

export function toHex(bytes: Iterable<number>): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out.toUpperCase();
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '');
  if (clean.length % 2 !== 0) throw new RangeError(`odd-length hex: ${hex.length} chars`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
