/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so many
 * stores coming back after an hq outage do not retry in lock-step. `random` is injected
 * (architecture.md: no Math.random in logic; tests pass a seeded one).
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number): number {
  const cap = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + (cap / 2) * random());
}
