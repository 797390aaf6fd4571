import type { NewLot, Posting } from '../domain/ledger-types.ts';
import { applyTransaction } from './commit.ts';
import { insertCard, insertMember } from './effects.ts';
import { LedgerError } from './errors.ts';
import { hashPinAsync, IMPORT_PIN_PARAMS, type ScryptParams } from './pins.ts';
import { type Db, one } from './sql.ts';

/** docs/program.md "Cards and members" import columns, already validated and typed by the CLI. */
export interface ImportRow {
  line: number;
  memberId: string;
  cardUid: string;
  firstName: string;
  lastName: string | null;
  phone: string | null;
  email: string | null;
  birthDate: string | null;
  anniversaryDate: string | null;
  language: string | null;
  customerGroup: string | null;
  pin: string | null;
  openingPoints: number;
  openingCredit: number;
}

export interface ImportOptions {
  at: string; // enrolled_at of new members and `at` of opening transactions
  storeId: string;
  programVersion: number;
  /** The program's first tier (threshold 0). */
  tier: string;
  /** Lots of the opening balances; default: available at once, never expiring. */
  pointsLot?: NewLot;
  creditLot?: NewLot;
  pinParams?: ScryptParams;
  /** PINs hashed so far (hashing is the slow part). */
  onProgress?: (done: number, total: number) => void;
  /** PINs hashed in parallel (libuv thread pool, 4 threads unless UV_THREADPOOL_SIZE says otherwise). */
  concurrency?: number;
}

export interface ImportProblem {
  line: number;
  message: string;
}

export type ImportResult =
  | { ok: true; members: number; cards: number; openings: number }
  | { ok: false; problems: ImportProblem[] };

/**
 * docs/program.md: "a bad row is reported with its line number and nothing of that file is
 * applied". Conflicts are found first (reads), PINs hashed next (async, outside any
 * transaction), then everything is written in ONE synchronous transaction.
 * A row names one card; several rows with the same member id add cards to that member (its
 * details and opening balances are taken from its first row only when the others repeat them).
 */
export async function importMembers(db: Db, rows: ImportRow[], opts: ImportOptions): Promise<ImportResult> {
  const problems = findConflicts(db, rows);
  if (problems.length > 0) return { ok: false, problems };

  const hashes = await hashAll(rows, opts);

  let currentLine = 0;
  const write = db.transaction(() => {
    const firstRowOf = new Set<string>();
    let members = 0;
    let openings = 0;
    const available = { availableAt: opts.at, expiresAt: null };
    for (const [i, r] of rows.entries()) {
      currentLine = r.line;
      const isNew = !firstRowOf.has(r.memberId);
      if (isNew) {
        firstRowOf.add(r.memberId);
        members++;
        insertMember(db, {
          id: r.memberId,
          firstName: r.firstName,
          lastName: r.lastName,
          phone: r.phone,
          email: r.email,
          birthDate: r.birthDate,
          anniversaryDate: r.anniversaryDate,
          language: r.language ?? 'en',
          customerGroup: r.customerGroup,
          tier: opts.tier,
          enrolledAt: opts.at,
        });
      }
      insertCard(db, {
        uid: r.cardUid,
        memberId: r.memberId,
        pinHash: hashes[i] ?? null,
        createdAt: opts.at,
      });
      const postings: Posting[] = [];
      const owner = { member: r.memberId };
      if (r.openingPoints > 0) {
        postings.push({
          owner,
          asset: 'points',
          bucket: 'available',
          kind: 'opening',
          amount: r.openingPoints,
          lot: opts.pointsLot ?? available,
        });
      }
      if (r.openingCredit > 0) {
        postings.push({
          owner,
          asset: 'credit',
          bucket: 'available',
          kind: 'opening',
          amount: r.openingCredit,
          lot: opts.creditLot ?? available,
        });
      }
      if (postings.length === 0) continue;
      // The line keeps a re-import of the same file from posting twice (idempotency key).
      applyTransaction(
        db,
        {
          idempotencyKey: `import:opening:${r.memberId}:${r.cardUid.toUpperCase()}`,
          type: 'opening',
          at: opts.at,
          programVersion: opts.programVersion,
          storeId: opts.storeId,
          ref: r.memberId,
          postings,
        },
        opts.at,
      );
      openings++;
    }
    return { ok: true as const, members, cards: rows.length, openings };
  });
  try {
    return write.immediate();
  } catch (err) {
    // A conflict appearing between the check and the write (another writer): nothing applied.
    if (err instanceof LedgerError)
      return { ok: false, problems: [{ line: currentLine, message: err.message }] };
    throw err;
  }
}

function findConflicts(db: Db, rows: ImportRow[]): ImportProblem[] {
  const problems: ImportProblem[] = [];
  const uids = new Map<string, number>();
  const memberFirstLine = new Map<string, ImportRow>();
  for (const r of rows) {
    const uid = r.cardUid.toUpperCase();
    if (!/^[0-9A-F]+$/.test(uid))
      problems.push({ line: r.line, message: `card_uid ${r.cardUid} is not hex` });
    const seen = uids.get(uid);
    if (seen !== undefined) problems.push({ line: r.line, message: `card_uid ${uid} repeats line ${seen}` });
    else uids.set(uid, r.line);
    if (one(db, 'SELECT 1 FROM cards WHERE uid = ?', uid))
      problems.push({ line: r.line, message: `card_uid ${uid} already exists` });
    if (!memberFirstLine.has(r.memberId)) {
      memberFirstLine.set(r.memberId, r);
      // A phone finds one member's card (docs/protocol.md card reference), so it may not be shared.
      const owner =
        r.phone === null
          ? undefined
          : one<{ id: string }>(
              db,
              'SELECT id FROM members WHERE phone = ? AND id <> ?',
              r.phone,
              r.memberId,
            );
      if (owner)
        problems.push({ line: r.line, message: `phone ${r.phone} already belongs to member ${owner.id}` });
      if (one(db, 'SELECT 1 FROM members WHERE id = ?', r.memberId)) {
        problems.push({ line: r.line, message: `member_id ${r.memberId} already exists` });
      }
    }
    for (const [name, v] of [
      ['opening_points', r.openingPoints],
      ['opening_credit', r.openingCredit],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 0)
        problems.push({ line: r.line, message: `${name} must be a non-negative integer` });
    }
  }
  return problems;
}

async function hashAll(rows: ImportRow[], opts: ImportOptions): Promise<Array<string | null>> {
  const params = opts.pinParams ?? IMPORT_PIN_PARAMS;
  const hashes: Array<string | null> = rows.map(() => null);
  const todo = rows.flatMap((r, i) => (r.pin === null || r.pin === '' ? [] : [i]));
  let next = 0;
  let done = 0;
  opts.onProgress?.(0, todo.length);
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const i = todo[next++] as number;
      hashes[i] = await hashPinAsync((rows[i] as ImportRow).pin as string, params);
      done++;
      if (done % 100 === 0 || done === todo.length) opts.onProgress?.(done, todo.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  return hashes;
}
