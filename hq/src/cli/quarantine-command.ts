import { type Command, EXIT, parseFlags, UsageError } from '../../../gateway/src/cli/command.ts';
import { ValidationError } from '../../../gateway/src/core/errors.ts';
import { loadHqConfig } from '../config.ts';
import type { QuarantineRow } from '../quarantine.ts';
import { adminRequest, errorText } from './admin-client.ts';

/**
 * What stores sent that hq could not store (docs/hq.md Ingest: quarantine), from the running
 * hub's management API: one line per item with its reason, newest first.
 */
export const hqQuarantine: Command = {
  words: ['hq', 'quarantine'],
  usage: 'hq quarantine [--device ID] [--json] --config FILE',
  summary: 'List what stores sent that hq could not store and kept in quarantine, with the reason.',
  run: async (args, io) => {
    const { values } = parseFlags(
      args,
      { config: { type: 'string' }, device: { type: 'string' }, json: { type: 'boolean' } },
      0,
    );
    if (values.config === undefined) throw new UsageError('missing --config FILE (the hq config)');
    let config: ReturnType<typeof loadHqConfig>;
    try {
      config = loadHqConfig(values.config);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      io.err(error.message);
      return EXIT.invalid;
    }
    const query = values.device ? `?device=${encodeURIComponent(values.device)}` : '';
    const r = await adminRequest(config, 'GET', `/v1/admin/quarantine${query}`);
    if (r.status !== 200) {
      io.err(errorText(r.json));
      return EXIT.failed;
    }
    const { items } = r.json as { items: QuarantineRow[] };
    if (values.json === true) {
      io.out(JSON.stringify(items, null, 2));
      return EXIT.ok;
    }
    if (items.length === 0) io.out('quarantine: empty (every item stores sent is stored)');
    for (const q of items)
      io.out(
        `${q.quarantinedAt} ${q.deviceId} (store ${q.storeId}) ${q.item}${q.seq === undefined ? '' : ` seq ${q.seq}`} ${q.key}: ${q.reason}`,
      );
    return EXIT.ok;
  },
};
