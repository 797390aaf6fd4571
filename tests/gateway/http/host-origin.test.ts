import { request } from 'node:http';
import { hostname } from 'node:os';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type GatewayFixture, startGateway } from '../../fakes/gateway-fixture.ts';

/**
 * The Host and Origin checks (http/host-policy.ts) against the real gateway HTTP server,
 * with real clients and forged headers: DNS rebinding sends a foreign Host, a page
 * elsewhere sends its own Origin.
 */

interface Answer {
  status: number;
  body: string;
}

let fx: GatewayFixture;
let port: number;
const own = () => `127.0.0.1:${port}`;

const call = (
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { ...(data ? { 'content-type': 'application/json' } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });

/** The status of a raw WebSocket handshake at /mqtt (101 when it opened). */
const handshake = (options: WebSocket.ClientOptions): Promise<number> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, 'mqtt', options);
    ws.on('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', reject);
  });

beforeAll(async () => {
  fx = await startGateway({ http: { port: 0, host: '127.0.0.1', hosts: ['kiosk.store.example'] } });
  port = fx.gateway.ports.http;
});
afterAll(() => fx.stop());

describe('Host on the credentials and pairing routes', () => {
  it('hands out credentials to the gateway’s own names and refuses a rebound name', async () => {
    for (const host of [own(), `localhost:${port}`, `[::1]:${port}`, 'kiosk.store.example', hostname()]) {
      const answer = await call('GET', '/kiosk/kiosk-1/credentials', { host });
      expect(answer, host).toMatchObject({ status: 200 });
      expect(JSON.parse(answer.body)).toMatchObject({ username: 'kiosk-1', password: 'kiosk-secret' });
    }
    for (const host of [`attacker.example:${port}`, 'kiosk.store.example.attacker.example', 'bad host']) {
      const answer = await call('GET', '/kiosk/kiosk-1/credentials', { host });
      expect(answer.status, host).toBe(403);
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'FORBIDDEN' });
      expect(answer.body).not.toContain('kiosk-secret');
    }
    // A rebound page fetching with its own Origin, and the right Host with a foreign Origin.
    const rebound = await call('GET', '/kiosk/kiosk-1/credentials', {
      host: `attacker.example:${port}`,
      origin: `http://attacker.example:${port}`,
    });
    expect(rebound.status).toBe(403);
    const foreign = await call('GET', '/kiosk/kiosk-1/credentials', {
      host: own(),
      origin: 'http://attacker.example',
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body).not.toContain('kiosk-secret');
  });

  it('issues and trades pairing codes for the gateway’s own names only', async () => {
    expect((await call('POST', '/kiosk/kiosk-1/pairing', { host: `evil.example:${port}` })).status).toBe(403);
    const issued = await call('POST', '/kiosk/kiosk-1/pairing', { host: own() });
    expect(issued.status).toBe(201);
    const { code } = JSON.parse(issued.body) as { code: string };
    // The rebound name does not get (or use up) the code; the right one then does.
    const rebound = await call('POST', '/kiosk/kiosk-1/pair', { host: `evil.example:${port}` }, { code });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain('kiosk-secret');
    const paired = await call('POST', '/kiosk/kiosk-1/pair', { host: 'kiosk.store.example' }, { code });
    expect(paired.status).toBe(200);
    expect(JSON.parse(paired.body)).toMatchObject({ password: 'kiosk-secret' });
  });
});

describe('Origin on the tap route', () => {
  const tap = (headers: Record<string, string>) =>
    call('POST', '/api/readers/reader-1/tap', { host: own(), ...headers }, { uid: '04A1B2C3' });

  it('refuses a page elsewhere, even one on this machine', async () => {
    for (const origin of [
      'http://attacker.example',
      'null',
      `http://127.0.0.1:${port + 1}`, // another service on the Pi (Node-RED's editor, say)
      `http://attacker.example:${port}`,
      'file://',
    ]) {
      const answer = await tap({ origin });
      expect(answer.status, origin).toBe(403);
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'FORBIDDEN' });
    }
    const rebound = await tap({
      host: `attacker.example:${port}`,
      origin: `http://attacker.example:${port}`,
    });
    expect(rebound.status).toBe(403);
  });

  it('accepts the kiosk page’s own origin, and a client that is no browser (no Origin)', async () => {
    expect((await tap({ origin: `http://${own()}` })).status).toBe(202);
    expect((await tap({ origin: `http://localhost:${port}`, host: `localhost:${port}` })).status).toBe(202);
    expect((await tap({})).status).toBe(202); // `loyalty-edge tap`, curl
  });
});

describe('Origin on the /mqtt WebSocket upgrade', () => {
  it('refuses a foreign or rebound origin before the handshake', async () => {
    expect(await handshake({ origin: 'http://attacker.example' })).toBe(403);
    expect(await handshake({ origin: `http://127.0.0.1:${port + 1}` })).toBe(403);
    expect(await handshake({ origin: 'null' })).toBe(403);
    expect(
      await handshake({
        origin: `http://attacker.example:${port}`,
        headers: { host: `attacker.example:${port}` },
      }),
    ).toBe(403);
  });

  it('lets the kiosk page’s own origin and a till without Origin connect with mqtt.js', async () => {
    const page = await mqtt.connectAsync(`ws://127.0.0.1:${port}/mqtt`, {
      username: 'kiosk-1',
      password: 'kiosk-secret',
      reconnectPeriod: 0,
      wsOptions: { origin: `http://${own()}` },
    });
    expect(page.connected).toBe(true);
    await page.endAsync(true);
    const till = await mqtt.connectAsync(`ws://127.0.0.1:${port}/mqtt`, {
      username: 'till-01',
      password: 'till-secret-for-tests',
      reconnectPeriod: 0,
    });
    expect(till.connected).toBe(true);
    await till.endAsync(true);
    // mqtt.js over a refused handshake: an error, never a connection.
    const refused = mqtt.connect(`ws://127.0.0.1:${port}/mqtt`, {
      username: 'kiosk-1',
      password: 'kiosk-secret',
      reconnectPeriod: 0,
      wsOptions: { origin: 'http://attacker.example' },
    });
    const outcome = await new Promise<string>((resolve) => {
      refused.once('connect', () => resolve('connected'));
      refused.once('error', (error) => resolve(`error: ${error.message}`));
      refused.once('close', () => resolve('closed'));
    });
    refused.end(true);
    expect(outcome).not.toBe('connected');
  });
});
