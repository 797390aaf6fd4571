import type { Config } from '../../config/load.ts';
import { createLogger } from '../../core/logger.ts';
import { systemdNotifier } from '../../core/systemd.ts';
import { DEMO_MEMBERS } from '../../demo/demo-config.ts';
import { Gateway, VERSION } from '../../gateway.ts';
import { ensureKioskPage } from '../../kiosk/page-build.ts';
import type { Program } from '../../program/schema.ts';
import { type Command, EXIT, type Output, parseFlags, UsageError } from '../command.ts';
import { loadStoreProgram, openStoreLedger, resolveConfig } from '../store.ts';

/** The demo's members go in on its first start (or after ./data was emptied of them). */
const seedDemo = async (config: Config, program: Program, io: Output): Promise<void> => {
  const ledger = openStoreLedger(config);
  try {
    if (ledger.getMember('M-1001')) return;
    // Loaded here only: a store's gateway never reads a members file at start.
    const { readMembersFile } = await import('../../import/read-members.ts');
    const { rows, problems } = await readMembersFile(DEMO_MEMBERS);
    if (problems.length > 0) throw new Error(`demo members: ${problems.map((p) => p.message).join('; ')}`);
    const result = await ledger.importMembers(rows, {
      at: new Date().toISOString(),
      storeId: config.storeId,
      programVersion: program.version,
      tier: program.tiers.levels[0]!.id,
    });
    if (result.ok) io.out(`demo: imported ${result.members} members with ${result.cards} cards`);
  } finally {
    ledger.close();
  }
};

const banner = (gateway: Gateway, demo: boolean, io: Output): void => {
  const { config } = gateway;
  const { mqtt, http } = gateway.ports;
  const local = `http://127.0.0.1:${http}`;
  io.out(`Loyalty Edge ${VERSION} — store ${config.storeId}, program version ${gateway.program.version}`);
  io.out(
    `  MQTT         mqtt://${config.mqtt.host}:${mqtt}   (WebSocket ${local.replace('http', 'ws')}/mqtt)`,
  );
  io.out(`  Health       ${local}/health`);
  for (const kiosk of config.kiosks)
    io.out(`  Kiosk        ${local}/kiosk/${kiosk.id}   (reader ${kiosk.reader})`);
  io.out(`  Data         ${config.dataDir}`);
  if (!demo) return;
  const till = config.tills[0]!;
  io.out('\nDemo till credentials (username / password):');
  for (const t of config.tills) io.out(`  ${t.id} / ${t.secret}`);
  io.out('\nTry it:');
  io.out(
    `  mosquitto_sub -p ${mqtt} -u ${till.id} -P '${till.secret}' -t 'loyalty/v1/till/${till.id}/res/#' -v &`,
  );
  io.out(
    `  mosquitto_pub -p ${mqtt} -u ${till.id} -P '${till.secret}' -q 1 -t loyalty/v1/till/${till.id}/req/identify -m '{"requestId":"r1","card":{"uid":"04A1B2C3"}}'`,
  );
  io.out('  npx loyalty-edge tap reader-1 04A1B2C3      (a card tap on the simulated reader)');
  io.out(`\nThe demo config with its secrets is ${config.configPath}. Stop with Ctrl+C.`);
};

/** The printed kiosk URL must show the kiosk: a checkout builds the page on first start. */
const buildKioskPage = async (io: Output): Promise<void> => {
  try {
    await ensureKioskPage((line) => io.out(line));
  } catch (error) {
    // The gateway runs without it (tills do not need the page); the kiosk URL explains.
    io.err(`kiosk: the page could not be built (${(error as Error).message}); run npm run build:kiosk`);
  }
};

const parsePort = (text: string, flag: string): number => {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw new UsageError(`${flag}: "${text}" is not a port number (0-65535)`);
  return port;
};

export const start: Command = {
  words: ['start'],
  usage: 'start [--config FILE] [--mqtt-port N] [--http-port N]',
  summary:
    'Run the gateway; with no config, the embedded demo (data in ./data, simulated reader, demo program).',
  run: async (args, io) => {
    const { values } = parseFlags(
      args,
      { config: { type: 'string' }, 'mqtt-port': { type: 'string' }, 'http-port': { type: 'string' } },
      0,
    );
    const demo = values.config === undefined;
    const { config } = resolveConfig(values.config);
    // Port overrides (0 = any free port), so a demo can run beside another gateway.
    if (values['mqtt-port'] !== undefined) config.mqtt.port = parsePort(values['mqtt-port'], '--mqtt-port');
    if (values['http-port'] !== undefined) config.http.port = parsePort(values['http-port'], '--http-port');
    const program = await loadStoreProgram(config);
    if (demo) await seedDemo(config, program, io);
    if (config.kiosks.length > 0) await buildKioskPage(io);
    const logger = createLogger(config.log.level);
    let gateway = new Gateway({ config, program, logger });
    try {
      await gateway.start();
    } catch (error) {
      await gateway.stop().catch(() => {});
      const e = error as NodeJS.ErrnoException;
      if (e.code !== 'EADDRINUSE') throw error;
      if (!demo) {
        io.err(
          `start: a port is already in use (${e.message}); is another gateway running? Change mqtt.port/http.port.`,
        );
        return EXIT.failed;
      }
      // The embedded demo is for trying things: on a busy port it takes free ones and says so
      // (the banner prints the ports really bound).
      io.err(`start: ${e.message}; the demo takes free ports instead`);
      config.mqtt.port = 0;
      config.http.port = 0;
      gateway = new Gateway({ config, program, logger });
      await gateway.start();
    }
    banner(gateway, demo, io);
    const systemd = systemdNotifier();
    systemd?.ready();
    const stopWatchdog = systemd?.watchdog();
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        io.err(`\n${signal}: stopping…`);
        systemd?.stopping();
        stopWatchdog?.();
        gateway.stop().finally(resolve);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    return EXIT.ok;
  },
};
