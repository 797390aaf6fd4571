/**
 * The kiosk's message catalogue: one typed object per language, so a missing string is a
 * type error. Numbers and dates arrive already formatted for the locale (format.ts); the
 * functions only place them and pick plural forms.
 */
export const LANGS = ['hy', 'fa', 'en', 'ru'] as const;
export type Lang = (typeof LANGS)[number];

export const isLang = (value: unknown): value is Lang => LANGS.includes(value as Lang);

export type RefusalCode =
  | 'CARD_BLOCKED'
  | 'CARD_LOCKED'
  | 'CARD_EXPIRED'
  | 'CARD_SUSPENDED'
  | 'CARD_NOT_GENUINE'
  | 'other';

export interface Messages {
  /** The language's own name, for the switcher. */
  langName: string;
  language: string;
  title: string;
  tapCard: string;
  tapHint: string;
  hello: (name: string) => string;
  /** `n` decides the plural form; `formatted` is n in the locale's digits. */
  points: (n: number, formatted: string) => string;
  balance: string;
  wallet: string;
  /**
   * Under the balance in a chain store: how much of it this store can spend (the rest is held
   * by other stores). `points` is formatted with its noun; `credit` only when it differs too.
   */
  spendableHere: (points: string, credit?: string) => string;
  tier: string;
  toNextTier: (points: string, tier: string) => string;
  topTier: string;
  expiring: (points: string, date: string) => string;
  offers: string;
  offerDiscount: (percent: string) => string;
  offerMultiplier: (factor: string) => string;
  suspended: string;
  rewards: string;
  history: string;
  convert: string;
  done: string;
  back: string;
  cancel: string;
  redeem: string;
  notEnough: (points: string) => string;
  tierLocked: string;
  outOfStock: string;
  left: (count: string) => string;
  enterPin: string;
  pinFor: (what: string) => string;
  pinDelete: string;
  pinOk: string;
  pinEntered: (count: string) => string;
  wrongPin: string;
  busy: string;
  voucherTitle: string;
  voucherHint: string;
  voucherCode: string;
  creditAdded: (credit: string) => string;
  converted: (points: string, credit: string) => string;
  convertTitle: string;
  convertRate: (points: string, credit: string) => string;
  convertNone: string;
  newBalance: string;
  historyEmpty: string;
  kinds: Record<string, string>;
  unknownTitle: string;
  unknownHint: string;
  refused: Record<RefusalCode, string>;
  refusedHint: string;
  lockedHint: string;
  sessionExpired: string;
  readerOffline: string;
  gatewayOffline: string;
  stillThere: string;
  stay: string;
  endingIn: (seconds: string) => string;
  notPaired: string;
  pairHint: string;
  pairWrong: string;
  errorGeneric: string;
}
