import { loadProgramFile } from '../../program/load.ts';
import { type Command, EXIT, parseFlags, requirePositional } from '../command.ts';

export const programCheck: Command = {
  words: ['program', 'check'],
  usage: 'program check FILE',
  summary: 'Validate a program file (YAML or JSON); lists every problem as path: message (exit 2).',
  run: async (args, io) => {
    const { positionals } = parseFlags(args, {}, 1);
    const file = requirePositional(positionals, 0, 'FILE (the program file to check)');
    let checked: Awaited<ReturnType<typeof loadProgramFile>>;
    try {
      checked = await loadProgramFile(file);
    } catch (error) {
      io.err(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return EXIT.invalid;
    }
    if (!checked.ok) {
      io.err(`${file}: ${checked.problems.length} problem(s)`);
      for (const p of checked.problems) io.err(`${p.path}: ${p.message}`);
      return EXIT.invalid;
    }
    const p = checked.program;
    io.out(
      `${file}: valid (version ${p.version}, ${p.currency}, ${p.timezone}; ${p.earn.length} earn rules, ${p.tiers.levels.length} tiers, ${p.rewards.length} rewards)`,
    );
    return EXIT.ok;
  },
};
