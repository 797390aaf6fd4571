import { readMembersFile } from '../../import/read-members.ts';
import { type Command, EXIT, parseFlags, requirePositional } from '../command.ts';
import { loadStoreProgram, openStoreLedger, resolveConfig } from '../store.ts';

export const membersImport: Command = {
  words: ['members', 'import'],
  usage: 'members import FILE (.csv|.xlsx) [--config FILE]',
  summary: 'Import members, cards and opening balances; a file with any bad row applies nothing.',
  run: async (args, io) => {
    const { values, positionals } = parseFlags(args, { config: { type: 'string' } }, 1);
    const file = requirePositional(positionals, 0, 'FILE (a .csv or .xlsx members file)');
    const { config } = resolveConfig(values.config);
    const program = await loadStoreProgram(config);
    const started = performance.now();
    const read = await readMembersFile(file, (p) => io.progress(`${p.phase}: ${p.done} rows`));
    if (read.problems.length > 0) {
      io.err(`${file}: ${read.problems.length} problem(s); nothing was imported`);
      for (const p of read.problems) io.err(`${p.path}: ${p.message}`);
      return EXIT.invalid;
    }
    const ledger = openStoreLedger(config);
    try {
      const result = await ledger.importMembers(read.rows, {
        at: new Date().toISOString(),
        storeId: config.storeId,
        programVersion: program.version,
        tier: program.tiers.levels[0]!.id,
        onProgress: (done, total) => io.progress(`hashing PINs: ${done}/${total}`),
      });
      if (!result.ok) {
        io.err(`${file}: ${result.problems.length} problem(s); nothing was imported`);
        for (const p of result.problems) io.err(`line ${p.line}: ${p.message}`);
        return EXIT.invalid;
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      io.out(
        `${file}: imported ${result.members} members, ${result.cards} cards, ${result.openings} opening balances in ${seconds} s`,
      );
      return EXIT.ok;
    } finally {
      ledger.close();
    }
  },
};
