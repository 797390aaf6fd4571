import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, EXIT, parseFlags, requirePositional } from '../command.ts';
import { openStoreLedger, resolveConfig } from '../store.ts';

export const backupCommand: Command = {
  words: ['backup'],
  usage: 'backup FILE [--config FILE] [--force]',
  summary: 'Write an online, consistent copy of the store database to FILE (the gateway may keep running).',
  run: async (args, io) => {
    const { values, positionals } = parseFlags(
      args,
      { config: { type: 'string' }, force: { type: 'boolean' } },
      1,
    );
    const target = resolve(requirePositional(positionals, 0, 'FILE (where to write the backup)'));
    if (existsSync(target) && values.force !== true) {
      io.err(`backup: ${target} exists; pass --force to replace it`);
      return EXIT.invalid;
    }
    const { config } = resolveConfig(values.config);
    const ledger = openStoreLedger(config);
    try {
      await ledger.backup(target, (p) => {
        const done = p.totalPages - p.remainingPages;
        io.progress(`backup: ${done}/${p.totalPages} pages`);
      });
      io.out(`backup of ${config.storeId} written to ${target}`);
      return EXIT.ok;
    } finally {
      ledger.close();
    }
  },
};
