import { relative } from 'node:path';
import { type Command, EXIT, parseFlags } from '../../../gateway/src/cli/command.ts';
import { createLogger } from '../../../gateway/src/core/logger.ts';
import { ensureKioskPage } from '../../../gateway/src/kiosk/page-build.ts';
import { type ChainDemo, startChainDemo } from '../demo/chain-demo.ts';

const banner = (demo: ChainDemo, dataDir: string, out: (line: string) => void): void => {
  const rel = (path: string) => relative(process.cwd(), path) || '.';
  out('\nLoyalty Edge demo — head office and two stores, one chain');
  out(`  Head office  ${demo.hubUrl}/v1/health   (reports ${demo.hubUrl}/v1/admin/reports)`);
  for (const s of demo.stores) {
    const { config, ports } = s.gateway;
    const http = `http://127.0.0.1:${ports.http}`;
    out(`  Store ${s.label}      ${config.storeId}`);
    for (const kiosk of config.kiosks)
      out(`    Kiosk      ${http}/kiosk/${kiosk.id}   (reader ${kiosk.reader})`);
    out(`    MQTT       mqtt://127.0.0.1:${ports.mqtt}   till ${s.till.id} / ${s.till.secret}`);
    out(`    Health     ${http}/health`);
  }
  const [a, b] = demo.stores;
  out('\nTry it:');
  out(`  a card tap at store A's kiosk (open its kiosk URL first):`);
  out(`    npx loyalty-edge tap reader-1 04A1B2C3 --config ${rel(a!.configPath)}`);
  out('  three sales for that card at store A, from its free till:');
  out(
    `    npx loyalty-edge till-sim --config ${rel(a!.configPath)} --till ${a!.till.id} --count 3 --cards 04A1B2C3`,
  );
  out("  then the same card at store B's kiosk: the chain balance, store A's sales in it:");
  out(`    npx loyalty-edge tap reader-1 04A1B2C3 --config ${rel(b!.configPath)}`);
  out(
    `\nA simulated till (till-01) sells at each store every 15 s. Data in ${rel(dataDir)}. Stop with Ctrl+C.`,
  );
};

/** `loyalty-edge demo` (docs/demo.md). */
export const demoCommand: Command = {
  words: ['demo'],
  usage: 'demo [--data DIR] [--no-tills]',
  summary:
    'Run head office and two demo stores with simulated readers and tills in one process (data in ./data-demo).',
  run: async (args, io) => {
    const { values } = parseFlags(args, { data: { type: 'string' }, 'no-tills': { type: 'boolean' } }, 0);
    const dataDir = values.data ?? 'data-demo';
    await ensureKioskPage((line) => io.out(line));
    io.out('demo: starting head office and two stores…');
    // Warnings and errors only: the demo's own lines are what a person reads here.
    const logger = createLogger('warn');
    const demo = await startChainDemo({
      dataDir,
      logger,
      say: (line) => io.out(line),
      tills: values['no-tills'] !== true,
    });
    banner(demo, dataDir, (line) => io.out(line));
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        io.err(`\n${signal}: stopping the stores and head office…`);
        demo.stop().finally(resolve);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    io.err('demo: stopped');
    return EXIT.ok;
  },
};
