import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { connectAsync } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createBroker } from '../../../gateway/src/broker/broker.ts';
import { createClientRegistry } from '../../../gateway/src/broker/clients.ts';
import type { GatewayStatus } from '../../../gateway/src/contract/index.ts';
import { echo, type Harness, nextMessage, roundTrip, secretOf, startHarness } from './helpers.ts';

/** Records what `setNoDelay` is called with on a socket, before the broker sees the socket. */
function spyNoDelay(socket: Socket, calls: boolean[]): void {
  const original = socket.setNoDelay.bind(socket);
  socket.setNoDelay = (noDelay?: boolean) => {
    calls.push(noDelay ?? true);
    return original(noDelay);
  };
}

describe('broker transports', () => {
  let h: Harness | undefined;
  let http: Server | undefined;
  afterEach(async () => {
    await h?.cleanup();
    if (http) {
      http.closeAllConnections();
      await new Promise((resolve) => http?.close(resolve));
    }
    h = undefined;
    http = undefined;
  });

  it('sets TCP_NODELAY on every accepted TCP socket (benchmarks.md)', async () => {
    h = await startHarness();
    const calls: boolean[] = [];
    h.broker.tcpServer?.prependListener('connection', (socket: Socket) => spyNoDelay(socket, calls));
    const till = await h.connect('till-01');
    await till.subscribeAsync('loyalty/v1/till/till-01/res/#', { qos: 1 });
    await roundTrip(till, 'till', 'till-01');
    expect(calls).toEqual([true]);
  });

  it('serves MQTT over WebSocket at /mqtt on an HTTP server, with TCP_NODELAY', async () => {
    h = await startHarness();
    const server = createServer((_req, res) => res.end('ok'));
    http = server;
    const calls: boolean[] = [];
    server.prependListener('upgrade', (_req, socket: Socket) => spyNoDelay(socket, calls));
    h.broker.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    const kiosk = await connectAsync(`ws://127.0.0.1:${port}/mqtt`, {
      username: 'kiosk-1',
      password: secretOf('kiosk-1'),
      clientId: 'kiosk-1-page',
      reconnectPeriod: 0,
    });
    try {
      await kiosk.subscribeAsync('loyalty/v1/kiosk/kiosk-1/#', { qos: 1 });
      const session = nextMessage(kiosk, 'loyalty/v1/kiosk/kiosk-1/session');
      await h.broker.publish('loyalty/v1/kiosk/kiosk-1/session', { state: 'idle' });
      expect(await session).toEqual({ state: 'idle' });
      await roundTrip(kiosk, 'kiosk', 'kiosk-1');
      // Ours comes first; ws sets it again when it takes the socket.
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.every((v) => v)).toBe(true);
    } finally {
      await kiosk.endAsync(true);
    }

    // Other upgrade paths are answered 404, not left hanging.
    const elsewhere = new WebSocket(`ws://127.0.0.1:${port}/other`, 'mqtt');
    const status = await new Promise<number | undefined>((resolve) => {
      elsewhere.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      elsewhere.on('error', () => resolve(undefined));
    });
    elsewhere.terminate();
    expect(status).toBe(404);
  });

  it('refuses a wrong password over WebSocket too', async () => {
    h = await startHarness();
    const server = createServer();
    http = server;
    h.broker.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const attempt = connectAsync(`ws://127.0.0.1:${port}/mqtt`, {
      username: 'kiosk-1',
      password: 'wrong',
      reconnectPeriod: 0,
    });
    await expect(attempt).rejects.toMatchObject({ code: 5 });
  });

  it('keeps the gateway status retained and publishes {online:false} on stop (docs/protocol.md §1)', async () => {
    h = await startHarness();
    const status: GatewayStatus = {
      online: true,
      version: '0.1.0',
      storeId: 'yerevan-1',
      startedAt: '2026-11-23T18:00:00+04:00',
      program: { id: 'demo', version: 1 },
      sync: { pending: 0, lastOkAt: null },
    };
    await h.broker.setStatus(status);
    const watcher = await h.connect('watcher');
    const retained = nextMessage(watcher, 'loyalty/v1/gateway/status');
    await watcher.subscribeAsync('loyalty/v1/gateway/status', { qos: 1 });
    expect(await retained).toEqual(status);

    const offline = nextMessage(watcher, 'loyalty/v1/gateway/status');
    await h.broker.stop();
    expect(await offline).toEqual({ online: false });
    expect(h.broker.ports.mqtt).toBeNull();
  });

  it('fails to start on a port in use and leaves nothing running', async () => {
    h = await startHarness();
    const second = createBroker({
      clients: createClientRegistry({}),
      mqttPort: h.broker.ports.mqtt ?? 0,
      host: '127.0.0.1',
      onRequest: echo,
    });
    await expect(second.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(second.ports.mqtt).toBeNull();
    await second.stop();
  });
});
