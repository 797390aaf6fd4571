import mqtt, { type MqttClient } from 'mqtt';
import type {
  KioskOp,
  KioskOps,
  KioskResponseMessage,
  ReaderState,
} from '../../gateway/src/contract/index.ts';
import type { KioskCredentials, KioskSessionMessage } from '../../gateway/src/kiosk/wire.ts';

const ROOT = 'loyalty/v1';
const REQUEST_TIMEOUT_MS = 8_000;

export interface SocketEvents {
  onSession(message: KioskSessionMessage): void;
  onReader(state: ReaderState['state']): void;
  onConnection(state: 'online' | 'offline'): void;
}

/**
 * The page's only link to the gateway: the MQTT contract over WebSocket (architecture.md:
 * no private API). mqtt.js reconnects by itself; the session topic is not retained
 * (docs/protocol.md §1 Kiosk), so after a reconnect the page waits for the next tap.
 */
export class GatewaySocket {
  readonly #client: MqttClient;
  readonly #pending = new Map<string, (response: unknown) => void>();
  #counter = 0;

  constructor(
    url: string,
    private readonly creds: KioskCredentials,
    private readonly events: SocketEvents,
  ) {
    const k = creds.kioskId;
    this.#client = mqtt.connect(url, {
      username: creds.username,
      password: creds.password,
      clientId: `${k}-page-${Math.random().toString(36).slice(2, 10)}`,
      reconnectPeriod: 1_000,
      connectTimeout: 4_000,
      keepalive: 10,
      clean: true,
    });
    this.#client.on('connect', () => {
      // Online once subscribed (SUBACK), not at CONNACK: a session published in between
      // (not retained) would be lost, and the page would not react to that tap.
      this.#client.subscribe(
        [`${ROOT}/kiosk/${k}/session`, `${ROOT}/kiosk/${k}/res/#`, `${ROOT}/reader/${creds.reader}/state`],
        { qos: 1 },
        (error) => {
          if (!error) this.events.onConnection('online');
        },
      );
    });
    this.#client.on('close', () => this.events.onConnection('offline'));
    this.#client.on('offline', () => this.events.onConnection('offline'));
    this.#client.on('message', (topic, payload) => this.#dispatch(topic, payload));
  }

  request<O extends KioskOp>(op: O, body: KioskOps[O]['request']): Promise<KioskResponseMessage<O>> {
    const requestId = `${this.creds.kioskId}-${Date.now().toString(36)}-${++this.#counter}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(requestId);
        reject(new Error(`no answer to ${op}`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(requestId, (response) => {
        clearTimeout(timer);
        resolve(response as KioskResponseMessage<O>);
      });
      this.#client.publish(
        `${ROOT}/kiosk/${this.creds.kioskId}/req/${op}`,
        JSON.stringify({ requestId, ...body }),
        { qos: 1 },
      );
    });
  }

  close(): void {
    this.#client.end(true);
  }

  #dispatch(topic: string, payload: Uint8Array): void {
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      return;
    }
    if (typeof body !== 'object' || body === null) return;
    if (topic.endsWith('/session')) this.events.onSession(body as KioskSessionMessage);
    else if (topic.endsWith('/state')) this.events.onReader((body as ReaderState).state);
    else {
      const id = (body as { requestId?: unknown }).requestId;
      const resolve = typeof id === 'string' ? this.#pending.get(id) : undefined;
      if (resolve && typeof id === 'string') {
        this.#pending.delete(id);
        resolve(body);
      }
    }
  }
}
