/**
 * Stand-alone entry for the hq commands (`node --import tsx hq/src/bin.ts hq start --config
 * F`): tests spawn real hq processes through it, before the commands are registered in the
 * gateway's CLI.
 */
import { EXIT } from '../../gateway/src/cli/command.ts';
import { processOutput } from '../../gateway/src/cli/output.ts';
import { hqCommands } from './cli/index.ts';

const args = process.argv.slice(2);
const command = hqCommands
  .filter((c) => c.words.every((w, i) => args[i] === w))
  .sort((a, b) => b.words.length - a.words.length)[0];
if (!command) {
  process.stderr.write(`usage:\n${hqCommands.map((c) => `  ${c.usage}`).join('\n')}\n`);
  process.exitCode = EXIT.invalid;
} else {
  const io = processOutput();
  try {
    process.exitCode = await command.run(args.slice(command.words.length), io);
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    process.exitCode = (error as { code?: string }).code === 'USAGE' ? EXIT.invalid : EXIT.failed;
  }
}
