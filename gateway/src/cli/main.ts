import { CodedError, ValidationError } from '../core/errors.ts';
import { type CommandEntry, EXIT, type Output, UsageError } from './command.ts';
import { commands, entryOf, FAMILY_WORDS, loadFamilies } from './commands/index.ts';
import { processOutput } from './output.ts';

const help = async (io: Output): Promise<void> => {
  io.out('Usage: loyalty-edge <command> [options]\n');
  io.out('Commands:');
  const all = [...commands, ...(await loadFamilies()).map(entryOf)];
  for (const c of all) io.out(`  ${c.usage.padEnd(52)} ${c.summary}`);
  io.out(
    '\nEvery command that touches a store takes --config FILE; without it, the embedded demo in ./data.',
  );
};

const find = async (argv: string[]): Promise<{ command: CommandEntry; rest: string[] } | undefined> => {
  const all = FAMILY_WORDS.has(argv[0] ?? '')
    ? [...commands, ...(await loadFamilies()).map(entryOf)]
    : commands;
  // Longest match first: `members import` before a hypothetical `members`.
  const sorted = [...all].sort((a, b) => b.words.length - a.words.length);
  for (const command of sorted) {
    if (command.words.every((w, i) => argv[i] === w))
      return { command, rest: argv.slice(command.words.length) };
  }
  return undefined;
};

/** The `loyalty-edge` command line (docs/protocol.md §3). Returns the exit code. */
export const main = async (argv: string[], io: Output = processOutput()): Promise<number> => {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    await help(io);
    return argv.length === 0 ? EXIT.invalid : EXIT.ok;
  }
  const found = await find(argv);
  if (!found) {
    io.err(`loyalty-edge: unknown command "${argv.join(' ')}". Run "loyalty-edge help" for the list.`);
    return EXIT.invalid;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`Usage: loyalty-edge ${command.usage}\n\n${command.summary}`);
    return EXIT.ok;
  }
  try {
    return await (await command.load()).run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`loyalty-edge ${command.words.join(' ')}: ${error.message}`);
      io.err(`Usage: loyalty-edge ${command.usage}`);
      return EXIT.invalid;
    }
    if (error instanceof ValidationError) {
      io.err(error.message);
      return EXIT.invalid;
    }
    if (error instanceof CodedError) {
      io.err(`loyalty-edge ${command.words.join(' ')}: ${error.message} (${error.code})`);
      return EXIT.failed;
    }
    io.err(`loyalty-edge ${command.words.join(' ')}: ${(error as Error).stack ?? String(error)}`);
    return EXIT.failed;
  }
};
