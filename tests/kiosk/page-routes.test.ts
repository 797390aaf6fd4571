import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HttpReply } from '../../gateway/src/http/server.ts';
import { pageRoutes } from '../../gateway/src/kiosk/page-routes.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';

const kiosks = [{ id: 'kiosk-1', secret: 'kiosk-secret', reader: 'reader-1' }];
/** The only part of a request the routes read: where it came from. */
const from = (remoteAddress: string) => ({ socket: { remoteAddress } }) as unknown as IncomingMessage;

const call = async (distDir: string, path: string, address = '127.0.0.1'): Promise<HttpReply> => {
  for (const route of pageRoutes({ kiosks, distDir })) {
    const m = route.path.exec(path);
    if (m) return route.handle(from(address), m.slice(1), undefined);
  }
  return { status: 404, body: 'no route' };
};

describe('kiosk page routes (protocol.md §1 Kiosk)', () => {
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
});
