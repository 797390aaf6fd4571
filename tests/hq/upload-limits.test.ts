/**
 * hq's limits on bodies read at once (hq/src/http/upload-limits.ts, config `hq.uploads`),
 * over loopback HTTP with real clients: gzip bombs held half-sent so the limits are reached
 * without depending on timing, and a real store's upload landing beside them.
 */
import { type ClientRequest, request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../gateway/src/core/logger.ts';
import type { Ledger } from '../../gateway/src/ledger/ledger.ts';
import { createHqClient } from '../../gateway/src/sync/hq-client.ts';
import { toWireEntry } from '../../gateway/src/sync/wire.ts';
import { parseHqConfig } from '../../hq/src/config.ts';
import type { SqlDb } from '../../hq/src/db/sql.ts';
import { createHub, type Hub } from '../../hq/src/hub.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { earn, openStore } from '../gateway/sync/store-fixture.ts';
import { enroll } from './hub-fixture.ts';
import { openTestPglite } from './pglite-template.ts';

const MB = 1024 * 1024;
/** 100 MiB of zeros in ~100 KB: over the 64 MiB a ledger body may inflate to. */
const BOMB = gzipSync(Buffer.alloc(100 * MB));
const HALF = Math.floor(BOMB.length / 2);

interface Held {
  req: ClientRequest;
  answer: Promise<{ status: number; body: string; retryAfter?: string }>;
  /** Sends the rest of the bomb. */
  finish(): void;
}

let db: SqlDb;
let hub: Hub;
let port: number;
const tokens = new Map<string, string>();
const dir = makeTempDir('hq-limits-');

/** A gzip bomb upload of `device`, of which only the first half is sent for now. */
const heldBomb = (device: string): Held => {
  let req!: ClientRequest;
  const answer = new Promise<{ status: number; body: string; retryAfter?: string }>((resolve, reject) => {
    req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/v1/devices/${device}/ledger`,
        headers: {
          authorization: `Bearer ${tokens.get(device)}`,
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'content-length': BOMB.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            ...(retryAfter ? { retryAfter } : {}),
          });
        });
      },
    );
    req.on('error', reject);
  });
  answer.catch(() => {}); // a refused one is destroyed by the test; its answer is already read
  req.write(BOMB.subarray(0, HALF));
  return { req, answer, finish: () => req.end(BOMB.subarray(HALF)) };
};

/** A real store ledger's first entries, posted by the gateway's own hq client. */
const normalUpload = async (device: string, ledger: Ledger) => {
  earn(ledger, device, `${device}:sale-1`, `m-${device}`, 120);
  const entries = ledger.entriesAfter(0, 10).map((e) => toWireEntry(device, e));
  const client = createHqClient({ url: `http://127.0.0.1:${port}`, token: tokens.get(device) });
  try {
    return await client.postBatch(device, { batchId: `${device}-1`, fromSeq: 1, toSeq: 1, entries });
  } finally {
    client.close();
  }
};

const health = async (): Promise<{ uploads: { reading: number; waiting: number } }> =>
  (await fetch(`http://127.0.0.1:${port}/v1/health`)).json() as Promise<{
    uploads: { reading: number; waiting: number };
  }>;

const rss = () => `${Math.round(process.memoryUsage().rss / MB)} MB`;

beforeAll(async () => {
  db = await openTestPglite();
  const config = parseHqConfig(
    {
      hq: {
        port: 0,
        host: '127.0.0.1',
        scheduleEvents: false,
        uploads: { perDevice: 1, concurrent: 2, queued: 1 },
      },
    },
    process.cwd(),
  );
  hub = createHub(config, { logger: silentLogger, db });
  await hub.start();
  port = hub.port();
  for (const device of ['gw-a', 'gw-b', 'gw-c', 'gw-d', 'gw-e'])
    tokens.set(device, await enroll(db, `http://127.0.0.1:${port}`, `store-${device}`, device));
}, 120_000);
afterAll(async () => {
  await hub.stop();
  await db.close();
  dir.remove();
});

describe('hq reads a bounded number of bodies at once', () => {
  it('refuses a device’s parallel bombs beyond one, queues past the overall limit, and lets normal uploads land', async () => {
    console.log(`rss before: ${rss()}`);
    // Eight bombs from one device: one is being read, the seven others are refused at once.
    const bombs = Array.from({ length: 8 }, () => heldBomb('gw-a'));
    const answered: Array<{ i: number; status: number; body: string; retryAfter?: string }> = [];
    await new Promise<void>((resolve) => {
      for (const [i, b] of bombs.entries())
        void b.answer.then((a) => {
          answered.push({ i, ...a });
          if (answered.length === 7) resolve();
        });
    });
    expect(answered.map((a) => a.status)).toEqual(Array(7).fill(429));
    for (const a of answered) {
      expect(JSON.parse(a.body)).toMatchObject({ error: { code: 'BUSY' } });
      expect(a.retryAfter).toBe('1');
    }
    for (const a of answered) bombs[a.i]!.req.destroy();
    const reading = bombs.find((_, i) => !answered.some((a) => a.i === i))!;

    // Another store's normal upload lands beside it (the second of two slots).
    const ledgerB = openStore(dir.file('gw-b.db'));
    expect(await normalUpload('gw-b', ledgerB)).toEqual({ kind: 'acked', ackedSeq: 1 });

    // Both slots taken (gw-a's bomb, gw-c's): gw-d's upload waits in the queue of one,
    // gw-e's finds the queue full and is refused.
    const c = heldBomb('gw-c');
    const ledgerD = openStore(dir.file('gw-d.db'));
    const queued = normalUpload('gw-d', ledgerD);
    // hq's health shows the queue; wait until gw-d is in it.
    while ((await health()).uploads.waiting < 1) await new Promise((resolve) => setImmediate(resolve));
    expect((await health()).uploads).toEqual({ reading: 2, waiting: 1 });
    const e = heldBomb('gw-e');
    const refused = await e.answer;
    e.req.destroy();
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'BUSY' } });
    expect(refused.body).toMatch(/hq is reading 2 uploads and 1 wait/);
    // The gateway's own client takes a 429 as "retry with backoff", not as a refusal.
    const client = createHqClient({ url: `http://127.0.0.1:${port}`, token: tokens.get('gw-e') });
    await expect(
      client.postBatch('gw-e', { batchId: 'e', fromSeq: 1, toSeq: 1, entries: [] }),
    ).rejects.toMatchObject({ code: 'HQ_UNREACHABLE', status: 429 });
    client.close();
    // Finishing gw-a's bomb (413: over 64 MiB once gunzipped) hands its slot to gw-d.
    reading.finish();
    const bombed = await reading.answer;
    expect(bombed.status).toBe(413);
    expect(JSON.parse(bombed.body)).toMatchObject({ error: { code: 'TOO_LARGE' } });
    expect(await queued).toEqual({ kind: 'acked', ackedSeq: 1 });
    c.finish();
    expect((await c.answer).status).toBe(413);
    console.log(`rss after 8 + 2 bombs: ${rss()}`);
    ledgerB.close();
    ledgerD.close();
    const landed = await db.query<{ n: string }>("SELECT count(*) AS n FROM entries WHERE origin = 'device'");
    expect(Number(landed[0]?.n)).toBe(2);
  }, 120_000);
});
