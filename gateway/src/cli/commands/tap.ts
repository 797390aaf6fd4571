import { type Command, EXIT, parseFlags, requirePositional } from '../command.ts';
import { resolveConfig } from '../store.ts';

export const tap: Command = {
  words: ['tap'],
  usage: 'tap READER UID [--config FILE]',
  summary: 'Tap a card on a simulated reader of the running gateway (loopback HTTP).',
  run: async (args, io) => {
    const { values, positionals } = parseFlags(args, { config: { type: 'string' } }, 2);
    const reader = requirePositional(positionals, 0, 'READER (the simulated reader id)');
    const uid = requirePositional(positionals, 1, 'UID (the card UID in hex)');
    const { config } = resolveConfig(values.config);
    const url = `http://127.0.0.1:${config.http.port}/api/readers/${encodeURIComponent(reader)}/tap`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ uid }),
      });
    } catch {
      io.err(`tap: no gateway answers at ${url}; is it running (loyalty-edge start)?`);
      return EXIT.failed;
    }
    const body = (await response.json()) as { uid?: string; message?: string };
    if (!response.ok) {
      io.err(`tap: ${body.message ?? response.statusText}`);
      return response.status === 400 || response.status === 404 ? EXIT.invalid : EXIT.failed;
    }
    io.out(`tapped ${body.uid} on ${reader}`);
    return EXIT.ok;
  },
};
