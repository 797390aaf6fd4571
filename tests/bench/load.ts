import type { Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';

export interface Timing {
  latencies: number[];
  seconds: number;
  errors: number;
}

export const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

export interface BenchTill {
  id: string;
  client: MqttClient;
  send(op: string, body: Record<string, unknown>): Promise<{ ms: number; ok: boolean }>;
}

/** A till for load: NODELAY, one subscription, responses matched by requestId. */
export const benchTill = async (
  url: string,
  id: string,
  secret: string,
  options: mqtt.IClientOptions = {},
): Promise<BenchTill> => {
  const client = await mqtt.connectAsync(url, {
    username: id,
    password: secret,
    clientId: id,
    reconnectPeriod: 0,
    ...options,
  });
  (client.stream as Partial<Socket>).setNoDelay?.(true);
  const waiting = new Map<string, (ok: boolean) => void>();
  client.on('message', (_t, payload) => {
    const body = JSON.parse(payload.toString()) as { requestId: string; ok: boolean };
    waiting.get(body.requestId)?.(body.ok);
    waiting.delete(body.requestId);
  });
  await client.subscribeAsync(`loyalty/v1/till/${id}/res/#`, { qos: 1 });
  return {
    id,
    client,
    send: (op, body) =>
      new Promise((resolve) => {
        const started = performance.now();
        waiting.set(String(body.requestId), (ok) => resolve({ ms: performance.now() - started, ok }));
        client.publish(`loyalty/v1/till/${id}/req/${op}`, JSON.stringify(body), { qos: 1 });
      }),
  };
};

/** Closed loop: each till keeps `inFlight` requests outstanding for `count` requests in all. */
export const closedLoop = async (
  tills: BenchTill[],
  inFlight: number,
  count: number,
  body: (till: BenchTill, i: number) => Record<string, unknown>,
): Promise<Timing> => {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const worker = async (till: BenchTill) => {
    while (next < count) {
      const i = next++;
      const r = await till.send('sale', body(till, i));
      latencies.push(r.ms);
      if (!r.ok) errors++;
    }
  };
  await Promise.all(tills.flatMap((t) => Array.from({ length: inFlight / tills.length }, () => worker(t))));
  return {
    latencies: latencies.sort((a, b) => a - b),
    seconds: (performance.now() - started) / 1000,
    errors,
  };
};

/** Open loop: requests at a fixed rate whatever the answers, for `seconds`. */
export const openLoop = async (
  tills: BenchTill[],
  perSecond: number,
  seconds: number,
  body: (till: BenchTill, i: number) => Record<string, unknown>,
): Promise<Timing> => {
  const total = Math.round(perSecond * seconds);
  const gap = 1000 / perSecond;
  const started = performance.now();
  const pending: Array<Promise<{ ms: number; ok: boolean }>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * gap;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const till = tills[i % tills.length]!;
    pending.push(till.send('sale', body(till, i)));
  }
  const results = await Promise.all(pending);
  return {
    latencies: results.map((r) => r.ms).sort((a, b) => a - b),
    seconds: (performance.now() - started) / 1000,
    errors: results.filter((r) => !r.ok).length,
  };
};
