import {
  type CardType,
  createReader,
  type Indicator,
  type ReaderDependencies,
  type SimulatedReader,
  type SupervisedReader,
  type TapEvent,
} from '../../../hardware/src/index.ts';
import type { DrivenReaderConfig } from '../config/schema.ts';
import type { ErrorBody, ReaderState, ReaderTap } from '../contract/index.ts';
import { topics } from '../contract/index.ts';
import { type Logger, maskUid } from '../core/logger.ts';
import type { Service } from '../core/service.ts';
import { type Authenticity, authenticityRefusal, checkCard } from './card-check.ts';
import { type WriteTokenRequest, type WrittenToken, writeTokenToCard } from './write-token.ts';

/** What a tap came to, for the indicator: `member` shows ok, anything else error. */
export type TapOutcome = 'member' | 'unknown-card' | 'refused';

export interface ReaderServiceDeps {
  /** The readers the gateway drives (external ones send their taps over MQTT). */
  readers: readonly DrivenReaderConfig[];
  publish: (topic: string, payload: object, options: { qos: 0 | 1; retain: boolean }) => Promise<void>;
  logger: Logger;
  /**
   * Called for every debounced tap of our own readers (the kiosk session starts here), with the
   * refusal when the card failed the authenticity check.
   */
  onTap?: (tap: ReaderTap, refusal: ErrorBody | null) => void;
  /** The hardware seams (serial, SPI, GPIO); tests put the emulators here. */
  hardware?: Omit<ReaderDependencies, 'logger'>;
  /** The lights and buzzer; busy while a tap is checked, then ok or error. */
  indicator?: Indicator;
  /** The config's cardTokenKey as bytes; null: no token is read, every card is UID-only. */
  tokenKey?: Uint8Array | null;
  /** The program's `cards.requireToken`, read at each tap. */
  requireToken?: () => boolean;
  /** Whether a UID finds a member the kiosk may show (for the indicator). */
  lookup?: (uid: string) => TapOutcome;
}

/**
 * The store's card readers: starts each configured reader, checks each tap's card (its signed
 * token, docs/hardware.md), publishes accepted taps on `reader/{id}/tap` (QoS 1) and every
 * reader's state retained on `reader/{id}/state`, so the kiosk can show "reader offline"
 * (docs/protocol.md §1 Readers), and plays the tap's outcome on the indicator.
 */
export class ReaderService implements Service {
  readonly name = 'readers';
  private readonly readers = new Map<string, SupervisedReader>();
  /** The card on each reader now, from its tap and removed events. */
  private readonly present = new Map<string, { uid: string; cardType: CardType }>();
  /** Taps of one reader are handled in order, each after the previous one's token read. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly deps: ReaderServiceDeps) {}

  async start(): Promise<void> {
    if (this.deps.requireToken?.() && !this.deps.tokenKey)
      this.deps.logger.warn(
        'the program requires card tokens but the config has no cardTokenKey: every tap will be refused',
      );
    for (const config of this.deps.readers) {
      const log = this.deps.logger.child(`hw:${config.driver}:${config.id}`);
      const reader = createReader(config, {
        ...this.deps.hardware,
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
        this.present.set(config.id, { uid: tap.uid, cardType: tap.cardType });
        log.info('card tapped', { uid: maskUid(tap.uid), cardType: tap.cardType });
        this.deps.indicator?.show('busy');
        void state('card-present');
        const previous = this.queues.get(config.id) ?? Promise.resolve();
        const next = previous.then(() => this.handleTap(config.id, reader, tap, log));
        this.queues.set(config.id, next);
      });
      reader.on('removed', (removed) => {
        if (this.present.get(config.id)?.uid === removed.uid) this.present.delete(config.id);
        void state('ready');
      });
      reader.on('online', () => void state('ready'));
      reader.on('offline', (e) => {
        this.present.delete(config.id);
        void state('offline', e.reason);
      });
      this.readers.set(config.id, reader);
      await reader.start();
    }
  }

  async stop(): Promise<void> {
    for (const reader of this.readers.values()) await reader.stop();
    await Promise.all(this.queues.values());
    this.readers.clear();
    this.present.clear();
    this.queues.clear();
  }

  /** The simulated reader with this id (CLI and loopback HTTP taps), if there is one. */
  simulated(id: string): SimulatedReader | undefined {
    const reader = this.readers.get(id);
    return reader && 'tap' in reader && typeof reader.tap === 'function'
      ? (reader as SimulatedReader)
      : undefined;
  }

  /** The card on reader `id` now, if any. */
  cardOn(id: string): { uid: string; cardType: CardType } | undefined {
    return this.present.get(id);
  }

  /** Writes the signed token to the card on reader `id` (the loopback route of `cards write-token`). */
  writeToken(id: string, request: WriteTokenRequest): Promise<WrittenToken> {
    return writeTokenToCard(
      this.readers.get(id),
      id,
      this.present.get(id),
      request,
      this.deps.tokenKey ?? null,
    );
  }

  private async handleTap(id: string, reader: SupervisedReader, tap: TapEvent, log: Logger): Promise<void> {
    try {
      const card = await checkCard(reader, tap, this.deps.tokenKey ?? null);
      const refusal = authenticityRefusal(card, this.deps.requireToken?.() ?? false);
      const message: ReaderTap = { uid: tap.uid, at: tap.at.toISOString(), reader: id };
      log.info(refusal ? 'card refused' : 'card accepted', {
        uid: maskUid(tap.uid),
        card: describe(card),
      });
      // A card we refuse as not genuine is not announced to integrations as a tap.
      if (!refusal)
        this.deps.publish(topics.readerTap(id), message, { qos: 1, retain: false }).catch(() => {});
      this.deps.onTap?.(message, refusal);
      const outcome: TapOutcome = refusal ? 'refused' : (this.deps.lookup?.(tap.uid) ?? 'member');
      this.deps.indicator?.show(outcome === 'member' ? 'ok' : 'error');
    } catch (error) {
      log.error('tap not handled', { error: String(error) });
      this.deps.indicator?.show('error');
    }
  }

  private async publishState(state: ReaderState): Promise<void> {
    await this.deps
      .publish(topics.readerState(state.reader), state, { qos: 1, retain: true })
      .catch(() => {});
  }
}

const describe = (card: Authenticity): string =>
  card.kind === 'token'
    ? `token (issued ${card.issued})`
    : card.kind === 'uid-only'
      ? `uid only: ${card.why}`
      : `forged token: ${card.reason}`;
