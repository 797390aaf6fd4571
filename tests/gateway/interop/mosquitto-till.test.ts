/**
 * Interop (issue: till link): a till built on Mosquitto's command-line clients drives the
 * real gateway — ledger, engine and all — exactly as docs/till-guide.md shows it: requests
 * with `mosquitto_pub`, answers read by `mosquitto_sub`.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, saleBody, startGateway, TILL_SECRET } from '../../fakes/gateway-fixture.ts';

const run = promisify(execFile);

interface Subscriber {
  /** The next message whose JSON body carries this requestId (or `null` for res/error). */
  answer(requestId: string | null, topicSuffix: string): Promise<Record<string, unknown>>;
  lines: string[];
  stop(): void;
}

describe('a Mosquitto-client till against the real gateway', () => {
  let gw: GatewayFixture;
  let sub: Subscriber;
  const auth = (id = 'till-01', password = TILL_SECRET): string[] => [
    ...`-h 127.0.0.1 -p ${gw.gateway.ports.mqtt} -V mqttv311 -u`.split(' '),
    id,
    '-P',
    password,
  ];
  const publish = (op: string, payload: string, id = 'till-01') =>
    run('mosquitto_pub', [
      ...auth(id),
      ...`-i ${id}-pub -q 1 -t loyalty/v1/till/${id}/req/${op} -m`.split(' '),
      payload,
    ]);

  beforeAll(async () => {
    gw = await startGateway();
    sub = await subscribe([
      ...auth(),
      ...'-i till-01-sub -d -q 1 -t loyalty/v1/till/till-01/res/# -v'.split(' '),
    ]);
  });
  afterAll(async () => {
    sub?.stop();
    await gw?.stop();
  });

  it('identifies a card and posts a sale, answered only after it is in the ledger', async () => {
    await publish('identify', JSON.stringify({ requestId: 'mq-id-1', card: { uid: '04A1B2C3' } }));
    const identified = await sub.answer('mq-id-1', 'identify');
    expect(identified).toMatchObject({ ok: true, member: { id: 'M-1001' }, balances: { points: 1200 } });

    const sale = saleBody('04A1B2C3', [{ sku: 'A1', qty: 2, unitPrice: 5_000 }]);
    await publish('sale', JSON.stringify({ ...sale, requestId: 'mq-sale-1' }));
    const answered = await sub.answer('mq-sale-1', 'sale');
    expect(answered.ok).toBe(true);
    const earned = (answered.earned as { points: number }).points;
    expect(earned).toBeGreaterThan(0);
    expect(gw.gateway.ledger.balance({ member: 'M-1001' }, 'points')).toBe(1200 + earned);
  });

  it('a re-sent request gets the identical answer and posts nothing twice', async () => {
    const sale = saleBody('1B2C3D4E', [{ sku: 'B7', qty: 1, unitPrice: 12_000 }]);
    const body = JSON.stringify({ ...sale, requestId: 'mq-sale-2' });
    await publish('sale', body);
    const first = await sub.answer('mq-sale-2', 'sale');
    const balance = gw.gateway.ledger.balance({ member: 'M-1005' }, 'points');
    await publish('sale', body);
    const second = await sub.answer('mq-sale-2', 'sale');
    expect(second).toEqual(first);
    expect(gw.gateway.ledger.balance({ member: 'M-1005' }, 'points')).toBe(balance);

    await publish('sale', JSON.stringify({ ...sale, total: sale.total, lines: [], requestId: 'mq-sale-2' }));
    expect(await sub.answer('mq-sale-2', 'sale')).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('gets the contract errors: unknown card, a missing field by name, a payload that is not JSON', async () => {
    await publish('identify', JSON.stringify({ requestId: 'mq-id-2', card: { uid: 'ABCDEF01' } }));
    expect(await sub.answer('mq-id-2', 'identify')).toMatchObject({
      ok: false,
      error: { code: 'CARD_UNKNOWN' },
    });

    const { total: _total, ...noTotal } = saleBody('04A1B2C3', [{ sku: 'A1', qty: 1, unitPrice: 100 }]);
    await publish('sale', JSON.stringify({ ...noTotal, requestId: 'mq-sale-3' }));
    const missing = await sub.answer('mq-sale-3', 'sale');
    expect(missing).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(String((missing.error as { message: string }).message)).toMatch(/total/);

    await publish('sale', 'this is not json');
    expect(await sub.answer(null, 'error')).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });

  it("cannot read another till's answers, and a wrong password is refused", async () => {
    const peek = await run('mosquitto_sub', [
      ...auth(),
      ...'-i till-01-peek -d -q 1 -t loyalty/v1/till/till-02/res/# -C 1 -W 2'.split(' '),
    ]).catch((e: { stdout: string; code: number }) => e);
    expect(peek.stdout).toMatch(/Subscribed \(mid: \d+\): 128/);

    await expect(
      run('mosquitto_pub', [
        ...auth('till-01', 'wrong'),
        ...'-t loyalty/v1/till/till-01/req/identify -m {}'.split(' '),
      ]),
    ).rejects.toMatchObject({ stderr: expect.stringMatching(/not authori[sz]ed/i) });
  });
});

/** A long-running `mosquitto_sub -v`, resolved once its SUBACK is printed. */
async function subscribe(args: string[]): Promise<Subscriber> {
  // stdbuf: lines arrive as they are printed, not when the pipe's buffer fills.
  const child: ChildProcessWithoutNullStreams = spawn('stdbuf', ['-oL', 'mosquitto_sub', ...args]);
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  const until = async (found: () => boolean, what: string) => {
    const deadline = Date.now() + 10_000;
    while (!found()) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`mosquitto_sub: no ${what}; output:\n${lines.join('\n')}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  await until(() => lines.some((l) => l.includes('SUBACK')), 'SUBACK');
  let read = 0;
  return {
    lines,
    stop: () => child.kill(),
    answer: async (requestId, topicSuffix) => {
      let body: Record<string, unknown> | undefined;
      await until(() => {
        for (; read < lines.length; read++) {
          const line = lines[read]!;
          const space = line.indexOf(' ');
          if (!line.startsWith('loyalty/') || !line.slice(0, space).endsWith(`/res/${topicSuffix}`)) continue;
          const parsed = JSON.parse(line.slice(space + 1)) as Record<string, unknown>;
          if (parsed.requestId === requestId) {
            body = parsed;
            read++;
            return true;
          }
        }
        return false;
      }, `answer to ${requestId}`);
      return body!;
    },
  };
}
