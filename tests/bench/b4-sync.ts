/**
 * B4 (benchmarks.md): 200 000 ledger entries gateway → hq (embedded PGlite), then the
 * changes back. Reported beside a ceiling measured in the same run: PGlite's raw multi-row
 * INSERT of the same rows into an index-less table (what this machine's PGlite can do at
 * best). Data is generated seeded and fast (group commits of 1 000).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../gateway/src/core/logger.ts';
import { openLedger } from '../../gateway/src/ledger/ledger.ts';
import type { LedgerCommit } from '../../gateway/src/ledger/types.ts';
import { createHqClient } from '../../gateway/src/sync/hq-client.ts';
import { createSyncService } from '../../gateway/src/sync/sync-service.ts';
import { toWireEntry } from '../../gateway/src/sync/wire.ts';
import { freePort, startHqProcess, stopGracefully } from '../gateway/sync/processes.ts';
import { openTestPglite } from '../hq/pglite-template.ts';
import { prng } from './b5-data.ts';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  ceiling?: number;
  ratio?: number;
  notes: string;
}

const AT = '2026-11-23T10:00:00+04:00';

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux): the hub's CPU
 * per entry moves far less than its wall-clock rate when other jobs share the machine.
 */
function processCpuSeconds(pid: number | undefined): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return null;
  }
}

const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

