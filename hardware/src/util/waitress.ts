import { HardwareError } from '../types.ts';
import type { Clock } from './clock.ts';

interface Waiter<T> {
  match: (item: T) => boolean;
  resolve: (item: T) => void;
  timer: unknown;
}

export interface Wait<T> {
  readonly promise: Promise<T>;
  /** Stops waiting without settling the promise (its owner has moved on). */
  cancel(): void;
}

/**
 * Matches incoming items (frames, ACKs) to whoever is waiting for them, with a timeout
 * (zigbee-herdsman's Waitress). Items nobody waits for are returned as unclaimed.
 */
export class Waitress<T> {
  readonly #waiters = new Set<Waiter<T>>();

  constructor(private readonly clock: Clock) {}

  waitFor(match: (item: T) => boolean, timeoutMs: number, what: string): Wait<T> {
    let waiter: Waiter<T> | undefined;
    const promise = new Promise<T>((resolve, reject) => {
      const entry: Waiter<T> = {
        match,
        resolve,
        timer: this.clock.setTimeout(() => {
          this.#waiters.delete(entry);
          reject(new HardwareError('TIMEOUT', `no ${what} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      waiter = entry;
      this.#waiters.add(entry);
    });
    // Marked handled now: a timeout may fire before the owner gets round to awaiting it
    // (e.g. while its write is still in flight); the owner still sees the rejection.
    promise.catch(() => {});
    return {
      promise,
      cancel: () => {
        if (!waiter) return;
        this.clock.clearTimeout(waiter.timer);
        this.#waiters.delete(waiter);
      },
    };
  }

  /** Hands an item to the first matching waiter; false when nobody wanted it. */
  offer(item: T): boolean {
    for (const waiter of this.#waiters) {
      if (!waiter.match(item)) continue;
      this.clock.clearTimeout(waiter.timer);
      this.#waiters.delete(waiter);
      waiter.resolve(item);
      return true;
    }
    return false;
  }

  clear(): void {
    for (const waiter of this.#waiters) this.clock.clearTimeout(waiter.timer);
    this.#waiters.clear();
  }
}
