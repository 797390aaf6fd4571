import type { Socket } from 'node:net';
import mqtt from 'mqtt';
import { type Command, EXIT, parseFlags, UsageError } from '../command.ts';
import { resolveConfig } from '../store.ts';

const PRODUCTS = [
  { sku: 'VIT-C-500', productGroup: 'vitamins', unitPrice: 250000 },
  { sku: 'ASPIRIN-20', productGroup: 'otc', unitPrice: 89000 },
  { sku: 'BREAD-1', productGroup: 'bakery', unitPrice: 35000 },
  { sku: 'MILK-1L', productGroup: 'dairy', unitPrice: 62000 },
  { sku: 'TEA-100', productGroup: 'grocery', unitPrice: 145000 },
  { sku: 'CIG-20', productGroup: 'tobacco', unitPrice: 120000 },
];

const positive = (text: string | undefined, flag: string, fallback: number): number => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag}: "${text}" must be a positive number`);
  return n;
};

/** A realistic basket: 1–5 lines, some paid by card, some in cash; a few anonymous sales. */
export const basket = (uids: string[], n: number, prefix: string) => {
  const lines = Array.from({ length: 1 + (n % 5) }, (_, i) => {
    const p = PRODUCTS[(n * 7 + i * 3) % PRODUCTS.length]!;
    const qty = 1 + ((n + i) % 3);
    return { lineId: String(i + 1), ...p, qty, amount: qty * p.unitPrice };
  });
  const total = lines.reduce((s, l) => s + l.amount, 0);
  const uid = n % 10 === 9 ? null : uids[n % uids.length]!;
  return {
    requestId: `${prefix}-${n}`,
    saleId: `${prefix}-${n}`,
    at: new Date().toISOString(),
    ...(uid ? { card: { uid } } : {}),
    currency: 'AMD',
    lines,
    payments: [{ method: n % 3 === 0 ? 'cash' : 'card', amount: total }],
    total,
  };
};

export const tillSim: Command = {
  words: ['till-sim'],
  usage:
    'till-sim [--config FILE] [--till ID] [--secret S] [--host H] [--port N] [--rate N] [--count N] [--cards UID,UID]',
  summary: 'Publish realistic sales as a till would (demos and load); prints each answer and a summary.',
  run: async (args, io) => {
    const { values } = parseFlags(
      args,
      {
        config: { type: 'string' },
        till: { type: 'string' },
        secret: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        rate: { type: 'string' },
        count: { type: 'string' },
        cards: { type: 'string' },
      },
      0,
    );
    const rate = positive(values.rate, '--rate', 2);
    const count = Math.round(positive(values.count, '--count', 20));
    const { config } = resolveConfig(values.config);
    const tillId = values.till ?? config.tills[0]?.id;
    const secret = values.secret ?? config.tills.find((t) => t.id === tillId)?.secret;
    if (!tillId || !secret) throw new UsageError('--till: no till in the config; give --till and --secret');
    const port = Math.round(positive(values.port, '--port', config.mqtt.port));
    const uids = (values.cards ?? '04A1B2C3,04A1B2C3D4E5F6,0A1B2C3D,1B2C3D4E,04DEAD00BEEF42').split(',');
    const client = await mqtt.connectAsync(`mqtt://${values.host ?? '127.0.0.1'}:${port}`, {
      username: tillId,
      password: secret,
      // The broker takes only the till's own id or `{till}-…` (docs/till-guide.md).
      clientId: `${tillId}-sim-${process.pid}`,
      reconnectPeriod: 1000,
    });
    (client.stream as Partial<Socket>).setNoDelay?.(true);
    await client.subscribeAsync(`loyalty/v1/till/${tillId}/res/#`, { qos: 1 });
    const prefix = `sim-${Date.now().toString(36)}`;
    const sent = new Map<string, number>();
    let ok = 0;
    let refused = 0;
    const latencies: number[] = [];
    const done = new Promise<void>((resolve) => {
      client.on('message', (_topic, payload) => {
        const res = JSON.parse(payload.toString()) as {
          requestId: string;
          ok: boolean;
          earned?: { points: number };
          error?: { code: string };
        };
        const started = sent.get(res.requestId);
        if (started === undefined) return;
        sent.delete(res.requestId);
        latencies.push(performance.now() - started);
        if (res.ok) ok++;
        else refused++;
        io.out(`${res.requestId}: ${res.ok ? `ok, +${res.earned?.points ?? 0} points` : res.error?.code}`);
        if (ok + refused === count) resolve();
      });
    });
    // Paced by the clock, not by a fixed pause after each sale: the rate holds however long
    // publishing and the timers take (a soak runs it for half an hour).
    const started = performance.now();
    for (let n = 0; n < count; n++) {
      const sale = basket(uids, n, prefix);
      sent.set(sale.requestId, performance.now());
      client.publish(`loyalty/v1/till/${tillId}/req/sale`, JSON.stringify(sale), { qos: 1 });
      const wait = started + ((n + 1) * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
    await client.endAsync();
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)] ?? Number.NaN;
    io.out(
      `till-sim: ${count} sales, ${ok} ok, ${refused} refused, ${count - ok - refused} unanswered; p50 ${p50.toFixed(1)} ms`,
    );
    return ok + refused === count ? EXIT.ok : EXIT.failed;
  },
};
