/**
 * A working copy of one owner's lots while an operation builds its postings: what it
 * takes, what it adds, and the balances after — so the response never disagrees with
 * what the ledger will hold once it commits the same postings.
 */
import type { Asset, EntryKind, NewLot, Owner, Posting } from '../domain/ledger-types.ts';
import type { Balances } from './context.ts';
import { balancesOf, type LotView, liveLots } from './lots.ts';

export interface PostingExtras {
  ruleId?: string;
  meta?: Record<string, unknown>;
}

export class Wallet {
  private readonly view: LotView;
  private nextTempId = -1;
  readonly debt: { points: number; credit: number };

  constructor(
    readonly owner: Owner,
    view: LotView,
    debt: { points: number; credit: number } = { points: 0, credit: 0 },
  ) {
    this.view = { ...view, lots: view.lots.map((l) => ({ ...l })) };
    this.debt = { ...debt };
  }

  /** What `take` could take now (pending lots only when not `spendableOnly`). */
  available(asset: Asset, spendableOnly = true): number {
    return liveLots(this.view, asset, spendableOnly)
      .filter((l) => l.id > 0)
      .reduce((s, l) => s + l.remaining, 0);
  }

  /** Consumes up to `amount` from live lots, soonest-expiring first; one posting per lot. */
  take(
    asset: Asset,
    amount: number,
    kind: EntryKind,
    extras: PostingExtras = {},
    spendableOnly = true,
  ): { postings: Posting[]; taken: number } {
    const postings: Posting[] = [];
    let left = amount;
    for (const lot of liveLots(this.view, asset, spendableOnly)) {
      if (left <= 0) break;
      if (lot.id < 0) continue; // created in this transaction: the ledger has no id for it yet
      const x = Math.min(lot.remaining, left);
      lot.remaining -= x;
      left -= x;
      postings.push({
        owner: this.owner,
        asset,
        bucket: 'available',
        kind,
        amount: -x,
        lotId: lot.id,
        ...extras,
      });
    }
    return { postings, taken: amount - left };
  }

  /** Adds a lot; with `repayDebt`, what the owner owes of that asset is paid back first (docs/program.md: Returns, debt). */
  add(
    asset: Asset,
    amount: number,
    kind: EntryKind,
    lot: NewLot,
    extras: PostingExtras = {},
    repayDebt = false,
  ): Posting[] {
    if (amount <= 0) return [];
    const postings: Posting[] = [];
    const repay = repayDebt ? Math.min(amount, this.debt[asset]) : 0;
    if (repay > 0) {
      this.debt[asset] -= repay;
      postings.push({
        owner: this.owner,
        asset,
        bucket: 'debt',
        kind: 'debt-repay',
        amount: -repay,
        ...extras,
      });
    }
    const rest = amount - repay;
    if (rest > 0) {
      postings.push({ owner: this.owner, asset, bucket: 'available', kind, amount: rest, lot, ...extras });
      this.view.lots.push({
        id: this.nextTempId--,
        asset,
        remaining: rest,
        earnedAt: lot.availableAt,
        ...lot,
      });
    }
    return postings;
  }

  /** Records a shortfall as owed (`debt` bucket). */
  owe(asset: Asset, amount: number, extras: PostingExtras = {}): Posting[] {
    if (amount <= 0) return [];
    this.debt[asset] += amount;
    return [{ owner: this.owner, asset, bucket: 'debt', kind: 'debt', amount, ...extras }];
  }

  balances(): Balances {
    return balancesOf(this.view);
  }
}
