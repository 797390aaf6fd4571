/**
 * A device in its own process for the fault tests: opens its ledger and runs the real sync
 * service against hq until nothing is pending, printing `acked N` as hq acknowledges.
 * argv: DB URL TOKEN DEVICE-ID BATCH-SIZE
 */
import { silentLogger } from '../../../gateway/src/core/logger.ts';
import { openLedger } from '../../../gateway/src/ledger/ledger.ts';
import { createHqClient } from '../../../gateway/src/sync/hq-client.ts';
import { createSyncService } from '../../../gateway/src/sync/sync-service.ts';

const [db, url, token, deviceId, batch] = process.argv.slice(2);
if (!db || !url || !token || !deviceId) throw new Error('usage: device-child DB URL TOKEN DEVICE-ID [BATCH]');
const ledger = openLedger(db);
const sync = createSyncService({
  ledger,
  client: createHqClient({ url, token }),
  deviceId,
  logger: silentLogger,
  batchSize: Number(batch ?? '500'),
  pollMs: 50,
  backoff: { baseMs: 20, maxMs: 200 },
  onProgress: (p) => {
    process.stdout.write(`acked ${p.ackedSeq} pending ${p.pending}\n`);
    if (p.pending === 0 && p.ackedSeq === ledger.lastSeq()) {
      process.stdout.write('done\n');
      void sync.stop().then(() => ledger.close());
    }
  },
});
sync.start();
