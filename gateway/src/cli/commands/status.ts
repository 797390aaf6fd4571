import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config/load.ts';
import { Ledger, openDatabase } from '../../ledger/index.ts';
import { getSyncState } from '../../ledger/sync-store.ts';
import { readUploadHealth, type UploadHealth } from '../../sync/upload-health.ts';
import { type Command, EXIT, parseFlags } from '../command.ts';
import { resolveConfig } from '../store.ts';

interface StoreStatus {
  storeId: string;
  gateway: 'running' | 'not running' | 'unknown';
  entries: number;
  pending: number;
  hq: { url: string; deviceId: string; lastOkAt: string | null; ackedSeq: number } | null;
  uploads: UploadHealth;
}

/** Asks the running gateway's /health (loopback); port 0 cannot be asked. */
async function gatewayRunning(config: Config): Promise<StoreStatus['gateway']> {
  if (config.http.port === 0) return 'unknown';
  try {
    const r = await fetch(`http://127.0.0.1:${config.http.port}/health`, {
      signal: AbortSignal.timeout(2000),
    });
    const body = (await r.json()) as { storeId?: unknown };
    return r.ok && body.storeId === config.storeId ? 'running' : 'not running';
  } catch {
    return 'not running';
  }
}

/** The store's state as its database holds it, read-only (the gateway may be running). */
function readStatus(config: Config, path: string, gateway: StoreStatus['gateway']): StoreStatus {
  const ledger = new Ledger(openDatabase(path, { readonly: true }));
  try {
    const { db } = ledger;
    return {
      storeId: config.storeId,
      gateway,
      entries: ledger.lastSeq(),
      pending: ledger.pendingCount(),
      hq: config.hq
        ? {
            url: config.hq.url,
            deviceId: config.hq.deviceId,
            lastOkAt: getSyncState(db, 'lastOkAt'),
            ackedSeq: Number(getSyncState(db, 'ackedSeq') ?? '0'),
          }
        : null,
      uploads: readUploadHealth(db),
    };
  } finally {
    ledger.close();
  }
}

const lines = (s: StoreStatus): string[] => {
  const out = [
    `store ${s.storeId}: gateway ${s.gateway}`,
    `ledger: ${s.entries} entries, ${s.pending} not yet acknowledged by head office`,
  ];
  if (!s.hq) return [...out, 'head office: none configured (this store runs alone)'];
  out.push(
    `head office: ${s.hq.url} as ${s.hq.deviceId}; last answered ${s.hq.lastOkAt ?? 'never'}; acknowledged through seq ${s.hq.ackedSeq}`,
  );
  const f = s.uploads.failing;
  out.push(
    f ? `uploads: FAILING since ${f.since} (${f.attempts} attempts in a row): ${f.error}` : 'uploads: ok',
  );
  if (s.uploads.quarantined > 0) {
    out.push(`quarantined by head office: ${s.uploads.quarantined} item(s) it cannot store; latest:`);
    for (const q of s.uploads.quarantinedItems.slice(-5))
      out.push(`  ${q.item}${q.seq === undefined ? '' : ` seq ${q.seq}`} ${q.key}: ${q.reason}`);
  }
  return out;
};

export const status: Command = {
  words: ['status'],
  usage: 'status [--config FILE] [--json]',
  summary:
    "The store's state from its database: entries, what head office has not acknowledged, whether uploads fail and why, what hq quarantined (exit 1 while uploads fail).",
  run: async (args, io) => {
    const { values } = parseFlags(args, { config: { type: 'string' }, json: { type: 'boolean' } }, 0);
    const { config } = resolveConfig(values.config);
    const path = join(config.dataDir, 'store.db');
    if (!existsSync(path)) {
      io.err(`status: no database yet at ${path} (the gateway creates it at first start)`);
      return EXIT.failed;
    }
    const s = readStatus(config, path, await gatewayRunning(config));
    if (values.json === true) io.out(JSON.stringify(s, null, 2));
    else for (const line of lines(s)) io.out(line);
    return s.uploads.failing ? EXIT.failed : EXIT.ok;
  },
};
