import type { Balances } from '../../../gateway/src/contract/index.ts';
import type { Controller } from '../controller.ts';
import type { Format } from '../i18n/index.ts';
import type { KioskState } from '../store.ts';

/** What every view renders from: the state, the language's formatting, and the actions. */
export interface View {
  s: Readonly<KioskState>;
  f: Format;
  c: Controller;
}

/**
 * What this store can spend: in a chain, `balances` are the member's across all stores and
 * `spendableHere` the part this store's own lots hold (docs/sync.md); standalone, all of it.
 */
export const spendable = (b: Balances): { points: number; credit: number } => b.spendableHere ?? b;
