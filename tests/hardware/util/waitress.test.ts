import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../hardware/src/util/clock.ts';
import { Mutex } from '../../../hardware/src/util/mutex.ts';
import { Waitress } from '../../../hardware/src/util/waitress.ts';

describe('Waitress', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('hands an item to the first matching waiter only', async () => {
    const w = new Waitress<number>(systemClock);
    const even = w.waitFor((n) => n % 2 === 0, 100, 'even');
    expect(w.offer(3)).toBe(false);
    expect(w.offer(4)).toBe(true);
    expect(w.offer(6)).toBe(false);
    await expect(even.promise).resolves.toBe(4);
  });

  it('times out with a TIMEOUT error, and a timeout before anyone awaits is not unhandled', async () => {
    const w = new Waitress<number>(systemClock);
    const wait = w.waitFor(() => true, 100, 'reply');
    await vi.advanceTimersByTimeAsync(150);
    await expect(wait.promise).rejects.toMatchObject({ code: 'TIMEOUT', message: 'no reply within 100 ms' });
  });

  it('cancel stops waiting', () => {
    const w = new Waitress<number>(systemClock);
    w.waitFor(() => true, 100, 'x').cancel();
    expect(w.offer(1)).toBe(false);
  });
});

describe('Mutex', () => {
  it('runs sections one at a time, also after a failure', async () => {
    const m = new Mutex();
    const log: string[] = [];
    const a = m.run(async () => {
      log.push('a1');
      await Promise.resolve();
      log.push('a2');
      throw new Error('a failed');
    });
    const b = m.run(async () => {
      log.push('b');
      return 2;
    });
    await expect(a).rejects.toThrow('a failed');
    await expect(b).resolves.toBe(2);
    expect(log).toEqual(['a1', 'a2', 'b']);
  });
});
