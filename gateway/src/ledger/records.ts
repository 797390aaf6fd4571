import type { LedgerTransactionRecords, ReturnRecord, SaleRecord } from '../domain/ledger-types.ts';
import { LedgerError, uniqueOr } from './errors.ts';
import { all, type Db, one, run } from './sql.ts';

/** `records.sale` / `records.saleReturn`, stored in the transaction that posts them. */
export function insertSale(db: Db, sale: SaleRecord, txId: number): void {
  uniqueOr('SALE_EXISTS', `sale ${sale.saleId} was already recorded`, () =>
    run(
      db,
      'INSERT INTO sales (sale_id, tx_id, member_id, at, record) VALUES (?, ?, ?, ?, ?)',
      sale.saleId,
      txId,
      sale.memberId,
      sale.at,
      JSON.stringify(sale),
    ),
  );
}

/** docs/program.md Returns: "A return can never reverse more than the sale earned, however many returns name it." */
export function insertReturn(db: Db, ret: ReturnRecord, txId: number): void {
  const sale = one<{ record: string }>(db, 'SELECT record FROM sales WHERE sale_id = ?', ret.saleId);
  if (!sale) throw new LedgerError('SALE_UNKNOWN', `return ${ret.returnId} names unknown sale ${ret.saleId}`);
  uniqueOr('RETURN_EXISTS', `return ${ret.returnId} was already recorded`, () =>
    run(
      db,
      'INSERT INTO sale_returns (return_id, sale_id, tx_id, at, record) VALUES (?, ?, ?, ?, ?)',
      ret.returnId,
      ret.saleId,
      txId,
      ret.at,
      JSON.stringify(ret),
    ),
  );
  const earned = (JSON.parse(sale.record) as SaleRecord).earned;
  const totals = { spend: 0, bonus: 0, cashback: 0 };
  for (const r of getReturns(db, ret.saleId)) {
    for (const k of ['spend', 'bonus', 'cashback'] as const) totals[k] += r.reversed[k] ?? 0;
  }
  for (const k of ['spend', 'bonus', 'cashback'] as const) {
    if (totals[k] > (earned[k]?.posted ?? 0)) {
      throw new LedgerError(
        'RETURN_EXCEEDS_SALE',
        `returns of ${ret.saleId} reverse ${totals[k]} ${k}, more than earned`,
      );
    }
  }
}

export function getReturns(db: Db, saleId: string): ReturnRecord[] {
  const rows = all<{ record: string }>(
    db,
    'SELECT record FROM sale_returns WHERE sale_id = ? ORDER BY tx_id',
    saleId,
  );
  return rows.map((r) => JSON.parse(r.record) as ReturnRecord);
}

/** Records beyond sale/saleReturn (the engine adds e.g. `raffleEntries`): kept, not interpreted. */
export function insertOtherRecords(
  db: Db,
  records: LedgerTransactionRecords | undefined,
  txId: number,
): void {
  if (!records) return;
  for (const [kind, value] of Object.entries(records)) {
    if (kind === 'sale' || kind === 'saleReturn' || value === undefined) continue;
    run(
      db,
      'INSERT INTO tx_records (tx_id, kind, record) VALUES (?, ?, ?)',
      txId,
      kind,
      JSON.stringify(value),
    );
  }
}

/** Every stored record of one kind, oldest first (e.g. all `raffleEntries` for a draw). */
export function getRecords(db: Db, kind: string): Array<{ txId: number; record: unknown }> {
  const rows = all<{ tx_id: number; record: string }>(
    db,
    'SELECT tx_id, record FROM tx_records WHERE kind = ? ORDER BY tx_id',
    kind,
  );
  return rows.map((r) => ({ txId: r.tx_id, record: JSON.parse(r.record) as unknown }));
}
