/**
 * B5's data set: a real store database (created and migrated by the product's own
 * `openStoreLedger`) bulk-filled with `members` members, one card each, and `entries` ledger
 * entries with their transactions, lots, balances and outbox rows. Seeded: the same data
 * every run for the same sizes, schema and month. Cached under tests/bench/.data/ by a
 * version key; regenerated when absent.
 *
 * The rows are what the ledger itself would have written: sales earn 1–3 points postings
 * (each its own lot, the tx's qualifying on the first), reward redemptions spend from the
 * member's latest lot; entries arrive in time order across members (so one member's rows
 * are scattered over the table, as in a store that ran for months); balances = the sum of
 * the member's entries and lots.remaining = the entries naming the lot, by construction;
 * tiers follow the 12-month qualifying total; all outbox rows are acknowledged except the
 * last half hour's. Small sizes run the ledger's own `verify` on the result.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { defaultMigrationsDir } from '../../gateway/src/ledger/database.ts';
import { verify } from '../../gateway/src/ledger/verify.ts';
import { databasePath, openStoreLedger } from '../../gateway/src/store-ledger.ts';

const DAY = 86_400_000;
const SPAN_DAYS = 300;
const log = (line: string) => process.stderr.write(`b5: ${line}\n`);

export interface B5Data {
  /** The cached store.db (do not write to it: copy it first). */
  path: string;
  members: number;
  entries: number;
  transactions: number;
  /** Seconds this call spent generating; null when the cache was reused. */
  generatedSeconds: number | null;
  sizeBytes: number;
}

/** A small seeded PRNG (mulberry32): the same data every run. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** murmur3's finalizer: a bijection on 32-bit integers, so distinct members get distinct UIDs. */
const fmix32 = (x: number): number => {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};
const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');

/** Member `i` (1-based) of the data set. */
export const memberId = (i: number): string => `M${String(i).padStart(7, '0')}`;
/** The 7-byte UID (as read, hex upper case) of member `i`'s card: scattered, like real UIDs. */
export const cardUid = (i: number): string => `04${hex(fmix32(i), 8)}${hex(Math.imul(i, 7919) & 0xffff, 4)}`;

/** The data is dated in the 300 days before the first of the current month (UTC), so no lot has expired yet. */
const anchorMs = (): number => {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
};
/** As tills send it: local time in the store's zone (Asia/Yerevan, +04:00). */
const local = (ms: number): string => `${new Date(ms + 4 * 3_600_000).toISOString().slice(0, 19)}+04:00`;

export const schemaHash = (): string => {
  const h = createHash('sha256');
  const dir = defaultMigrationsDir();
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.sql')) h.update(readFileSync(join(dir, f)));
  return h.digest('hex').slice(0, 10);
};

export const DATA_DIR = new URL('./.data/', import.meta.url).pathname;
/** Bump when the generator changes what it writes. */
const GENERATOR = 'v1';

