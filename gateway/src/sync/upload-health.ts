/**
 * How this device's uploads to head office are going, kept in the ledger database
 * (`sync_state`) so the running gateway (`/health`, `gateway/status`) and the commands that
 * read the database (`status`, `doctor`) tell the same story (docs/sync.md: when uploads
 * fail). Two things: uploads failing since when and why, and what hq quarantined (an entry
 * it could not store; docs/sync.md: quarantine).
 */

import type { Db } from '../ledger/sql.ts';
import { getSyncState, setSyncState } from '../ledger/sync-store.ts';
import type { QuarantineReport } from './wire.ts';

export interface UploadFailure {
  /** When the first upload of this run of failures failed. */
  since: string;
  /** The latest failure, e.g. `ledger batch: hq answered 500`. */
  error: string;
  /** Failed attempts in a row. */
  attempts: number;
}

export interface UploadHealth {
  /** Null while uploads succeed (or none was tried yet). */
  failing: UploadFailure | null;
  /** How many items hq has quarantined from this device. */
  quarantined: number;
  /** The latest of them (at most KEEP), newest last. */
  quarantinedItems: QuarantineReport[];
}

/** The most quarantine reports kept on the device; hq keeps them all (`GET /v1/admin/quarantine`). */
const KEEP = 50;

const parse = <T>(text: string | null, fallback: T): T => {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

export function readUploadHealth(db: Db): UploadHealth {
  const q = parse<{ count: number; items: QuarantineReport[] }>(getSyncState(db, 'quarantined'), {
    count: 0,
    items: [],
  });
  return {
    failing: parse<UploadFailure | null>(getSyncState(db, 'uploadFailure'), null),
    quarantined: q.count,
    quarantinedItems: q.items,
  };
}

export function noteUploadFailed(db: Db, error: string, now: Date): UploadFailure {
  const before = readUploadHealth(db).failing;
  const failure = { since: before?.since ?? now.toISOString(), error, attempts: (before?.attempts ?? 0) + 1 };
  setSyncState(db, 'uploadFailure', JSON.stringify(failure));
  return failure;
}

export function noteUploadOk(db: Db): void {
  if (getSyncState(db, 'uploadFailure') !== 'null') setSyncState(db, 'uploadFailure', 'null');
}

/** Adds what an ack reports as quarantined; a report heard before (a re-sent batch) counts once. */
export function noteQuarantined(db: Db, reports: readonly QuarantineReport[]): QuarantineReport[] {
  const known = readUploadHealth(db);
  const id = (r: QuarantineReport) => `${r.item}\n${r.key}`;
  const seen = new Set(known.quarantinedItems.map(id));
  const fresh = reports.filter((r) => !seen.has(id(r)));
  if (fresh.length === 0) return [];
  const items = [...known.quarantinedItems, ...fresh].slice(-KEEP);
  setSyncState(db, 'quarantined', JSON.stringify({ count: known.quarantined + fresh.length, items }));
  return fresh;
}
