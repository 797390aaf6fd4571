/** mqtt.js clients as the tests' till and observers, and a request/response helper. */
import { randomUUID } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';

export async function connectClient(url: string, username: string, password: string): Promise<MqttClient> {
  return connectAsync(url, {
    username,
    password,
    reconnectPeriod: 0,
    clientId: `${username}-${randomUUID()}`,
  });
}

/**
 * A till on its own connection: `request()` publishes `req/{op}` and resolves with the
 * matching `res/{op}` (by requestId), or rejects after `timeoutMs`.
 */
export async function connectTill(url: string, tillId: string, secret: string) {
  const client = await connectClient(url, tillId, secret);
  await client.subscribeAsync(`loyalty/v1/till/${tillId}/res/#`, { qos: 1 });
  const waiting = new Map<string, (response: Record<string, unknown>) => void>();
  client.on('message', (_topic, payload) => {
    const response = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    const id = response.requestId;
    if (typeof id !== 'string') return;
    waiting.get(id)?.(response);
    waiting.delete(id);
  });
  return {
    client,
    request(op: string, body: Record<string, unknown>, timeoutMs = 10_000): Promise<Record<string, unknown>> {
      const requestId = `t-${randomUUID()}`;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(requestId);
          reject(new Error(`till ${op} ${requestId}: no response within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(requestId, (r) => {
          clearTimeout(timer);
          resolve(r);
        });
        client.publish(`loyalty/v1/till/${tillId}/req/${op}`, JSON.stringify({ requestId, ...body }), {
          qos: 1,
        });
      });
    },
    close: () => client.endAsync(true),
  };
}

/** A sale body for the demo program (money in AMD minor units). */
export function saleBody(
  saleId: string,
  uid: string,
  lines: Array<{ sku: string; productGroup?: string; qty: number; unitPrice: number }>,
): Record<string, unknown> {
  const withAmounts = lines.map((l, i) => ({ lineId: String(i + 1), ...l, amount: l.qty * l.unitPrice }));
  const total = withAmounts.reduce((sum, l) => sum + l.amount, 0);
  return {
    saleId,
    at: new Date().toISOString(),
    card: { uid },
    currency: 'AMD',
    lines: withAmounts,
    payments: [{ method: 'cash', amount: total }],
    total,
  };
}
