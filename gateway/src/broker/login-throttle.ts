/**
 * Failed MQTT logins, rate limited per address and per username with exponential backoff
 * (docs/troubleshooting.md "MQTT broker: refused and disconnected clients"). Without it a
 * client on the shop network could try thousands of passwords a second.
 *
 * After `freeFailures` failures a key (an address, a username) must wait before its next
 * attempt: `baseDelayMs` after the last failure, doubled with every further failure, at
 * most `maxDelayMs`. Attempts made while waiting are refused without looking at the
 * password, and neither count nor extend the wait: a till whose secret was fixed gets in
 * at its next attempt after the wait. A key's failures are forgotten `forgetAfterMs`
 * after its last one.
 *
 * A username blocked by someone else's guesses would lock the real till out; so a
 * username and address that logged in successfully before (a known pair) are not held
 * back by either key, until that pair itself fails `freeFailures` times in a row.
 *
 * Time comes in as a number (ms) so tests drive it without sleeping.
 */

export interface LoginThrottleOptions {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  forgetAfterMs: number;
  /** Keys remembered at most (oldest forgotten first), so a flood of names cannot grow memory. */
  maxTracked: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  forgetAfterMs: 15 * 60_000,
  maxTracked: 10_000,
};

export type LoginVerdict =
  | { allowed: true }
  | { allowed: false; by: 'address' | 'username'; retryInMs: number };

interface Failures {
  count: number;
  lastMs: number;
}

export interface LoginThrottle {
  /** Whether an attempt from `address` as `username` may be checked now. */
  check(address: string | undefined, username: string | undefined, nowMs: number): LoginVerdict;
  /** A failed attempt (anonymous or wrong credentials). Returns the wait it now imposes, if any. */
  failed(address: string | undefined, username: string | undefined, nowMs: number): number;
  succeeded(address: string | undefined, username: string, nowMs: number): void;
}

export function createLoginThrottle(options: Partial<LoginThrottleOptions> = {}): LoginThrottle {
  const o = { ...DEFAULT_LOGIN_THROTTLE, ...options };
  const failures = new Map<string, Failures>();
  /** Known pairs (`username@address`) and their failures in a row since their last success. */
  const known = new Map<string, number>();

  const remember = <V>(map: Map<string, V>, key: string, value: V): void => {
    map.delete(key); // re-inserted last: the map's order is the order of last use
    map.set(key, value);
    if (map.size > o.maxTracked) map.delete(map.keys().next().value as string);
  };

  const current = (key: string, nowMs: number): Failures | undefined => {
    const f = failures.get(key);
    if (f && nowMs - f.lastMs > o.forgetAfterMs) {
      failures.delete(key);
      return undefined;
    }
    return f;
  };

  const waitAfter = (count: number): number =>
    count < o.freeFailures ? 0 : Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (count - o.freeFailures));

  /** Milliseconds `key` must still wait (0: none). */
  const waitOf = (key: string, nowMs: number): number => {
    const f = current(key, nowMs);
    if (!f) return 0;
    return Math.max(0, f.lastMs + waitAfter(f.count) - nowMs);
  };

  const pairOf = (address: string | undefined, username: string | undefined): string | undefined =>
    address !== undefined && username !== undefined ? `${username}@${address}` : undefined;

  const keys = (address: string | undefined, username: string | undefined): string[] => [
    ...(address !== undefined ? [`a:${address}`] : []),
    ...(username !== undefined ? [`u:${username}`] : []),
  ];

  return {
    check(address, username, nowMs) {
      const pair = pairOf(address, username);
      const inRow = pair !== undefined ? known.get(pair) : undefined;
      if (inRow !== undefined && inRow < o.freeFailures) return { allowed: true };
      const byAddress = address !== undefined ? waitOf(`a:${address}`, nowMs) : 0;
      if (byAddress > 0) return { allowed: false, by: 'address', retryInMs: byAddress };
      const byUsername = username !== undefined ? waitOf(`u:${username}`, nowMs) : 0;
      if (byUsername > 0) return { allowed: false, by: 'username', retryInMs: byUsername };
      return { allowed: true };
    },

    failed(address, username, nowMs) {
      let wait = 0;
      for (const key of keys(address, username)) {
        const count = (current(key, nowMs)?.count ?? 0) + 1;
        remember(failures, key, { count, lastMs: nowMs });
        wait = Math.max(wait, waitAfter(count));
      }
      const pair = pairOf(address, username);
      const inRow = pair !== undefined ? known.get(pair) : undefined;
      if (pair !== undefined && inRow !== undefined) remember(known, pair, inRow + 1);
      return wait;
    },

    succeeded(address, username) {
      const pair = pairOf(address, username);
      if (pair !== undefined) remember(known, pair, 0);
    },
  };
}
