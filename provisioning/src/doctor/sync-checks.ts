import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../../gateway/src/config/load.ts';
import { Ledger, openDatabase } from '../../../gateway/src/ledger/index.ts';
import { getSyncState } from '../../../gateway/src/ledger/sync-store.ts';
import { readDeviceToken } from '../../../gateway/src/sync/device-token.ts';
import { readUploadHealth } from '../../../gateway/src/sync/upload-health.ts';
import { type DoctorResult, fail, ok, warn } from './result.ts';

/**
 * How this store's uploads to head office are going, as the gateway recorded it in the
 * ledger database (sync/upload-health.ts), read-only: reaching hq's health route is not
 * the same as hq taking the store's sales (docs/troubleshooting.md "head office").
 */
export const checkUploads = (config: Config): DoctorResult[] => {
  if (!config.hq) return [];
  if (readDeviceToken(config.dataDir) === null)
    return [
      warn(
        'uploads',
        'this device is not enrolled with head office: nothing is uploaded',
        `loyalty-edge provision enroll --token TOKEN --config ${config.configPath ?? 'FILE'}`,
      ),
    ];
  const path = join(config.dataDir, 'store.db');
  if (!existsSync(path)) return [];
  let ledger: Ledger;
  try {
    ledger = new Ledger(openDatabase(path, { readonly: true }));
  } catch {
    return []; // the database check above already says why
  }
  try {
    const health = readUploadHealth(ledger.db);
    const pending = ledger.pendingCount();
    const lastOk = getSyncState(ledger.db, 'lastOkAt') ?? 'never';
    const results: DoctorResult[] = [];
    const f = health.failing;
    results.push(
      f
        ? fail(
            'uploads',
            `failing since ${f.since} (${f.attempts} attempts in a row): ${f.error}; ${pending} entries wait`,
            "head office's log says why (the log of loyalty-edge hq start on the hq server); see docs/troubleshooting.md, head office",
          )
        : ok('uploads', `ok: ${pending} entries wait, head office last answered ${lastOk}`),
    );
    if (health.quarantined > 0) {
      const last = health.quarantinedItems[health.quarantinedItems.length - 1];
      results.push(
        warn(
          'quarantine',
          `hq quarantined ${health.quarantined} entries it cannot store; latest ${last?.key}: ${last?.reason}`,
          `at head office: GET /v1/admin/quarantine?device=${config.hq.deviceId}; correct the balance with an adjustment`,
        ),
      );
    }
    return results;
  } finally {
    ledger.close();
  }
};
