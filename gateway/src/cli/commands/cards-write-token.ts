import { type Command, EXIT, parseFlags, requirePositional } from '../command.ts';
import { resolveConfig } from '../store.ts';

/**
 * `cards write-token READER UID`: the running gateway holds the readers, so the command asks
 * it over loopback HTTP (`POST /api/readers/{id}/token`) to write the signed token to the
 * card lying on that reader, read it back and verify it (docs/hardware.md: card tokens).
 */
export const cardsWriteToken: Command = {
  words: ['cards', 'write-token'],
  usage: 'cards write-token READER UID [--number N] [--config FILE]',
  summary:
    'Write the signed card token to the card on a PN532/MFRC522 reader of the running gateway (loopback HTTP).',
  run: async (args, io) => {
    const { values, positionals } = parseFlags(
      args,
      { config: { type: 'string' }, number: { type: 'string' } },
      2,
    );
    const reader = requirePositional(positionals, 0, 'READER (a pn532 or mfrc522 reader id)');
    const uid = requirePositional(positionals, 1, 'UID (the card UID in hex, as on the reader)');
    const { config } = resolveConfig(values.config);
    const url = `http://127.0.0.1:${config.http.port}/api/readers/${encodeURIComponent(reader)}/token`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ uid, ...(values.number !== undefined ? { number: values.number } : {}) }),
      });
    } catch {
      io.err(
        `cards write-token: no gateway answers at ${url}; the gateway holds the readers, so it must be running (loyalty-edge start)`,
      );
      return EXIT.failed;
    }
    const body = (await response.json()) as {
      uid?: string;
      cardNumber?: string;
      issued?: string;
      blocks?: number[];
      error?: string;
      message?: string;
    };
    if (!response.ok) {
      io.err(`cards write-token: ${body.message ?? response.statusText}`);
      return response.status === 400 || response.status === 404 ? EXIT.invalid : EXIT.failed;
    }
    io.out(
      `token written to ${body.uid} on ${reader} (card number ${body.cardNumber}, issued ${body.issued}, blocks ${body.blocks?.join(', ')}); verified by reading it back`,
    );
    return EXIT.ok;
  },
};
