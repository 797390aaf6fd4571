import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import {
  type Command,
  EXIT,
  parseFlags,
  requirePositional,
  UsageError,
} from '../../../gateway/src/cli/command.ts';
import { ValidationError } from '../../../gateway/src/core/errors.ts';
import { createLogger } from '../../../gateway/src/core/logger.ts';
import { systemdNotifier } from '../../../gateway/src/core/systemd.ts';
import { type HqConfig, loadHqConfig } from '../config.ts';
import { createHub } from '../hub.ts';
import { adminRequest, errorText } from './admin-client.ts';

const configOf = (flag: string | undefined): HqConfig => {
  if (flag === undefined) throw new UsageError('missing --config FILE (the hq config)');
  return loadHqConfig(flag);
};

/** A config error is exit 2 with every problem as `path: message` (docs/protocol.md §3). */
const guarded =
  (run: Command['run']): Command['run'] =>
  async (args, io) => {
    try {
      return await run(args, io);
    } catch (error) {
      if (error instanceof ValidationError) {
        io.err(error.message);
        return EXIT.invalid;
      }
      throw error;
    }
  };

export const hqStart: Command = {
  words: ['hq', 'start'],
  usage: 'hq start --config FILE',
  summary: 'Run the head-office sync hub (embedded PostgreSQL under dataDir, or hq.database).',
  run: guarded(async (args, io) => {
    const { values } = parseFlags(args, { config: { type: 'string' } }, 0);
    const config = configOf(values.config);
    const hub = createHub(config, { logger: createLogger() });
    await hub.start();
    io.out(`hq listening on port ${hub.port()} (${config.hq.database ? 'postgres' : 'embedded'} database)`);
    // provisioning/systemd/loyalty-hq.service is Type=notify with WatchdogSec, as the gateway's.
    const systemd = systemdNotifier();
    systemd?.ready();
    const stopWatchdog = systemd?.watchdog();
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    systemd?.stopping();
    stopWatchdog?.();
    await hub.stop();
    return EXIT.ok;
  }),
};

export const hqToken: Command = {
  words: ['hq', 'token'],
  usage: 'hq token --store ID --config FILE',
  summary: 'Print a one-time enrollment token for a store (last line of the output).',
  run: guarded(async (args, io) => {
    const { values } = parseFlags(args, { config: { type: 'string' }, store: { type: 'string' } }, 0);
    if (values.store === undefined) throw new UsageError('missing --store ID');
    const config = configOf(values.config);
    const r = await adminRequest(config, 'POST', '/v1/admin/tokens', {
      data: JSON.stringify({ storeId: values.store }),
      type: 'application/json',
    });
    if (r.status !== 200) {
      io.err(errorText(r.json));
      return r.status === 400 ? EXIT.invalid : EXIT.failed;
    }
    const { token, expiresAt } = r.json as { token: string; expiresAt: string };
    io.out(`enrollment token for store ${values.store}, single use, valid until ${expiresAt}:`);
    io.out(token);
    return EXIT.ok;
  }),
};

export const hqMembersImport: Command = {
  words: ['hq', 'members', 'import'],
  usage: 'hq members import FILE (.csv|.xlsx) --config FILE',
  summary: 'Import members, cards and opening balances for the whole chain (all-or-nothing).',
  run: guarded(async (args, io) => {
    const { values, positionals } = parseFlags(args, { config: { type: 'string' } }, 1);
    const file = requirePositional(positionals, 0, 'FILE (a .csv or .xlsx members file)');
    const config = configOf(values.config);
    const xlsx = extname(file).toLowerCase() === '.xlsx';
    const r = await adminRequest(config, 'POST', '/v1/admin/members/import', {
      data: readFileSync(file),
      type: xlsx ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv',
    });
    if (r.status === 422) {
      const body = r.json as { problems?: Array<{ path: string; message: string }> };
      io.err(`${file}: ${errorText(r.json)}`);
      for (const p of body.problems ?? []) io.err(`${p.path}: ${p.message}`);
      return EXIT.invalid;
    }
    if (r.status !== 200) {
      io.err(errorText(r.json));
      return EXIT.failed;
    }
    const res = r.json as { members: number; cards: number; openings: number };
    io.out(`${file}: imported ${res.members} members, ${res.cards} cards, ${res.openings} opening balances`);
    return EXIT.ok;
  }),
};

export const hqProgramPublish: Command = {
  words: ['hq', 'program', 'publish'],
  usage: 'hq program publish FILE --config FILE [--operator ID]',
  summary: 'Check and publish a program version to every store (through the changes feed).',
  run: guarded(async (args, io) => {
    const { values, positionals } = parseFlags(
      args,
      { config: { type: 'string' }, operator: { type: 'string' } },
      1,
    );
    const file = requirePositional(positionals, 0, 'FILE (a program .yaml or .json)');
    const config = configOf(values.config);
    const op = values.operator ? `?operator=${encodeURIComponent(values.operator)}` : '';
    const r = await adminRequest(config, 'POST', `/v1/admin/program${op}`, {
      data: readFileSync(file),
      type: 'application/yaml',
    });
    if (r.status !== 200) {
      io.err(`${file}: ${errorText(r.json)}`);
      return r.status === 422 || r.status === 409 ? EXIT.invalid : EXIT.failed;
    }
    const res = r.json as { version: number; rewards: number };
    io.out(`published program version ${res.version} (${res.rewards} rewards)`);
    return EXIT.ok;
  }),
};
