/**
 * A real gateway in-process on ephemeral ports (mqtt and http on 127.0.0.1:0) with the demo
 * program and demo members, for the Node-RED tests. `stop()` stops it and removes its data.
 */
import { resolve } from 'node:path';
import { validateConfig } from '../../../gateway/src/config/load.ts';
import { silentLogger } from '../../../gateway/src/core/logger.ts';
import { Gateway } from '../../../gateway/src/gateway.ts';
import { readMembersFile } from '../../../gateway/src/import/read-members.ts';
import { loadProgramFile } from '../../../gateway/src/program/load.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const DEMO_PROGRAM = resolve(ROOT, 'gateway/demo/program.yaml');
export const DEMO_MEMBERS = resolve(ROOT, 'gateway/demo/members.csv');

export const SECRETS = {
  till: 'till-01-secret-for-tests',
  nodeRed: 'node-red-secret-for-tests',
  watcher: 'watcher-secret-for-tests',
  readOnly: 'read-only-secret-for-tests',
} as const;

export interface GatewayFixture {
  gateway: Gateway;
  mqttPort: number;
  mqttUrl: string;
  stop(): Promise<void>;
}

export async function startGateway(): Promise<GatewayFixture> {
  const dir = makeTempDir('loyalty-flows-');
  const config = validateConfig(
    {
      storeId: 'store-1',
      dataDir: dir.path,
      program: DEMO_PROGRAM,
      mqtt: { port: 0, host: '127.0.0.1' },
      http: { port: 0, host: '127.0.0.1' },
      tills: [{ id: 'till-01', secret: SECRETS.till }],
      integrations: [
        { id: 'node-red', secret: SECRETS.nodeRed, allowTillRequests: true },
        // The tests' own observer of till responses (counts what the flood got back).
        { id: 'watcher', secret: SECRETS.watcher, allowTillRequests: true },
        { id: 'read-only', secret: SECRETS.readOnly },
      ],
      readers: [{ id: 'reader-1', driver: 'simulated' }],
    },
    dir.path,
    null,
  );
  const loaded = await loadProgramFile(DEMO_PROGRAM);
  if (!loaded.ok) throw new Error('demo program does not load');
  const program = loaded.program;
  const gateway = new Gateway({ config, program, logger: silentLogger });
  const { rows, problems } = await readMembersFile(DEMO_MEMBERS);
  if (problems.length > 0) throw new Error(`demo members: ${problems.map((p) => p.message).join('; ')}`);
  const imported = await gateway.ledger.importMembers(rows, {
    at: new Date().toISOString(),
    storeId: config.storeId,
    programVersion: program.version,
    tier: program.tiers.levels[0]!.id,
  });
  if (!imported.ok) throw new Error('demo members were not imported');
  await gateway.start();
  const mqttPort = gateway.ports.mqtt;
  return {
    gateway,
    mqttPort,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    async stop() {
      await gateway.stop();
      dir.remove();
    },
  };
}
