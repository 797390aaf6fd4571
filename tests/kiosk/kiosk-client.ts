import mqtt, { type MqttClient } from 'mqtt';
import type { KioskSessionMessage } from '../../gateway/src/kiosk/wire.ts';

export type Body = Record<string, unknown>;

/** A kiosk page stand-in on the real broker, with the kiosk's credentials (docs/protocol.md §1 Kiosk). */
export interface KioskClient {
  client: MqttClient;
  sessions: KioskSessionMessage[];
  /** The next session message after `count` were seen (default: the next one from now). */
  nextSession(count?: number): Promise<KioskSessionMessage>;
  request(op: string, body: Body): Promise<Body>;
  close(): Promise<void>;
}

export const connectKiosk = async (
  url: string,
  id = 'kiosk-1',
  secret = 'kiosk-secret',
): Promise<KioskClient> => {
  const client = await mqtt.connectAsync(url, {
    username: id,
    password: secret,
    clientId: `${id}-${Math.random()}`,
    reconnectPeriod: 0,
  });
  const sessions: KioskSessionMessage[] = [];
  const waiters: Array<() => void> = [];
  const pending = new Map<string, (body: Body) => void>();
  client.on('message', (topic, payload) => {
    const body = JSON.parse(payload.toString()) as Body;
    if (topic.endsWith('/session')) {
      sessions.push(body as unknown as KioskSessionMessage);
      for (const w of waiters.splice(0)) w();
      return;
    }
    const resolve = pending.get(String(body.requestId));
    pending.delete(String(body.requestId));
    resolve?.(body);
  });
  await client.subscribeAsync([`loyalty/v1/kiosk/${id}/session`, `loyalty/v1/kiosk/${id}/res/#`], { qos: 1 });
  let n = 0;
  const nextSession = (count = sessions.length): Promise<KioskSessionMessage> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no session message')), 5_000);
      const check = () => {
        const found = sessions[count];
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(check);
      };
      check();
    });
  return {
    client,
    sessions,
    nextSession,
    request: (op, body) =>
      new Promise((resolve, reject) => {
        const requestId =
          typeof body.requestId === 'string' ? body.requestId : `${id}-${++n}-${Math.random()}`;
        const timer = setTimeout(() => reject(new Error(`no response to ${op}`)), 10_000);
        pending.set(requestId, (response) => {
          clearTimeout(timer);
          resolve(response);
        });
        client.publish(`loyalty/v1/kiosk/${id}/req/${op}`, JSON.stringify({ ...body, requestId }), {
          qos: 1,
        });
      }),
    close: () => client.endAsync(),
  };
};
