/**
 * A token bucket per client: `rate` publishes a second on average, bursts of `burst`.
 * Time comes in as a number (ms) so tests drive it without sleeping.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  take(clientId: string, rate: number, nowMs: number, burst = rate * 2): boolean {
    const bucket = this.buckets.get(clientId) ?? { tokens: burst, at: nowMs };
    bucket.tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * rate);
    bucket.at = nowMs;
    this.buckets.set(clientId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
