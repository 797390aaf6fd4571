import { loadConfigFile } from '../../config/load.ts';
import { type Command, EXIT, parseFlags, requirePositional } from '../command.ts';

export const configCheck: Command = {
  words: ['config', 'check'],
  usage: 'config check FILE',
  summary: 'Validate a gateway config file; lists every problem as path: message (exit 2).',
  run: async (args, io) => {
    const { positionals } = parseFlags(args, {}, 1);
    const file = requirePositional(positionals, 0, 'FILE (the config file to check)');
    const config = loadConfigFile(file);
    io.out(
      `${file}: valid (store ${config.storeId}, ${config.tills.length} tills, ${config.kiosks.length} kiosks, ${config.readers.length} readers)`,
    );
    return EXIT.ok;
  },
};
