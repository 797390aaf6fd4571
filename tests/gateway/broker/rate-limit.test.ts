import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../gateway/src/broker/rate-limit.ts';

describe('the integration rate limit (token bucket)', () => {
  it('allows a burst of twice the rate, then the rate, per client', () => {
    const limiter = new RateLimiter();
    const burst = Array.from({ length: 25 }, () => limiter.take('node-red', 10, 0));
    expect(burst.filter(Boolean)).toHaveLength(20);
    expect(limiter.take('other', 10, 0)).toBe(true); // buckets are per client
    expect(limiter.take('node-red', 10, 50)).toBe(false); // 0.5 token refilled
    expect(limiter.take('node-red', 10, 100)).toBe(true); // 1 token after 100 ms at 10/s
    const second = Array.from({ length: 20 }, (_, i) => limiter.take('node-red', 10, 1100 + i));
    expect(second.filter(Boolean)).toHaveLength(10); // one second later: 10 more
  });
});
