import { existsSync } from 'node:fs';
import { type Command, EXIT, parseFlags, UsageError } from '../cli/command.ts';
import { loadConfigFile } from '../config/load.ts';
import { writeFileDurable } from '../core/durable-file.ts';
import { ValidationError } from '../core/errors.ts';
import { ensurePrivateDir } from '../core/private-files.ts';
import { deviceTokenPath } from './device-token.ts';
import { createHqClient, HqClientError } from './hq-client.ts';

/** docs/protocol.md §3: `provision enroll --token TOKEN --config FILE` joins the store to head office. */
export const enrollCommand: Command = {
  words: ['provision', 'enroll'],
  usage: 'provision enroll --token TOKEN --config FILE',
  summary:
    "Enroll this gateway with head office (the config's hq {url, deviceId}); stores the device token 0600.",
  run: async (args, io) => {
    const { values } = parseFlags(args, { config: { type: 'string' }, token: { type: 'string' } }, 0);
    if (values.token === undefined)
      throw new UsageError('missing --token TOKEN (from "hq token --store ID")');
    if (values.config === undefined) throw new UsageError('missing --config FILE');
    let config: ReturnType<typeof loadConfigFile>;
    try {
      config = loadConfigFile(values.config);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      io.err(error.message);
      return EXIT.invalid;
    }
    if (!config.hq) {
      io.err('hq: required to enroll (hq {url, deviceId})');
      return EXIT.invalid;
    }
    const path = deviceTokenPath(config.dataDir);
    if (existsSync(path)) {
      io.err(`${path} exists: this gateway is already enrolled (remove the file to enroll again)`);
      return EXIT.failed;
    }
    const client = createHqClient({ url: config.hq.url, tls: config.hq.tls, timeoutMs: 30_000 });
    try {
      const { deviceToken } = await client.enroll({
        enrollmentToken: values.token,
        deviceId: config.hq.deviceId,
        storeId: config.storeId,
      });
      ensurePrivateDir(config.dataDir);
      // docs/protocol.md §2: the token is shown once; it is kept 0600 on the device only.
      writeFileDurable(path, `${deviceToken}\n`, 0o600);
      io.out(`enrolled ${config.hq.deviceId} (store ${config.storeId}) with ${config.hq.url}`);
      return EXIT.ok;
    } catch (error) {
      if (error instanceof HqClientError) {
        io.err(`enrollment failed: ${error.message}`);
        return EXIT.failed;
      }
      throw error;
    } finally {
      client.close();
    }
  },
};
