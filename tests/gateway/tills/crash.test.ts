import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { openLedger } from '../../../gateway/src/ledger/index.ts';
import {
  connectTill,
  DEMO_MEMBERS,
  saleBody,
  type TillClient,
  testConfigValue,
} from '../../fakes/gateway-fixture.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';

const BIN = new URL('../../../bin/loyalty-edge.js', import.meta.url).pathname;
const dir = makeTempDir('le-crash-');
const config = join(dir.path, 'config.yaml');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  dir.remove();
});

/** Starts `loyalty-edge start` as its own process and resolves its MQTT port from the banner. */
const startGatewayProcess = (): Promise<{ child: ChildProcess; url: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start', '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${out}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const port = /mqtt:\/\/[^:]+:(\d+)/.exec(out)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ child, url: `mqtt://127.0.0.1:${port}` });
      }
    });
    child.on('exit', (code) => reject(new Error(`gateway exited (${code}):\n${out}`)));
  });

const CARDS = ['04A1B2C3', '04A1B2C3D4E5F6', '1B2C3D4E', '04C0FFEE112233'];
const TILLS = ['till-01', 'till-02', 'till-03', 'till-04'];

describe('a gateway killed mid-burst (docs/protocol.md: durable before answered)', () => {
  it('keeps every sale it said ok to, exactly once, and answers re-sends identically', async () => {
    writeFileSync(config, stringify(testConfigValue(join(dir.path, 'data'))));
    execFileSync(process.execPath, [BIN, 'members', 'import', DEMO_MEMBERS, '--config', config]);
    const pointsBefore = (() => {
      const ledger = openLedger(join(dir.path, 'data', 'store.db'));
      const sum = CARDS.reduce(
        (s, uid) => s + ledger.balance({ member: ledger.findCard({ uid })!.memberId }, 'points'),
        0,
      );
      ledger.close();
      return sum;
    })();

    const first = await startGatewayProcess();
    const tills: TillClient[] = await Promise.all(TILLS.map((id) => connectTill(first.url, id)));
    // 4 tills × 60 sales, all in flight; the process is killed once 100 have been answered.
    const requests = TILLS.flatMap((_, t) =>
      Array.from({ length: 60 }, (_, i) => ({
        till: t,
        body: {
          ...saleBody(CARDS[t]!, [{ sku: 'X', qty: 1 + (i % 3), unitPrice: 10000 }], {
            at: '2026-11-23T12:00:00+04:00',
          }),
          requestId: `crash-${t}-${i}`,
        },
      })),
    );
    const answered = new Map<string, Record<string, unknown>>();
    let killed = false;
    const kill = () => {
      if (!killed) first.child.kill('SIGKILL');
      killed = true;
    };
    await Promise.all(
      requests.map(({ till, body }) =>
        tills[till]!.request('sale', body)
          .then((res) => {
            if (!killed) answered.set(body.requestId, res);
            if (answered.size >= 100) kill();
          })
          .catch(() => {}),
      ),
    );
    kill();
    await Promise.all(tills.map((t) => t.close().catch(() => {})));
    expect(answered.size).toBeGreaterThanOrEqual(100);

    // Restart on the same data; every till re-sends everything it sent.
    const second = await startGatewayProcess();
    const again = await Promise.all(TILLS.map((id) => connectTill(second.url, id)));
    const final = new Map<string, Record<string, unknown>>();
    for (const { till, body } of requests)
      final.set(body.requestId, await again[till]!.request('sale', body));
    await Promise.all(again.map((t) => t.close()));
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));

    for (const [requestId, response] of answered) expect(final.get(requestId)).toEqual(response);
    expect([...final.values()].every((r) => r.ok === true)).toBe(true);

    const ledger = openLedger(join(dir.path, 'data', 'store.db'));
    try {
      expect(ledger.verify()).toEqual([]);
      for (const { body } of requests)
        expect(ledger.getSaleHistory(String((body as Record<string, unknown>).saleId))).not.toBeNull();
      const earned = [...final.values()].reduce((s, r) => s + (r.earned as { points: number }).points, 0);
      const pointsAfter = CARDS.reduce(
        (s, uid) => s + ledger.balance({ member: ledger.findCard({ uid })!.memberId }, 'points'),
        0,
      );
      expect(pointsAfter - pointsBefore).toBe(earned); // every sale posted exactly once
    } finally {
      ledger.close();
    }
  }, 90_000);
});
