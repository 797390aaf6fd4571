import type { HistoryEntry, ReaderState } from '../../gateway/src/contract/index.ts';
import type { KioskMemberSession } from '../../gateway/src/kiosk/wire.ts';
import type { Lang, RefusalCode } from './i18n/index.ts';

export type Screen =
  | 'attract'
  | 'home'
  | 'rewards'
  | 'history'
  | 'convert'
  | 'pin'
  | 'voucher'
  | 'unknown-card'
  | 'refused'
  | 'session-expired'
  | 'not-paired';

/** What the PIN pad confirms. */
export type Pending = { kind: 'redeem'; rewardId: string } | { kind: 'convert'; points: number };

export type Outcome =
  | { kind: 'voucher'; rewardId: string; sku: string; code: string }
  | { kind: 'credit'; rewardId: string; credit: number }
  | { kind: 'converted'; points: number; credit: number };

export interface KioskState {
  screen: Screen;
  lang: Lang;
  connection: 'connecting' | 'online' | 'offline';
  reader: ReaderState['state'] | 'unknown';
  /** Everything below is personal and goes on reset. */
  session: KioskMemberSession | null;
  refusal: RefusalCode | null;
  pending: Pending | null;
  pinError: 'PIN_INVALID' | 'other' | null;
  busy: boolean;
  outcome: Outcome | null;
  history: HistoryEntry[] | null;
  /** Seconds left before the idle reset; null when no warning is shown. */
  idleWarning: number | null;
}

const blank = (lang: Lang): KioskState => ({
  screen: 'attract',
  lang,
  connection: 'connecting',
  reader: 'unknown',
  session: null,
  refusal: null,
  pending: null,
  pinError: null,
  busy: false,
  outcome: null,
  history: null,
  idleWarning: null,
});

/**
 * The page's one state object. No business rules: it holds what the gateway said and what
 * the customer is doing. `reset` drops every personal field (program data included) so
 * nothing of the member outlives the session, in memory or in the DOM rendered from it.
 */
export class Store {
  #state: KioskState;
  readonly #listeners = new Set<() => void>();

  constructor(readonly defaultLang: Lang) {
    this.#state = blank(defaultLang);
  }

  get state(): Readonly<KioskState> {
    return this.#state;
  }

  set(patch: Partial<KioskState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Back to the attract screen: the connection and reader state stay, nothing personal does. */
  reset(screen: Screen = 'attract'): void {
    const { connection, reader } = this.#state;
    this.#state = { ...blank(this.defaultLang), connection, reader, screen };
    for (const listener of this.#listeners) listener();
  }
}
