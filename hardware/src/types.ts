/** Public shapes of hardware/: readers and indicators. Bytes and pins only, no loyalty. */

/** Namespaced logger passed in by the composition root; the default is a no-op. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What the card said about itself (from SAK, or `unknown` when the reader does not tell). */
export type CardType =
  | 'mifare-classic-1k'
  | 'mifare-classic-4k'
  | 'mifare-ultralight'
  | 'iso14443-4'
  | 'iso14443a'
  | 'unknown';

export interface TapEvent {
  /** Upper-case hex, no separators, 4, 7 or 10 bytes for ISO 14443A cards. */
  uid: string;
  cardType: CardType;
  at: Date;
}

export interface RemovedEvent {
  uid: string;
  at: Date;
}

export interface OfflineEvent {
  reason: string;
  at: Date;
}

export interface ReaderEvents {
  tap: TapEvent;
  removed: RemovedEvent;
  error: Error;
  online: { at: Date };
  offline: OfflineEvent;
}

export type Listener<T> = (payload: T) => void;

export interface Reader {
  readonly id: string;
  readonly online: boolean;
  on<K extends keyof ReaderEvents>(event: K, listener: Listener<ReaderEvents[K]>): () => void;
  off<K extends keyof ReaderEvents>(event: K, listener: Listener<ReaderEvents[K]>): void;
  /** Resolves once the first connection attempt is under way; failures retry in the background. */
  start(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

/** MIFARE Classic style block access for readers whose hardware supports it. */
export interface BlockAccess {
  /** Reads 16-byte blocks from the card on the reader now (key A). */
  readBlocks(uid: string, blocks: readonly number[], keyA: Uint8Array): Promise<Uint8Array>;
  /** Writes `data` (16 bytes a block) to consecutive `blocks`. */
  writeBlocks(uid: string, blocks: readonly number[], data: Uint8Array, keyA: Uint8Array): Promise<void>;
}

/** Pulses a reader's hardware reset line (MFRC522 NRSTPD). */
export interface ResetLine {
  pulse(): Promise<void>;
}

export type IndicatorPattern = 'ok' | 'error' | 'idle' | 'busy';

export interface Indicator {
  /** Plays a pattern; a new pattern cancels the one playing. */
  show(pattern: IndicatorPattern): void;
  start(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

/** Error carrying a stable code, converted at the gateway boundary. */
export class HardwareError extends Error {
  constructor(
    readonly code:
      | 'NOT_CONNECTED'
      | 'TIMEOUT'
      | 'NO_CARD'
      | 'AUTH_FAILED'
      | 'IO'
      | 'NOT_ACCESSIBLE'
      | 'NOT_FOUND'
      | 'UNSUPPORTED'
      | 'PROTOCOL',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HardwareError';
  }
}

/** Maps an ISO 14443-3 SAK to a coarse card type. */
export function cardTypeFromSak(sak: number): CardType {
  if (sak & 0x04) return 'unknown'; // cascade bit: UID incomplete, should not reach here
  if ((sak & 0x18) === 0x18) return 'mifare-classic-4k';
  if (sak & 0x08) return 'mifare-classic-1k';
  if (sak & 0x20) return 'iso14443-4';
  if (sak === 0x00) return 'mifare-ultralight';
  return 'iso14443a';
}
