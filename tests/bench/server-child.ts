/**
 * The process under test for the till benchmarks: either the real gateway (from a config
 * file) or an echo responder on the same broker configuration (the ceiling). Prints
 * `READY {mqttPort}` when listening.
 */
import { createBroker } from '../../gateway/src/broker/broker.ts';
import { createClientRegistry } from '../../gateway/src/broker/clients.ts';
import { loadConfigFile } from '../../gateway/src/config/load.ts';
import { silentLogger } from '../../gateway/src/core/logger.ts';
import { Gateway } from '../../gateway/src/gateway.ts';
import { loadProgramFile } from '../../gateway/src/program/load.ts';

const [mode, configPath] = process.argv.slice(2);
if (!configPath || (mode !== 'gateway' && mode !== 'echo')) {
  console.error('usage: server-child.ts gateway|echo CONFIG');
  process.exit(2);
}
const config = loadConfigFile(configPath);

if (mode === 'echo') {
  const broker = createBroker({
    clients: createClientRegistry(config),
    mqttPort: 0,
    host: '127.0.0.1',
    onRequest: async (req) => ({ ok: true, echo: req.requestId }),
  });
  await broker.start();
  process.once('SIGTERM', () => void broker.stop().then(() => process.exit(0)));
  console.log(`READY ${broker.ports.mqtt}`);
} else {
  const checked = await loadProgramFile(config.program);
  if (!checked.ok) throw new Error('bad program');
  const gateway = new Gateway({ config, program: checked.program, logger: silentLogger });
  await gateway.start();
  // A clean stop (the ledger closed, a --cpu-prof profile written) on the bench's SIGTERM.
  process.once('SIGTERM', () => void gateway.stop().then(() => process.exit(0)));
  console.log(`READY ${gateway.ports.mqtt}`);
}
