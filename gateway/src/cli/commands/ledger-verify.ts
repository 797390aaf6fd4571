import { type Command, EXIT, parseFlags } from '../command.ts';
import { openStoreLedger, resolveConfig } from '../store.ts';

export const ledgerVerify: Command = {
  words: ['ledger', 'verify'],
  usage: 'ledger verify [--config FILE]',
  summary: 'Recompute every balance and lot from the ledger entries and report any drift (exit 1 if any).',
  run: async (args, io) => {
    const { values } = parseFlags(args, { config: { type: 'string' } }, 0);
    const { config } = resolveConfig(values.config);
    const ledger = openStoreLedger(config);
    try {
      const problems = ledger.verify();
      if (problems.length === 0) {
        io.out(
          `ledger of ${config.storeId}: clean (${ledger.lastSeq()} entries, ${ledger.pendingCount()} not yet synced)`,
        );
        return EXIT.ok;
      }
      io.err(`ledger of ${config.storeId}: ${problems.length} problem(s)`);
      for (const p of problems) io.err(`${p.code}: ${p.message}`);
      return EXIT.failed;
    } finally {
      ledger.close();
    }
  },
};