export async function ensureB5Data(opts: { members: number; entries: number }): Promise<B5Data> {
  const { members, entries } = opts;
  const anchor = new Date(anchorMs()).toISOString().slice(0, 7);
  const key = `b5-${GENERATOR}-${members}m-${entries}e-${anchor}-${schemaHash()}`;
  const dir = join(DATA_DIR, key);
  const path = join(dir, 'store.db');
  if (existsSync(path)) {
    const db = new Database(path, { readonly: true });
    const n = db.prepare('SELECT count(*) AS n FROM transactions').get() as { n: number };
    db.close();
    log(`reusing ${path}`);
    return {
      path,
      members,
      entries,
      transactions: n.n,
      generatedSeconds: null,
      sizeBytes: statSync(path).size,
    };
  }
  mkdirSync(DATA_DIR, { recursive: true });
  // Older data sets (another size, schema or month) are left to the user: they may be reused.
  const building = join(DATA_DIR, `${key}.building-${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  const started = performance.now();
  log(`generating ${members} members, ${entries} entries into ${building}…`);
  const transactions = generate(building, members, entries);
  renameSync(building, dir);
  const generatedSeconds = (performance.now() - started) / 1000;
  const sizeBytes = statSync(path).size;
  log(`generated in ${generatedSeconds.toFixed(1)} s, ${(sizeBytes / 1e9).toFixed(2)} GB`);
  return { path, members, entries, transactions, generatedSeconds, sizeBytes };
}

function generate(dataDir: string, N: number, E: number): number {
  // The product creates the file: its migrations, its pragmas (WAL stays set in the file).
  openStoreLedger({ dataDir }).close();
  const path = databasePath({ dataDir });
  const db = new Database(path);
  // Bulk-load settings for this connection only: the file is thrown away if this fails.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('cache_size = -1000000');
  db.pragma('temp_store = MEMORY');
  // The schema's own indexes are dropped for the load and rebuilt from their stored SQL.
  const indexes = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    .all() as Array<{ name: string; sql: string }>;
  for (const ix of indexes) db.exec(`DROP INDEX "${ix.name}"`);

  const anchor = anchorMs();
  const T0 = anchor - SPAN_DAYS * DAY;
  const span = SPAN_DAYS * DAY;
  const unsentFrom = anchor - 30 * 60_000;
  const random = prng(5);

  // Visits per member: exponential weights (a few regulars, many occasional customers).
  const cum = new Float64Array(N);
  let W = 0;
  for (let i = 0; i < N; i++) {
    W += -Math.log(1 - random());
    cum[i] = W;
  }
  const pick = (): number => {
    const x = random() * W;
    let lo = 0;
    let hi = N - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const balance = new Int32Array(N);
  const qualifying = new Int32Array(N);
  const lastSale = new Float64Array(N);
  const lastLot = new Int32Array(N);
  const lastLotLeft = new Int32Array(N);
  const posted = new Uint8Array(N);

  const insTx = db.prepare(
    `INSERT INTO transactions (id, idempotency_key, request_hash, type, at, store_id, ref, response, program_version)
     VALUES (?, ?, ?, ?, ?, 'test-store', ?, ?, 1)`,
  );
  const insLot = db.prepare(
    `INSERT INTO lots (id, owner_type, owner_id, asset, amount, remaining, earned_at, available_at, expires_at, expires_ms, tx_id)
     VALUES (?, 'member', ?, 'points', ?, ?, ?, ?, ?, ?, ?)`,
  );
  const spendLot = db.prepare('UPDATE lots SET remaining = remaining - ? WHERE id = ?');
  const insEntry = db.prepare(
    `INSERT INTO entries (seq, tx_id, owner_type, owner_id, asset, bucket, kind, amount, lot_id, hold_id, qualifying,
       rule_id, meta, at, at_ms, program_version)
     VALUES (?, ?, 'member', ?, 'points', 'available', ?, ?, ?, NULL, ?, ?, ?, ?, ?, 1)`,
  );
  const insOutbox = db.prepare(
    'INSERT INTO outbox (id, tx_id, from_seq, to_seq, created_at, sent_at) VALUES (?, ?, ?, ?, ?, ?)',
  );

  let seq = 0;
  let tx = 0;
  let lot = 0;
  const chunk = db.transaction((until: number) => {
    while (seq < until) {
      const m = pick();
      const owner = memberId(m + 1);
      const atMs = T0 + Math.floor((seq / E) * span);
      const at = local(atMs);
      const till = `till-0${1 + (tx % 4)}`;
      tx++;
      const hash = createHash('sha256').update(String(tx)).digest('hex');
      const from = seq + 1;
      if (lastLotLeft[m]! >= 100 && random() < 0.08) {
        // A reward redeemed from the member's latest lot.
        const cost = lastLotLeft[m]! >= 300 && random() < 0.3 ? 300 : 100;
        const reward = cost === 300 ? 'coffee' : 'wallet-1000';
        insTx.run(
          tx,
          `till:${till}:b5-${tx}`,
          hash,
          'redeem-reward',
          at,
          null,
          JSON.stringify({ rewardId: reward, balances: { points: balance[m]! - cost } }),
        );
        seq++;
        insEntry.run(
          seq,
          tx,
          owner,
          'spend',
          -cost,
          lastLot[m],
          0,
          null,
          `{"rewardId":"${reward}"}`,
          at,
          atMs,
        );
        spendLot.run(cost, lastLot[m]);
        lastLotLeft[m] = lastLotLeft[m]! - cost;
        balance[m] = balance[m]! - cost;
      } else {
        // A sale: base points, sometimes a weekend double and a happy hour on top, one lot each.
        const base = 1 + Math.floor(random() ** 2 * 150);
        const amounts = [base];
        if (random() < 0.5) amounts.push(base);
        if (random() < 0.25) amounts.push(Math.ceil(base / 2));
        amounts.length = Math.min(amounts.length, E - seq);
        const rules = ['base', 'weekend-double', 'happy-hour'];
        const total = amounts.reduce((s, a) => s + a, 0);
        insTx.run(
          tx,
          `till:${till}:b5-${tx}`,
          hash,
          'sale',
          at,
          `S-${tx}`,
          JSON.stringify({
            saleId: `S-${tx}`,
            earned: { points: total, credit: 0 },
            breakdown: amounts.map((a, i) => ({ ruleId: rules[i], points: a, credit: 0 })),
            balances: { points: balance[m]! + total, pendingPoints: 0, credit: 0 },
          }),
        );
        const expiresMs = atMs + 365 * DAY;
        const expires = local(expiresMs);
        for (const [i, amount] of amounts.entries()) {
          lot++;
          seq++;
          insLot.run(lot, owner, amount, amount, at, at, expires, expiresMs, tx);
          insEntry.run(seq, tx, owner, 'earn', amount, lot, i === 0 ? total : 0, rules[i], null, at, atMs);
        }
        lastLot[m] = lot;
        lastLotLeft[m] = amounts[amounts.length - 1]!;
        balance[m] = balance[m]! + total;
        qualifying[m] = qualifying[m]! + total;
        lastSale[m] = atMs;
      }
      posted[m] = 1;
      const created = new Date(atMs + 1000).toISOString();
      const sent = atMs >= unsentFrom ? null : new Date(atMs + 60_000).toISOString();
      insOutbox.run(tx, tx, from, seq, created, sent);
    }
  });
  const step = 250_000;
  let lastLog = performance.now();
  for (let until = Math.min(E, step); ; until = Math.min(E, until + step)) {
    chunk(until);
    if (performance.now() - lastLog > 5000 || until === E) {
      log(`  ${seq} / ${E} entries (${tx} transactions)`);
      lastLog = performance.now();
    }
    if (until === E) break;
  }

  // Members, their cards and balances, from what their entries add up to.
  const insMember = db.prepare(
    `INSERT INTO members (id, first_name, last_name, phone, email, birth_date, anniversary_date, language,
       customer_group, tier, tier_since, referrer_id, enrolled_at, last_sale_at)
     VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, NULL, ?, ?)`,
  );
  const insCard = db.prepare(
    `INSERT INTO cards (uid, number, member_id, status, expires_at, pin_hash, pin_failures, created_at)
     VALUES (?, ?, ?, 'active', NULL, NULL, 0, ?)`,
  );
  const insBalance = db.prepare(
    `INSERT INTO balances (owner_type, owner_id, asset, bucket, amount) VALUES ('member', ?, 'points', 'available', ?)`,
  );
  const FIRST = ['Anna', 'Aram', 'Mariam', 'Davit', 'Lilit', 'Narek', 'Ani', 'Tigran', 'Sona', 'Hayk'];
  const LAST = ['Petrosyan', 'Sargsyan', 'Hakobyan', 'Grigoryan', 'Harutyunyan', 'Vardanyan', 'Khachatryan'];
  const LANG = ['hy', 'hy', 'hy', 'ru', 'en'];
  const tierOf = (q: number) => (q >= 20_000 ? 'vip' : q >= 5000 ? 'gold' : q >= 1000 ? 'silver' : 'bronze');
  db.transaction(() => {
    for (let m = 0; m < N; m++) {
      const i = m + 1;
      const id = memberId(i);
      const enrolled = local(T0 - Math.floor(random() * 3 * 365) * DAY);
      const tier = tierOf(qualifying[m]!);
      const birth =
        random() < 0.6
          ? `${1950 + Math.floor(random() * 55)}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`
          : null;
      insMember.run(
        id,
        FIRST[i % FIRST.length],
        LAST[(i * 7) % LAST.length],
        random() < 0.7 ? `+3749${String(fmix32(i) % 10_000_000).padStart(7, '0')}` : null,
        random() < 0.2 ? `member${i}@example.am` : null,
        birth,
        LANG[i % LANG.length],
        i % 10 === 0 ? 'pensioner' : null,
        tier,
        tier === 'bronze' ? null : local(lastSale[m]!),
        enrolled,
        posted[m] && lastSale[m] ? local(lastSale[m]!) : null,
      );
      insCard.run(cardUid(i), `9051${String(i).padStart(9, '0')}`, id, enrolled);
      if (posted[m]) insBalance.run(id, balance[m]);
    }
  })();
  log(`  ${N} members with cards and balances; rebuilding ${indexes.length} indexes…`);
  const ixStart = performance.now();
  for (const ix of indexes) db.exec(ix.sql);
  log(`  indexes rebuilt in ${((performance.now() - ixStart) / 1000).toFixed(1)} s`);
  db.pragma('journal_mode = WAL');
  db.close();

  // Back through the product: it opens (no migration left), and at small sizes verifies clean.
  const ledger = openStoreLedger({ dataDir });
  try {
    if (E <= 300_000) {
      const problems = verify(ledger.db);
      if (problems.length > 0)
        throw new Error(`B5 data: ledger verify found ${problems.length} problems: ${problems[0]!.message}`);
      log('  ledger verify: clean');
    } else {
      // Spot check at full size: 1 000 members' balances against their entries and lots.
      const check = ledger.db.prepare(
        `SELECT (SELECT COALESCE(SUM(amount), 0) FROM entries WHERE owner_type = 'member' AND owner_id = @id) AS e,
           (SELECT COALESCE(SUM(remaining), 0) FROM lots WHERE owner_type = 'member' AND owner_id = @id AND remaining > 0) AS l,
           (SELECT COALESCE(SUM(amount), 0) FROM balances WHERE owner_type = 'member' AND owner_id = @id) AS b`,
      );
      for (let k = 0; k < 1000; k++) {
        const id = memberId(1 + Math.floor((k / 1000) * N));
        const r = check.get({ id }) as { e: number; l: number; b: number };
        if (r.e !== r.b || r.l !== r.b)
          throw new Error(`B5 data: ${id} entries ${r.e}, lots ${r.l}, balance ${r.b}`);
      }
      log('  spot check of 1 000 balances: clean');
    }
  } finally {
    ledger.close();
  }
  return tx;
}
