/**
 * B9 — cost vs history: the sale round trip of members with 0, 1 000, 10 000 and 100 000
 * earlier sales (every lot still open: nobody redeemed), on one gateway (its own process),
 * one till, sequential round trips taken in turn (fresh, 1 000, 10 000, 100 000, fresh, …) so
 * the machine's noise falls on all alike. Figures are ratios to the fresh member's.
 *
 * The history is made by the product's own code: the till `sale` op (engine + ledger + write
 * queue, as the gateway runs them) on a store database the ledger created, sales dated over
 * the 300 days before the first of this month. Cached under tests/bench/.data/ (keyed by the
 * sizes, the month and the migrations' hash, like B5's data); `B9_SIZES` (0,1000,10000,100000)
 * and `B9_SALES` (rounds measured, 300) change it.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { BrokerRequest } from '../../gateway/src/broker/request-router.ts';
import { silentLogger } from '../../gateway/src/core/logger.ts';
import { databasePath, openStoreLedger } from '../../gateway/src/store-ledger.ts';
import { ManagerCodes } from '../../gateway/src/tills/manager-codes.ts';
import { sale } from '../../gateway/src/tills/ops/sale-ops.ts';
import { StoreOps } from '../../gateway/src/tills/store-ops.ts';
import { loadDemoProgram, TILL_SECRET, testConfigValue } from '../fakes/gateway-fixture.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { DATA_DIR, prng, schemaHash } from './b5-data.ts';
import { benchTill, percentile } from './load.ts';
import { type BenchRow, startServer } from './till-bench.ts';

const DAY = 86_400_000;
const SPAN_DAYS = 300;
const GENERATOR = 'v1';
const log = (line: string) => process.stderr.write(`b9: ${line}\n`);
const uidOf = (i: number) => `B9${String(i).padStart(6, '0')}`;

/** A 5-line sale for `uid` at `at` (as run.ts's B1 sale, so the two compare). */
const saleBody = (uid: string, at: string, id: string): Record<string, unknown> => {
  const lines = Array.from({ length: 5 }, (_, i) => {
    const qty = 1 + (i % 2);
    const unitPrice = 1500 * (i + 1) * 10;
    return {
      lineId: String(i + 1),
      sku: `SKU-${i}`,
      productGroup: i === 4 ? 'otc' : 'grocery',
      qty,
      unitPrice,
      amount: qty * unitPrice,
    };
  });
  const total = lines.reduce((s, l) => s + l.amount, 0);
  return {
    requestId: id,
    saleId: id,
    at,
    card: { uid },
    currency: 'AMD',
    lines,
    payments: [{ method: 'card', amount: total }],
    total,
  };
};

