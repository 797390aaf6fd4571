import { randomInt, timingSafeEqual } from 'node:crypto';

export interface PairingOptions {
  now: () => Date;
  /** How long a pairing code is valid (default 5 min). */
  ttlMs?: number;
  /** Wrong codes before the code is revoked (default 5). */
  maxAttempts?: number;
}

interface Pending {
  code: string;
  expiresAt: number;
  attempts: number;
}

/**
 * Pairing of a kiosk screen that is not the Pi's own (docs/protocol.md §1 Kiosk: credentials
 * only to loopback "or after a pairing step"). Someone at the Pi issues a one-time 6-digit
 * code for kiosk K; the remote screen enters it and gets K's credentials once. Codes live
 * in memory only, expire, are single-use and are revoked after a few wrong guesses.
 */
export class Pairing {
  readonly #pending = new Map<string, Pending>();
  readonly #ttlMs: number;
  readonly #maxAttempts: number;

  constructor(private readonly options: PairingOptions) {
    this.#ttlMs = options.ttlMs ?? 300_000;
    this.#maxAttempts = options.maxAttempts ?? 5;
  }

  /** A new code for `kioskId`; any earlier one is replaced. */
  issue(kioskId: string): { code: string; expiresAt: string } {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const expiresAt = this.options.now().getTime() + this.#ttlMs;
    this.#pending.set(kioskId, { code, expiresAt, attempts: 0 });
    return { code, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** True once for the right, unexpired code; every wrong guess counts toward revocation. */
  redeem(kioskId: string, code: unknown): boolean {
    const pending = this.#pending.get(kioskId);
    if (!pending) return false;
    if (this.options.now().getTime() > pending.expiresAt) {
      this.#pending.delete(kioskId);
      return false;
    }
    const right =
      typeof code === 'string' &&
      /^[0-9]{6}$/.test(code) &&
      timingSafeEqual(Buffer.from(code), Buffer.from(pending.code));
    if (right) {
      this.#pending.delete(kioskId);
      return true;
    }
    if (++pending.attempts >= this.#maxAttempts) this.#pending.delete(kioskId);
    return false;
  }
}