export async function runB4(opts: { entries?: number; members?: number } = {}): Promise<BenchRow[]> {
  const total = opts.entries ?? 200_000;
  const members = opts.members ?? 20_000;
  const dir = mkdtempSync(join(tmpdir(), 'b4-'));
  const random = prng(4);
  try {
    const ledger = openLedger(join(dir, 'store.db'));
    const genStart = performance.now();
    ledger.db.transaction(() => {
      for (let m = 0; m < members; m++)
        ledger.addMember({ id: `m${m}`, firstName: 'B4', tier: 'bronze', enrolledAt: AT });
    })();
    // 50 postings per transaction, 20 transactions per group commit: 200 000 entries in seconds.
    const perTx = 50;
    for (let from = 0; from < total; from += perTx * 20) {
      const txs: LedgerCommit[] = [];
      for (let t = from; t < Math.min(total, from + perTx * 20); t += perTx)
        txs.push({
          idempotencyKey: `till:b4:${t}`,
          type: 'sale',
          at: AT,
          programVersion: 1,
          storeId: 'b4',
          postings: Array.from({ length: Math.min(perTx, total - t) }, () => ({
            owner: { member: `m${Math.floor(random() * members)}` },
            asset: 'points' as const,
            bucket: 'available' as const,
            kind: 'earn' as const,
            amount: 1 + Math.floor(random() * 50),
            qualifying: 1,
            ruleId: 'base',
            lot: { availableAt: AT, expiresAt: null },
          })),
          response: { ok: true },
        });
      ledger.commitMany(txs);
    }
    const genSeconds = (performance.now() - genStart) / 1000;

    // hq runs as its own process (as in production), its embedded database seeded from the
    // migrated template so the run does not time initdb.
    const hqDir = join(dir, 'hq');
    mkdirSync(hqDir);
    const port = await freePort();
    const openStart = performance.now();
    const hq = await startHqProcess(hqDir, port);
    const openSeconds = (performance.now() - openStart) / 1000;
    const url = `http://127.0.0.1:${port}`;
    const enrollDevice = async (storeId: string, deviceId: string) => {
      const r = await fetch(`${url}/v1/admin/tokens`, { method: 'POST', body: JSON.stringify({ storeId }) });
      const { token } = (await r.json()) as { token: string };
      const c = createHqClient({ url });
      try {
        return (await c.enroll({ enrollmentToken: token, deviceId, storeId })).deviceToken;
      } finally {
        c.close();
      }
    };
    const deviceToken = await enrollDevice('b4', 'gw-b4');
    const client = createHqClient({ url, token: deviceToken, timeoutMs: 120_000 });
    let uploadedAt = 0;
    const sync = createSyncService({
      ledger,
      client,
      deviceId: 'gw-b4',
      logger: silentLogger,
      batchSize: 10_000,
      pageSize: 10_000,
      onProgress: (p) => {
        if (uploadedAt === 0 && p.ackedSeq >= total) uploadedAt = performance.now();
      },
    });
    const t0 = performance.now();
    await sync.runOnce(); // upload everything, then pull every change page back
    const endToEnd = (performance.now() - t0) / 1000;
    const audit = (await (await fetch(`${url}/v1/admin/audit?device=gw-b4`)).json()) as {
      keys: string[];
      drift: string[];
    };
    if (audit.keys.length !== total || audit.drift.length > 0)
      throw new Error(
        `B4: hq holds ${audit.keys.length} entries (drift ${audit.drift.length}), expected ${total}`,
      );

    // Ingest alone: a second device uploading the same volume, changes not pulled.
    const token2 = await enrollDevice('b4b', 'gw-b4b');
    const ledger2 = openLedger(join(dir, 'store.db')); // same entries, another device id
    const upClient = createHqClient({ url, token: token2, timeoutMs: 120_000 });
    const hqCpu1 = processCpuSeconds(hq.child.pid);
    const t1 = performance.now();
    for (let acked = 0; acked < total; ) {
      const entries = ledger2.entriesAfter(acked, 10_000);
      const last = entries[entries.length - 1];
      if (!last) break;
      const answer = await upClient.postBatch('gw-b4b', {
        batchId: `b${acked}`,
        fromSeq: acked + 1,
        toSeq: last.seq,
        entries: entries.map((e) => toWireEntry('gw-b4b', e)),
      });
      acked = answer.ackedSeq;
    }
    const ingestRate = total / ((performance.now() - t1) / 1000);
    const hqCpu2 = processCpuSeconds(hq.child.pid);
    const hqCpu = hqCpu1 === null || hqCpu2 === null ? null : hqCpu2 - hqCpu1;
    upClient.close();
    ledger2.close();
    await stopGracefully(hq);

    // Ceiling: raw multi-row INSERT of the same rows into a bare table, PGlite in this process.
    const db = await openTestPglite();
    await db.exec(
      'CREATE TABLE b4_ceiling (seq bigint, key text, owner_id text, amount bigint, at timestamptz)',
    );
    const t2s = performance.now();
    const c2s = cpuNow();
    for (let from = 0; from < total; from += 10_000) {
      const rows = [];
      for (let i = from; i < Math.min(total, from + 10_000); i++)
        rows.push({ seq: i, key: `gw-b4/till:b4:${i}/${i}`, ownerId: `m${i % members}`, amount: 5, at: AT });
      await db.query(
        `INSERT INTO b4_ceiling SELECT x.seq, x.key, x."ownerId", x.amount, x.at::timestamptz
         FROM json_to_recordset($1::json) AS x(seq bigint, key text, "ownerId" text, amount bigint, at text)`,
        [JSON.stringify(rows)],
      );
    }
    const ceiling = total / ((performance.now() - t2s) / 1000);
    const ceilingCpu = cpuNow() - c2s;
    await db.close();

    await sync.stop();
    ledger.close();
    const r = (x: number) => Math.round(x * 100) / 100;
    return [
      {
        name: 'B4 sync end to end (200k entries up, changes back)',
        value: r(endToEnd),
        unit: 's',
        notes: `upload ${r((uploadedAt - t0) / 1000)} s, changes back ${r((t0 + endToEnd * 1000 - uploadedAt) / 1000)} s; target ≤ 20 s; hq process with embedded PGlite, start ${r(openSeconds)} s not included; data generated in ${r(genSeconds)} s`,
      },
      {
        name: 'B4 hq ingest',
        value: Math.round(ingestRate),
        unit: 'entries/s',
        ceiling: Math.round(ceiling),
        ratio: r(ingestRate / ceiling),
        notes: `target ≥ 20 000/s; HTTP + gzip + validation + idempotent insert + balances, 10 000/batch; ceiling = raw PGlite multi-row INSERT, no indexes; per CPU second: hq process ${hqCpu === null ? 'n/a' : Math.round(total / hqCpu)} entries (${hqCpu === null ? 'n/a' : r(hqCpu)} s), ceiling ${Math.round(total / ceilingCpu)}`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node --import tsx tests/bench/b4-sync.ts` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await runB4());
}
