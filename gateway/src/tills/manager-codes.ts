import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { Refusal } from './refusal.ts';

const MAX_FAILURES = 5;
const LOCKOUT_MS = 15 * 60_000;

/**
 * Store managers' codes (protocol.md §1 managerCode), kept only as salted scrypt hashes.
 * Wrong codes count toward a lockout like PINs: after 5 in a row, every code is refused for
 * 15 minutes.
 */
export class ManagerCodes {
  private readonly hashes: Array<{ id: string; salt: Buffer; hash: Buffer }>;
  private failures = 0;
  private lockedUntil = 0;

  constructor(
    managers: ReadonlyArray<{ id: string; code: string }>,
    private readonly now: () => number = Date.now,
    private readonly cost = 2 ** 12,
  ) {
    this.hashes = managers.map((m) => {
      const salt = randomBytes(16);
      return { id: m.id, salt, hash: scryptSync(m.code, salt, 32, { N: cost }) };
    });
  }

  /** The manager the code belongs to, or MANAGER_CODE_INVALID. */
  verify(code: unknown): string {
    if (this.now() < this.lockedUntil)
      throw new Refusal('MANAGER_CODE_INVALID', 'too many wrong manager codes; try again later');
    if (typeof code === 'string' && code !== '') {
      for (const m of this.hashes) {
        if (timingSafeEqual(scryptSync(code, m.salt, 32, { N: this.cost }), m.hash)) {
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
