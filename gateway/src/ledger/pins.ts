import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * PIN hashes (docs/program.md: "PINs are never stored or logged in clear (a slow salted hash)").
 * Format: `scrypt$N$r$p$salt(base64)$hash(base64)`, so parameters can change without a
 * migration and old hashes still verify.
 *
 * Honest limit: a 4–6 digit PIN has at most 10^6 values, so no affordable hash stops an
 * offline search of a stolen database; the real defences are the lockout after
 * `pinAttempts` and the file's permissions. The cost still makes such a search take hours,
 * not seconds, per card.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** For PINs set one at a time (enroll, change): ~35 ms on a desktop core, ~150 ms on a Pi 4. */
export const PIN_PARAMS: ScryptParams = { N: 16384, r: 8, p: 1 };
/**
 * For bulk import: 100 000 PINs at the full cost would take an hour on a Pi. A lighter hash
 * is stored at import and upgraded to PIN_PARAMS on the card's first correct PIN (`needsRehash`).
 */
export const IMPORT_PIN_PARAMS: ScryptParams = { N: 1024, r: 8, p: 1 };

const KEY_LEN = 32;
const SALT_LEN = 16;

function maxmem(params: ScryptParams): number {
  return 256 * params.N * params.r + 1024 * 1024;
}

function format(params: ScryptParams, salt: Buffer, hash: Buffer): string {
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function hashPin(pin: string, params: ScryptParams = PIN_PARAMS): string {
  const salt = randomBytes(SALT_LEN);
  return format(params, salt, scryptSync(pin, salt, KEY_LEN, { ...params, maxmem: maxmem(params) }));
}

/** Async (libuv thread pool), so many PINs hash in parallel outside any transaction. */
export function hashPinAsync(pin: string, params: ScryptParams = PIN_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  return new Promise((resolve, reject) => {
    scrypt(pin, salt, KEY_LEN, { ...params, maxmem: maxmem(params) }, (err, hash) => {
      if (err) reject(err);
      else resolve(format(params, salt, hash));
    });
  });
}

function parse(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0)) return null;
  return {
    params: { N, r, p },
    salt: Buffer.from(parts[4] ?? '', 'base64'),
    hash: Buffer.from(parts[5] ?? '', 'base64'),
  };
}

/** Constant-time comparison of the derived key. A malformed stored hash never matches. */
export function pinMatches(pin: string, stored: string): boolean {
  const parsed = parse(stored);
  if (!parsed || parsed.hash.length !== KEY_LEN) return false;
  const candidate = scryptSync(pin, parsed.salt, KEY_LEN, {
    ...parsed.params,
    maxmem: maxmem(parsed.params),
  });
  return timingSafeEqual(candidate, parsed.hash);
}

/** As `pinMatches`, on the thread pool: a PIN check on a Pi must not stall the broker for 150 ms. */
export function pinMatchesAsync(pin: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed || parsed.hash.length !== KEY_LEN) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    scrypt(
      pin,
      parsed.salt,
      KEY_LEN,
      { ...parsed.params, maxmem: maxmem(parsed.params) },
      (err, candidate) => {
        if (err) reject(err);
        else resolve(timingSafeEqual(candidate, parsed.hash));
      },
    );
  });
}

export function needsRehash(stored: string, params: ScryptParams = PIN_PARAMS): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.params.N < params.N || parsed.params.r < params.r || parsed.params.p < params.p;
}
