import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HttpReply } from '../../gateway/src/http/server.ts';
import { pageRoutes } from '../../gateway/src/kiosk/page-routes.ts';
import { Pairing } from '../../gateway/src/kiosk/pairing.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';

const kiosks = [{ id: 'kiosk-1', secret: 'kiosk-secret', reader: 'reader-1' }];
/** The only part of a request the routes read: where it came from. */
const from = (remoteAddress: string) => ({ socket: { remoteAddress } }) as unknown as IncomingMessage;

let clock = Date.parse('2026-11-23T10:00:00Z');
const pairing = new Pairing({ now: () => new Date(clock) });

const call = async (
  distDir: string,
  path: string,
  address = '127.0.0.1',
  method: 'GET' | 'POST' = 'GET',
  body?: unknown,
): Promise<HttpReply> => {
  for (const route of pageRoutes({ kiosks, distDir, pairing })) {
    const m = route.path.exec(path);
    if (m && route.method === method) return route.handle(from(address), m.slice(1), body);
  }
  return { status: 404, body: 'no route' };
};

describe('kiosk page routes (docs/protocol.md §1 Kiosk)', () => {
  const dist = makeTempDir('le-dist-');
  const empty = makeTempDir('le-nodist-');
  mkdirSync(join(dist.path, 'assets'));
  writeFileSync(join(dist.path, 'index.html'), '<!doctype html><title>kiosk</title>');
  writeFileSync(join(dist.path, 'assets', 'index-abc.js'), 'console.log(1)');
  afterAll(() => {
    dist.remove();
    empty.remove();
  });

  it('hands K’s broker credentials to loopback only', async () => {
    expect(await call(dist.path, '/kiosk/kiosk-1/credentials')).toMatchObject({
      status: 200,
      body: {
        kioskId: 'kiosk-1',
        username: 'kiosk-1',
        password: 'kiosk-secret',
        reader: 'reader-1',
        mqttPath: '/mqtt',
      },
    });
    expect((await call(dist.path, '/kiosk/kiosk-1/credentials', '::1')).status).toBe(200);
    for (const remote of ['192.168.1.20', '::ffff:10.0.0.7', 'fe80::1']) {
      const reply = await call(dist.path, '/kiosk/kiosk-1/credentials', remote);
      expect(reply.status).toBe(403);
      expect(JSON.stringify(reply.body)).not.toContain('kiosk-secret');
    }
    expect((await call(dist.path, '/kiosk/kiosk-9/credentials')).status).toBe(404);
  });

  it('serves the page and hashed assets with their types; 503 with the fix when not built', async () => {
    const page = await call(dist.path, '/kiosk/kiosk-1');
    expect(page.status).toBe(200);
    expect(page.headers?.['content-type']).toContain('text/html');
    expect((await call(dist.path, '/kiosk/kiosk-1/')).status).toBe(200);
    const js = await call(dist.path, '/kiosk/assets/index-abc.js');
    expect(js.headers?.['content-type']).toContain('text/javascript');
    expect(String(js.body)).toBe('console.log(1)');
    expect((await call(dist.path, '/kiosk/assets/missing.js')).status).toBe(404);
    expect((await call(dist.path, '/kiosk/assets/..%2f..%2fetc')).status).toBe(404);
    expect((await call(dist.path, '/kiosk/assets/../index.html')).status).toBe(404);
    const missing = await call(empty.path, '/kiosk/kiosk-1');
    expect(missing.status).toBe(503);
    expect(String(missing.body)).toContain('npm run build:kiosk');
    expect((await call(dist.path, '/kiosk/kiosk-9')).status).toBe(404);
  });

  it('pairs a remote screen with a one-time code issued on the Pi', async () => {
    const remote = '192.168.1.20';
    expect((await call(dist.path, '/kiosk/kiosk-1/pairing', remote, 'POST')).status).toBe(403);
    const issued = await call(dist.path, '/kiosk/kiosk-1/pairing', '127.0.0.1', 'POST');
    expect(issued.status).toBe(201);
    const { code } = issued.body as { code: string };
    expect(code).toMatch(/^[0-9]{6}$/);
    const wrong = code === '000000' ? '000001' : '000000';
    expect((await call(dist.path, '/kiosk/kiosk-1/pair', remote, 'POST', { code: wrong })).status).toBe(403);
    const paired = await call(dist.path, '/kiosk/kiosk-1/pair', remote, 'POST', { code });
    expect(paired).toMatchObject({ status: 200, body: { username: 'kiosk-1', password: 'kiosk-secret' } });
    // Single use.
    expect((await call(dist.path, '/kiosk/kiosk-1/pair', remote, 'POST', { code })).status).toBe(403);
  });

  it('revokes a code after five wrong guesses, and when it expires', async () => {
    let { code } = pairing.issue('kiosk-1');
    const wrong = code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 5; i++) expect(pairing.redeem('kiosk-1', wrong)).toBe(false);
    expect(pairing.redeem('kiosk-1', code)).toBe(false);
    ({ code } = pairing.issue('kiosk-1'));
    expect(pairing.redeem('kiosk-1', 123456)).toBe(false);
    clock += 301_000;
    expect(pairing.redeem('kiosk-1', code)).toBe(false);
  });
});
