import { createReader, type SimulatedReader, type SupervisedReader } from '../../../hardware/src/index.ts';
import type { ReaderConfig } from '../config/schema.ts';
import type { ReaderState, ReaderTap } from '../contract/index.ts';
import { topics } from '../contract/index.ts';
import { type Logger, maskUid } from '../core/logger.ts';
import type { Service } from '../core/service.ts';

export interface ReaderServiceDeps {
  readers: readonly ReaderConfig[];
  publish: (topic: string, payload: object, options: { qos: 0 | 1; retain: boolean }) => Promise<void>;
  logger: Logger;
  /** Called for every debounced tap of our own readers (the kiosk session starts here). */
  onTap?: (tap: ReaderTap) => void;
}

/**
 * The store's card readers: starts each configured reader, publishes its debounced taps on
 * `reader/{id}/tap` (QoS 1) and its state retained on `reader/{id}/state`, so the kiosk can
 * show "reader offline" (protocol.md §1 Readers).
 */
export class ReaderService implements Service {
  readonly name = 'readers';
  private readonly readers = new Map<string, SupervisedReader>();

  constructor(private readonly deps: ReaderServiceDeps) {}

  async start(): Promise<void> {
    for (const config of this.deps.readers) {
      const log = this.deps.logger.child(`hw:${config.driver}:${config.id}`);
      const reader = createReader(config, {
        logger: {
          debug: (msg: string) => log.debug(msg),
          info: (msg: string) => log.info(msg),
          warn: (msg: string) => log.warn(msg),
          error: (msg: string) => log.error(msg),
        },
      });
      const state = (s: ReaderState['state'], message?: string) =>
        this.publishState({
          reader: config.id,
          state: s,
          at: new Date().toISOString(),
          ...(message ? { message } : {}),
        });
      reader.on('tap', (tap) => {
        log.info('card tapped', { uid: maskUid(tap.uid), cardType: tap.cardType });
        const message: ReaderTap = { uid: tap.uid, at: tap.at.toISOString(), reader: config.id };
        this.deps.publish(topics.readerTap(config.id), message, { qos: 1, retain: false }).catch(() => {});
        void state('card-present');
        this.deps.onTap?.(message);
      });
      reader.on('removed', () => void state('ready'));
      reader.on('online', () => void state('ready'));
      reader.on('offline', (e) => void state('offline', e.reason));
      this.readers.set(config.id, reader);
      await reader.start();
    }
  }

  async stop(): Promise<void> {
    for (const reader of this.readers.values()) await reader.stop();
    this.readers.clear();
  }

  /** The simulated reader with this id (CLI and loopback HTTP taps), if there is one. */
  simulated(id: string): SimulatedReader | undefined {
    const reader = this.readers.get(id);
    return reader && 'tap' in reader && typeof reader.tap === 'function'
      ? (reader as SimulatedReader)
      : undefined;
  }

  private async publishState(state: ReaderState): Promise<void> {
    await this.deps
      .publish(topics.readerState(state.reader), state, { qos: 1, retain: true })
      .catch(() => {});
  }
}
