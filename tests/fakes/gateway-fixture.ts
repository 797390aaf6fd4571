import type { Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { validateConfig } from '../../gateway/src/config/load.ts';
import { silentLogger } from '../../gateway/src/core/logger.ts';
import { Gateway, type GatewayOptions } from '../../gateway/src/gateway.ts';
import { readMembersFile } from '../../gateway/src/import/read-members.ts';
import { loadProgramFile } from '../../gateway/src/program/load.ts';
import type { Program } from '../../gateway/src/program/schema.ts';
import { makeTempDir } from './temp-dir.ts';

export const DEMO_PROGRAM = new URL('../../gateway/demo/program.yaml', import.meta.url).pathname;
export const DEMO_MEMBERS = new URL('../../gateway/demo/members.csv', import.meta.url).pathname;

export const TILL_SECRET = 'till-secret-for-tests';
export const MANAGER_CODE = '246810';

export const loadDemoProgram = async (): Promise<Program> => {
  const checked = await loadProgramFile(DEMO_PROGRAM);
  if (!checked.ok) throw new Error(`demo program: ${JSON.stringify(checked.problems)}`);
  return checked.program;
};

/** The test config of a store: two tills, a kiosk on a simulated reader, Node-RED, a manager; ephemeral ports. */
export const testConfigValue = (dataDir: string, overrides: Record<string, unknown> = {}) => ({
  storeId: 'test-store',
  dataDir,
  program: DEMO_PROGRAM,
  mqtt: { port: 0, host: '127.0.0.1' },
  http: { port: 0, host: '127.0.0.1' },
  tills: [
    { id: 'till-01', secret: TILL_SECRET },
    { id: 'till-02', secret: TILL_SECRET },
    { id: 'till-03', secret: TILL_SECRET },
    { id: 'till-04', secret: TILL_SECRET },
  ],
  kiosks: [{ id: 'kiosk-1', secret: 'kiosk-secret', reader: 'reader-1' }],
  integrations: [{ id: 'node-red', secret: 'nr-secret', allowTillRequests: false }],
  managers: [{ id: 'manager-1', code: MANAGER_CODE }],
  readers: [{ id: 'reader-1', driver: 'simulated' }],
  // Scheduled jobs post birthdays and expiries by today's date: tests that want them call them.
  scheduler: { enabled: false },
  // Test sales carry fixed dates: the window around the clock is opened wide so they stay
  // valid whatever today is (tests/gateway/tills/edge-validation.test.ts tests the window).
  limits: { instantPast: '36500d', instantFuture: '36500d' },
  ...overrides,
});

/** Imports the demo members (and their opening balances) into a gateway's ledger. */
export const seedDemoMembers = async (gateway: Gateway, program: Program): Promise<void> => {
  const { rows } = await readMembersFile(DEMO_MEMBERS);
  const result = await gateway.ledger.importMembers(rows, {
    at: '2026-01-01T00:00:00+04:00',
    storeId: gateway.config.storeId,
    programVersion: program.version,
    tier: program.tiers.levels[0]!.id,
  });
  if (!result.ok) throw new Error(`demo members: ${JSON.stringify(result.problems)}`);
};

export interface GatewayFixture {
  gateway: Gateway;
  program: Program;
  dir: ReturnType<typeof makeTempDir>;
  url: string;
  stop(): Promise<void>;
}

/** A real gateway in this process on loopback ephemeral ports, with the demo program and members. */
export const startGateway = async (
  overrides: Record<string, unknown> = {},
  prepare?: (dataDir: string) => void,
  extra: {
    /** Emulated devices behind the readers and the indicator. */
    hardware?: GatewayOptions['hardware'];
    /** Changes to the demo program (e.g. `cards.requireToken`). */
    program?: (program: Program) => Program;
    /** The disk under the ledger's group commits (a gated fsync). */
    disk?: GatewayOptions['disk'];
  } = {},
): Promise<GatewayFixture> => {
  const dir = makeTempDir('le-gw-');
  prepare?.(dir.path);
  const demo = await loadDemoProgram();
  const program = extra.program ? extra.program(demo) : demo;
  const config = validateConfig(testConfigValue(dir.path, overrides), dir.path, null);
  const gateway = new Gateway({
    config,
    program,
    logger: silentLogger,
    hardware: extra.hardware,
    disk: extra.disk,
  });
  await seedDemoMembers(gateway, program);
  await gateway.start();
  return {
    gateway,
    program,
    dir,
    url: `mqtt://127.0.0.1:${gateway.ports.mqtt}`,
    stop: async () => {
      await gateway.stop();
      dir.remove();
    },
  };
};

export interface TillClient {
  client: MqttClient;
  request(op: string, body: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** A till on the real broker: publishes `req/{op}` and waits for the response with the same requestId. */
export const connectTill = async (url: string, id = 'till-01', secret = TILL_SECRET): Promise<TillClient> => {
  const client = await mqtt.connectAsync(url, {
    username: id,
    password: secret,
    clientId: `${id}-${Math.random()}`,
    reconnectPeriod: 0,
  });
  // Nagle on the till's side holds each request until the previous PUBACK is acknowledged
  // (~40 ms per round trip with delayed ACKs): a till that waits for answers wants NODELAY too.
  (client.stream as Partial<Socket>).setNoDelay?.(true);
  const waiting = new Map<string, (body: Record<string, unknown>) => void>();
  client.on('message', (_topic, payload) => {
    const body = JSON.parse(payload.toString()) as Record<string, unknown>;
    const resolve = waiting.get(String(body.requestId));
    if (resolve) {
      waiting.delete(String(body.requestId));
      resolve(body);
    }
  });
  await client.subscribeAsync(`loyalty/v1/till/${id}/res/#`, { qos: 1 });
  let n = 0;
  return {
    client,
    request: (op, body) =>
      new Promise((resolve, reject) => {
        const requestId =
          typeof body.requestId === 'string' ? body.requestId : `${id}-req-${++n}-${Math.random()}`;
        const timer = setTimeout(() => reject(new Error(`no response to ${op} ${requestId}`)), 10_000);
        waiting.set(requestId, (response) => {
          clearTimeout(timer);
          resolve(response);
        });
        client.publish(`loyalty/v1/till/${id}/req/${op}`, JSON.stringify({ ...body, requestId }), { qos: 1 });
      }),
    close: () => client.endAsync(),
  };
};

let saleCounter = 0;

/** A realistic sale body: lines that add up, paid in cash unless told otherwise. */
export const saleBody = (
  uid: string | null,
  lines: Array<{ sku: string; productGroup?: string; qty: number; unitPrice: number }>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => {
  const saleLines = lines.map((l, i) => ({ lineId: String(i + 1), ...l, amount: l.qty * l.unitPrice }));
  const total = saleLines.reduce((s, l) => s + l.amount, 0);
  return {
    saleId: `S-${process.pid}-${++saleCounter}-${Math.random().toString(36).slice(2, 8)}`,
    at: '2026-11-23T10:00:00+04:00',
    ...(uid ? { card: { uid } } : {}),
    currency: 'AMD',
    lines: saleLines,
    payments: [{ method: 'cash', amount: total }],
    total,
    ...extra,
  };
};
