/** Helpers of the durable-upload tests: the store's entries as hq keys them, and polling. */
import type { Db } from '../../../gateway/src/ledger/sql.ts';

/**
 * Every entry the store's database holds (not only the durable ones: a raw read), keyed as
 * hq keys device entries (sync/wire.ts: `{device}/{idempotencyKey}/{seq}`), in seq order.
 */
export function storeKeys(db: Db, deviceId: string): Array<{ seq: number; key: string }> {
  return (
    db
      .prepare(
        `SELECT e.seq, t.idempotency_key AS k FROM entries e JOIN transactions t ON t.id = e.tx_id
         ORDER BY e.seq`,
      )
      .all() as Array<{ seq: number; k: string }>
  ).map((r) => ({ seq: r.seq, key: `${deviceId}/${r.k}/${r.seq}` }));
}

/** Per-member sums of the store's available points, as hq's balances should show them. */
export function storePoints(db: Db): Map<string, number> {
  const rows = db
    .prepare(
      `SELECT owner_id AS m, SUM(amount) AS p FROM entries
       WHERE owner_type = 'member' AND bucket = 'available' AND asset = 'points' GROUP BY owner_id`,
    )
    .all() as Array<{ m: string; p: number }>;
  return new Map(rows.map((r) => [r.m, r.p]));
}

/** Resolves once `check` holds; fails naming `what` after `timeoutMs` (a bound, not a measurement). */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
