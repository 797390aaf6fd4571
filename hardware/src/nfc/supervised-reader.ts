import type { CardType, Listener, Logger, Reader, ReaderEvents } from '../types.ts';
import { type BackoffOptions, backoffDelay, defaultBackoff } from '../util/backoff.ts';
import { type Clock, delay, systemClock } from '../util/clock.ts';
import { type DebounceEvent, TapDebouncer } from '../util/debounce.ts';
import { errorMessage, maskUid, noopLogger } from '../util/logger.ts';
import { TypedEmitter } from '../util/typed-emitter.ts';

/** A live link to a reader; `lost` settles with the reason when the link goes away. */
export interface ReaderConnection {
  readonly lost: Promise<Error>;
  close(): Promise<void>;
}

export interface SupervisedReaderOptions {
  id: string;
  clock?: Clock;
  logger?: Logger;
  backoff?: BackoffOptions;
  /** A card unseen for this long counts as removed; defaults per driver. */
  removalMs?: number;
}

/**
 * Base for every reader: supervision (connect, retry with capped exponential backoff,
 * online/offline events) and debouncing. Drivers implement only `connect` and report each
 * sighting with `reportSeen`; they know nothing about retries or taps.
 */
export abstract class SupervisedReader implements Reader {
  readonly id: string;
  protected readonly clock: Clock;
  protected readonly logger: Logger;
  readonly #emitter: TypedEmitter<ReaderEvents>;
  readonly #backoff: BackoffOptions;
  readonly #debouncer: TapDebouncer;
  readonly #removalMs: number;
  #state: 'unknown' | 'online' | 'offline' = 'unknown';
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #expiryTimer: unknown;
  #cardTypes = new Map<string, CardType>();

  protected constructor(options: SupervisedReaderOptions, defaultRemovalMs: number) {
    this.id = options.id;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? noopLogger;
    this.#backoff = options.backoff ?? defaultBackoff;
    this.#removalMs = options.removalMs ?? defaultRemovalMs;
    this.#debouncer = new TapDebouncer({ removalMs: this.#removalMs });
    this.#emitter = new TypedEmitter((error) =>
      this.logger.error('reader listener threw', { reader: this.id, error: errorMessage(error) }),
    );
  }

  protected abstract connect(signal: AbortSignal): Promise<ReaderConnection>;

  get online(): boolean {
    return this.#state === 'online';
  }

  on<K extends keyof ReaderEvents>(event: K, listener: Listener<ReaderEvents[K]>): () => void {
    return this.#emitter.on(event, listener);
  }

  off<K extends keyof ReaderEvents>(event: K, listener: Listener<ReaderEvents[K]>): void {
    this.#emitter.off(event, listener);
  }

  /** Resolves with the next event of that kind (tests, and the gateway's `doctor`). */
  once<K extends keyof ReaderEvents>(event: K): Promise<ReaderEvents[K]> {
    return this.#emitter.once(event);
  }

  async start(signal?: AbortSignal): Promise<void> {
    if (this.#loop) return;
    const abort = new AbortController();
    this.#abort = abort;
    signal?.addEventListener('abort', () => abort.abort(signal.reason), { once: true });
    this.#loop = this.#run(abort.signal);
  }

  async stop(): Promise<void> {
    const loop = this.#loop;
    if (!loop) return;
    this.#abort?.abort(new Error('reader stopped'));
    await loop;
    this.#loop = undefined;
    this.#abort = undefined;
    this.clock.clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    this.#apply(this.#debouncer.clear());
  }

  /**
   * For readers that only report sightings (line, simulated): debouncing turns reads into
   * taps, and a card unseen for the removal window counts as removed.
   */
  protected reportSeen(uid: string, cardType: CardType): void {
    this.#cardTypes.set(uid, cardType);
    this.#apply(this.#debouncer.seen(uid, this.clock.now()));
    this.#armExpiry();
  }

  /** For polling readers: the result of one completed poll (a failed poll reports nothing). */
  protected reportPoll(cards: readonly { uid: string; cardType: CardType }[]): void {
    for (const card of cards) this.#cardTypes.set(card.uid, card.cardType);
    this.#apply(
      this.#debouncer.poll(
        cards.map((c) => c.uid),
        this.clock.now(),
      ),
    );
  }

  protected reportError(error: Error): void {
    this.logger.warn('reader error', { reader: this.id, error: error.message });
    this.#emitter.emit('error', error);
  }

  #armExpiry(): void {
    this.clock.clearTimeout(this.#expiryTimer);
    // +1 so the timer lands just after the window rather than on its edge.
    this.#expiryTimer = this.clock.setTimeout(() => {
      this.#expiryTimer = undefined;
      this.#apply(this.#debouncer.expire(this.clock.now()));
      if (this.#debouncer.present.length > 0) this.#armExpiry();
    }, this.#removalMs + 1);
  }

  #apply(events: DebounceEvent[]): void {
    for (const event of events) {
      const at = new Date(this.clock.now());
      if (event.type === 'tap') {
        const cardType = this.#cardTypes.get(event.uid) ?? 'unknown';
        this.logger.info('tap', { reader: this.id, uid: maskUid(event.uid), cardType });
        this.#emitter.emit('tap', { uid: event.uid, cardType, at });
      } else {
        this.#cardTypes.delete(event.uid);
        this.logger.debug('removed', { reader: this.id, uid: maskUid(event.uid) });
        this.#emitter.emit('removed', { uid: event.uid, at });
      }
    }
  }

  #setOnline(): void {
    this.#state = 'online';
    this.logger.info('online', { reader: this.id });
    this.#emitter.emit('online', { at: new Date(this.clock.now()) });
  }

  #setOffline(reason: string): void {
    if (this.#state === 'offline') return;
    this.#state = 'offline';
    this.#apply(this.#debouncer.clear());
    this.logger.warn('offline', { reader: this.id, reason });
    this.#emitter.emit('offline', { reason, at: new Date(this.clock.now()) });
  }

  async #run(signal: AbortSignal): Promise<void> {
    const aborted = new Promise<Error>((resolve) => {
      if (signal.aborted) resolve(new Error('aborted'));
      signal.addEventListener('abort', () => resolve(new Error('aborted')), { once: true });
    });
    let attempt = 0;
    let lastError = '';
    while (!signal.aborted) {
      let connection: ReaderConnection | undefined;
      try {
        connection = await this.connect(signal);
      } catch (error) {
        if (signal.aborted) break;
        const message = errorMessage(error);
        this.logger.debug('connect failed', { reader: this.id, attempt, error: message });
        this.#setOffline(message);
        // Report a failure once, not on every retry: the backoff keeps trying quietly.
        if (message !== lastError) this.reportError(error instanceof Error ? error : new Error(message));
        lastError = message;
      }
      if (connection) {
        if (signal.aborted) {
          await connection.close().catch(() => {});
          break;
        }
        attempt = 0;
        lastError = '';
        this.#setOnline();
        const reason = await Promise.race([
          connection.lost.catch((error: unknown) =>
            error instanceof Error ? error : new Error(String(error)),
          ),
          aborted,
        ]);
        await connection.close().catch(() => {});
        if (signal.aborted) break;
        this.#setOffline(reason.message);
      }
      try {
        await delay(this.clock, backoffDelay(attempt++, this.#backoff), signal);
      } catch {
        break;
      }
    }
    if (this.#state === 'online') this.#setOffline('stopped');
  }
}