/** The store database with one member per size, each with that many earlier sales. */
async function ensureB9Data(sizes: number[]): Promise<{ path: string; generatedSeconds: number | null }> {
  const now = new Date();
  const anchor = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const key = `b9-${GENERATOR}-${sizes.join('_')}-${new Date(anchor).toISOString().slice(0, 7)}-${schemaHash()}`;
  const dir = join(DATA_DIR, key);
  const path = databasePath({ dataDir: dir });
  if (existsSync(path)) {
    log(`reusing ${path}`);
    return { path, generatedSeconds: null };
  }
  mkdirSync(DATA_DIR, { recursive: true });
  const building = join(DATA_DIR, `${key}.building-${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  const started = performance.now();
  const program = await loadDemoProgram();
  const ledger = openStoreLedger({ dataDir: building });
  const imported = await ledger.importMembers(
    sizes.map((_, i) => ({
      line: i + 2,
      memberId: `H${i}`,
      cardUid: uidOf(i),
      firstName: `History ${sizes[i]}`,
      lastName: null,
      phone: null,
      email: null,
      birthDate: null,
      anniversaryDate: null,
      language: 'en',
      customerGroup: i % 2 === 0 ? 'pensioner' : null,
      pin: null,
      openingPoints: 0,
      openingCredit: 0,
    })),
    {
      at: new Date(anchor - (SPAN_DAYS + 1) * DAY).toISOString(),
      storeId: 'test-store',
      programVersion: program.version,
      tier: 'bronze',
    },
  );
  if (!imported.ok) throw new Error('b9: seeding the members failed');
  const ops = new StoreOps({
    ledger,
    program: () => program,
    storeId: 'test-store',
    now: () => new Date(),
    managers: new ManagerCodes([]),
    logger: silentLogger,
  });
  const random = prng(9);
  for (const [i, n] of sizes.entries()) {
    if (n === 0) continue;
    log(`seeding ${n} sales of member H${i} through the till sale op…`);
    // In time order over the span, as they happened; 500 in flight share a group commit.
    const times = Array.from({ length: n }, () => anchor - Math.floor(random() * SPAN_DAYS * DAY)).sort(
      (a, b) => a - b,
    );
    for (let from = 0; from < n; from += 500) {
      const batch = times.slice(from, from + 500).map((ms, k) => {
        const id = `seed-${i}-${from + k}`;
        const req = {
          role: 'till',
          op: 'sale',
          clientId: 'till-seed',
          sender: 'till-seed',
          requestId: id,
          body: saleBody(uidOf(i), new Date(ms).toISOString(), id),
        } as unknown as BrokerRequest;
        return sale(req, ops);
      });
      const answers = await Promise.all(batch);
      const refused = answers.find((a) => !a.ok);
      if (refused) throw new Error(`b9: a seeded sale was refused: ${JSON.stringify(refused)}`);
    }
  }
  const problems = ledger.verify();
  if (problems.length > 0) throw new Error(`b9: the seeded ledger does not verify: ${problems[0]?.message}`);
  ledger.close();
  renameSync(building, dir);
  const generatedSeconds = (performance.now() - started) / 1000;
  log(`generated in ${generatedSeconds.toFixed(1)} s`);
  return { path, generatedSeconds };
}

export async function runB9(): Promise<BenchRow[]> {
  const sizes = (process.env.B9_SIZES ?? '0,1000,10000,100000').split(',').map(Number);
  const rounds = Number(process.env.B9_SALES ?? 300);
  const data = await ensureB9Data(sizes);
  const dir = makeTempDir('le-b9-');
  try {
    const dataDir = join(dir.path, 'data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    copyFileSync(data.path, join(dataDir, 'store.db'));
    const config = join(dir.path, 'config.yaml');
    writeFileSync(config, stringify(testConfigValue(dataDir)));
    const gw = await startServer('gateway', config);
    try {
      const till = await benchTill(gw.url, 'till-01', TILL_SECRET);
      const latencies = sizes.map((): number[] => []);
      const warmup = 30;
      for (let r = 0; r < warmup + rounds; r++) {
        for (const [i] of sizes.entries()) {
          const id = `b9-${process.pid}-${r}-${i}`;
          const answer = await till.send('sale', saleBody(uidOf(i), new Date().toISOString(), id));
          if (!answer.ok) throw new Error(`b9: sale ${id} refused`);
          if (r >= warmup) latencies[i]!.push(answer.ms);
        }
      }
      await till.client.endAsync();
      const stats = latencies.map((l) => {
        const sorted = [...l].sort((a, b) => a - b);
        return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
      });
      const fresh = stats[0]!;
      const round = (x: number) => Math.round(x * 100) / 100;
      return sizes.map((n, i) => ({
        id: 'B9',
        what: `sale p50, member with ${n.toLocaleString('en')} earlier sales (sequential, one till)`,
        value: round(stats[i]!.p50),
        unit: 'ms',
        ceiling: round(fresh.p50),
        ratio: round(stats[i]!.p50 / fresh.p50),
        target: n >= 100_000 ? '≤ 2× the fresh member' : n >= 10_000 ? '≤ 1.5× the fresh member' : '',
        notes: `p99 ${round(stats[i]!.p99)} ms (fresh ${round(fresh.p99)} ms); ${rounds} sales${
          i === 0 && data.generatedSeconds !== null
            ? `; history generated in ${round(data.generatedSeconds)} s`
            : ''
        }`,
      }));
    } finally {
      await gw.stop();
    }
  } finally {
    dir.remove();
  }
}

// `node --import tsx tests/bench/b9-history.ts` runs B9 alone.
if (process.argv[1] === new URL(import.meta.url).pathname) {
  console.table(await runB9());
}
