import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Refusal } from './refusal.ts';

const MAX_FAILURES = 5;
const LOCKOUT_MS = 15 * 60_000;

/**
 * Store managers' codes (docs/protocol.md §1 managerCode), kept only as keyed digests (HMAC under
 * a random key of this process, as the broker keeps client secrets).
 * Wrong codes count toward a lockout like PINs: after 5 in a row, every code is refused for
 * 15 minutes.
 */
export class ManagerCodes {
  private readonly hashes: Array<{ id: string; digest: Buffer }>;
  private readonly key = randomBytes(32);
  private failures = 0;
  private lockedUntil = 0;

  constructor(
    managers: ReadonlyArray<{ id: string; code: string }>,
    private readonly now: () => number = Date.now,
  ) {
    this.hashes = managers.map((m) => ({ id: m.id, digest: this.digest(m.code) }));
  }

  private digest(code: string): Buffer {
    return createHmac('sha256', this.key).update(code).digest();
  }

  /** The manager the code belongs to, or MANAGER_CODE_INVALID. */
  verify(code: unknown): string {
    if (this.now() < this.lockedUntil)
      throw new Refusal('MANAGER_CODE_INVALID', 'too many wrong manager codes; try again later');
    if (typeof code === 'string' && code !== '') {
      const given = this.digest(code);
      for (const m of this.hashes) {
        if (timingSafeEqual(given, m.digest)) {
          this.failures = 0;
          return m.id;
        }
      }
    }
    this.failures += 1;
    if (this.failures >= MAX_FAILURES) {
      this.failures = 0;
      this.lockedUntil = this.now() + LOCKOUT_MS;
    }
    throw new Refusal('MANAGER_CODE_INVALID', 'the manager code is not valid');
  }
}
