/** Building the LedgerTransaction every operation returns (ledger-types.ts is the boundary). */
import type {
  LedgerTransaction,
  LedgerTransactionRecords,
  MemberState,
  Posting,
} from '../domain/ledger-types.ts';
import type { EngineContext } from './context.ts';
import { lotView } from './lots.ts';
import type { RaffleEntryRecord } from './raffles.ts';
import { Wallet } from './wallet.ts';

/** The records the ledger stores, plus raffle entries (docs/engine.md: an extension). */
export interface EngineRecords extends LedgerTransactionRecords {
  raffleEntries?: RaffleEntryRecord[];
}

export interface TxInput<R extends EngineRecords> {
  type: string;
  ref?: string;
  /** Defaults to `${type}:${storeId}:${ref}`; till requests pass `till:{clientId}:{requestId}`. */
  idempotencyKey?: string;
  at?: string;
  postings: Posting[];
  records?: R;
}

export function transaction(ctx: EngineContext, input: TxInput<EngineRecords>): LedgerTransaction {
  const tx: LedgerTransaction = {
    idempotencyKey: input.idempotencyKey ?? `${input.type}:${ctx.storeId}:${input.ref ?? ctx.now}`,
    type: input.type,
    at: input.at ?? ctx.now,
    programVersion: ctx.program.version,
    storeId: ctx.storeId,
    postings: input.postings,
  };
  if (input.ref !== undefined) tx.ref = input.ref;
  if (input.records !== undefined) tx.records = input.records;
  return tx;
}

/** A transaction that carries records (sale, return, raffle entries), typed as such. */
export function recordedTransaction<R extends EngineRecords>(
  ctx: EngineContext,
  input: TxInput<R> & { records: R },
): LedgerTransaction & { records: R } {
  return { ...transaction(ctx, input), records: input.records };
}

export function memberWallet(ctx: EngineContext, member: MemberState): Wallet {
  return new Wallet({ member: member.memberId }, lotView(ctx.program, member, ctx.now), member.debt);
}

/**
 * Attaches a signed qualifying change to the transaction's first points posting; with
 * none, a zero-amount carrier posting holds it (docs/engine.md: qualifying carrier).
 */
export function withQualifying(
  postings: Posting[],
  memberId: string,
  qualifying: number,
  kind: 'earn' | 'reverse',
): Posting[] {
  if (qualifying === 0) return postings;
  const first = postings.find(
    (p) => p.asset === 'points' && 'member' in p.owner && p.owner.member === memberId,
  );
  if (first) {
    first.qualifying = (first.qualifying ?? 0) + qualifying;
    return postings;
  }
  return [
    ...postings,
    {
      owner: { member: memberId },
      asset: 'points',
      bucket: 'available',
      kind,
      amount: 0,
      qualifying,
      meta: { qualifyingOnly: true },
    },
  ];
}
