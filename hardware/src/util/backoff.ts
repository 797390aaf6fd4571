export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 250, maxMs: 10_000, factor: 2 };

/** Delay before retry number `attempt` (0-based): initial * factor^attempt, capped. */
export function backoffDelay(attempt: number, options: BackoffOptions = defaultBackoff): number {
  const raw = options.initialMs * options.factor ** Math.max(0, attempt);
  return Math.min(options.maxMs, Number.isFinite(raw) ? raw : options.maxMs);
}
