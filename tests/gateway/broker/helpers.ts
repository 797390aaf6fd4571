/** A real broker on 127.0.0.1:0 and real mqtt.js clients, closed by `cleanup()`. */
import { connectAsync, ErrorWithSubackPacket, type IClientOptions, type MqttClient } from 'mqtt';
import { type Broker, type BrokerOptions, createBroker } from '../../../gateway/src/broker/broker.ts';
import { type ClientsConfig, createClientRegistry } from '../../../gateway/src/broker/clients.ts';
import type { RequestHandler } from '../../../gateway/src/broker/request-router.ts';

export const clientsConfig = {
  tills: [
    { id: 'till-01', secret: 'till-01-secret' },
    { id: 'till-02', secret: 'till-02-secret' },
  ],
  kiosks: [{ id: 'kiosk-1', secret: 'kiosk-1-secret', reader: 'reader-1' }],
  integrations: [
    { id: 'node-red', secret: 'node-red-secret', allowTillRequests: true },
    { id: 'watcher', secret: 'watcher-secret' },
  ],
} satisfies ClientsConfig;

export const secretOf = (id: string): string => `${id}-secret`;

/** Echoes the op and body back: what a handler sees is what the till receives. */
export const echo: RequestHandler = async (req) => ({
  ok: true,
  op: req.op,
  role: req.role,
  clientId: req.clientId,
  sender: req.sender,
  body: req.body,
});

export interface Harness {
  broker: Broker;
  url: string;
  connect(id: string, options?: IClientOptions): Promise<MqttClient>;
  cleanup(): Promise<void>;
}

export async function startHarness(overrides: Partial<BrokerOptions> = {}): Promise<Harness> {
  const clients = createClientRegistry(clientsConfig);
  const broker = createBroker({ clients, mqttPort: 0, host: '127.0.0.1', onRequest: echo, ...overrides });
  await broker.start();
  const url = `mqtt://127.0.0.1:${broker.ports.mqtt}`;
  const open: MqttClient[] = [];
  return {
    broker,
    url,
    async connect(id, options = {}) {
      const client = await connectAsync(url, {
        username: id,
        password: secretOf(id),
        // A client id of its own (docs/till-guide.md: the id, or `{id}-…`).
        clientId: `${id}-${Math.random().toString(36).slice(2, 10)}`,
        reconnectPeriod: 0,
        ...options,
      });
      open.push(client);
      return client;
    },
    async cleanup() {
      await Promise.all(open.map((c) => c.endAsync(true)));
      await broker.stop();
    },
  };
}

/** The next message on `topic` (the client must already be subscribed). */
export function nextMessage(client: MqttClient, topic: string, timeoutMs = 5_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no message on ${topic} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (t: string, payload: Buffer): void => {
      if (t !== topic) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(JSON.parse(payload.toString('utf8')));
    };
    client.on('message', onMessage);
  });
}

/** Collects every message a client receives, for "nothing arrived" assertions. */
export function collect(client: MqttClient): Array<{ topic: string; payload: string }> {
  const seen: Array<{ topic: string; payload: string }> = [];
  client.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString('utf8') }));
  return seen;
}

let syncCount = 0;

/**
 * Waits until the broker has processed everything `client` sent before: a QoS 1 publish
 * to the client's own request topic is answered only after earlier packets were handled.
 */
export async function roundTrip(client: MqttClient, role: 'till' | 'kiosk', id: string): Promise<void> {
  const op = role === 'till' ? 'identify' : 'history';
  const requestId = `sync-${++syncCount}`;
  const topic = `loyalty/v1/${role}/${id}/res/${op}`;
  const answered = new Promise<void>((resolve) => {
    const onMessage = (t: string, payload: Buffer): void => {
      if (t === topic && payload.toString('utf8').includes(requestId)) {
        client.off('message', onMessage);
        resolve();
      }
    };
    client.on('message', onMessage);
  });
  await client.publishAsync(`loyalty/v1/${role}/${id}/req/${op}`, JSON.stringify({ requestId }), { qos: 1 });
  await answered;
}

/** SUBACK return codes for one SUBSCRIBE (mqtt.js rejects the whole call when one is 0x80). */
export async function subackCodes(client: MqttClient, filters: readonly string[]): Promise<number[]> {
  const request = Object.fromEntries(filters.map((f) => [f, { qos: 1 as const }]));
  try {
    const granted = await client.subscribeAsync(request);
    return granted.map((g) => g.qos);
  } catch (err) {
    if (err instanceof ErrorWithSubackPacket && err.packet && 'granted' in err.packet) {
      // MQTT 3.1.1 SUBACK: one return code per filter (0x80 = refused).
      return err.packet.granted.map(Number);
    }
    throw err;
  }
}
