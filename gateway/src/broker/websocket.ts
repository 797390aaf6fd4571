/**
 * MQTT over WebSocket at `/mqtt` on the gateway's HTTP server (docs/protocol.md §1), the way
 * the kiosk page connects. The HTTP server belongs to the gateway; this only takes the
 * upgrades for `/mqtt` and hands the byte stream to the broker like a TCP socket.
 */
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { createWebSocketStream, WebSocketServer } from 'ws';

type ToStream = typeof createWebSocketStream;

export const MQTT_WS_PATH = '/mqtt';

export interface WebSocketGateOptions {
  /** ws refuses larger frames itself, before buffering them. */
  maxPacketBytes: number;
  accept: (stream: Duplex, req: IncomingMessage) => void;
  logger: { debug(obj: object, msg?: string): void };
}

export interface WebSocketGate {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  attach(server: HttpServer): () => void;
  /** Terminates open WebSocket connections. */
  close(): void;
}

const pathOf = (req: IncomingMessage): string => {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
};

export function createWebSocketGate(options: WebSocketGateOptions): WebSocketGate {
  const { accept, logger } = options;
  // ws is loaded with the first WebSocket client (~7 MB resident): a store whose kiosk
  // screens are not connected, or that has none, does not carry it.
  let server: Promise<{ wss: WebSocketServer; toStream: ToStream }> | null = null;
  let open: WebSocketServer | null = null;
  const load = () =>
    (server ??= import('ws').then(({ WebSocketServer, createWebSocketStream }) => {
      // MQTT-6.0.0-3: the subprotocol is `mqtt` (3.1.1) or `mqttv3.1` (3.1).
      const wss = new WebSocketServer({
        noServer: true,
        maxPayload: options.maxPacketBytes,
        handleProtocols: (offered) =>
          offered.has('mqtt') ? 'mqtt' : offered.has('mqttv3.1') ? 'mqttv3.1' : false,
      });
      open = wss;
      return { wss, toStream: createWebSocketStream };
    }));

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    if (pathOf(req) !== MQTT_WS_PATH) return false;
    if (socket instanceof Socket) socket.setNoDelay(true); // same Nagle cost as on TCP
    // The upgraded socket buffers what the client sends until ws reads it.
    load().then(
      ({ wss, toStream }) =>
        wss.handleUpgrade(req, socket, head, (ws) => {
          const stream = toStream(ws);
          stream.on('error', (err) => logger.debug({ err }, 'websocket stream error'));
          accept(stream, req);
        }),
      (err: unknown) => {
        logger.debug({ err }, 'websocket support could not be loaded');
        socket.destroy();
      },
    );
    return true;
  };

  return {
    handleUpgrade,
    attach(server) {
      // attach() owns every upgrade of the server: other paths get 404 rather than a
      // socket left open. A server with more WebSocket paths calls handleUpgrade itself.
      const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
        if (!handleUpgrade(req, socket, head))
          socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      };
      server.on('upgrade', onUpgrade);
      return () => {
        server.off('upgrade', onUpgrade);
      };
    },
    close() {
      // The server itself holds nothing (noServer) and stays usable for a restart.
      for (const client of open?.clients ?? []) client.terminate();
    },
  };
}

type Upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

/**
 * Refuses an `/mqtt` upgrade whose `Origin` is not the kiosk page's own (`refuse` returns
 * why, http/host-policy.ts) with 403 before any WebSocket is made; other upgrades and
 * allowed ones go on to `next`. A page elsewhere must not drive the broker from a browser
 * on the Pi.
 */
export function originChecked(
  refuse: (req: IncomingMessage) => string | null,
  onRefused: (reason: string) => void,
  next: Upgrade,
): Upgrade {
  return (req, socket, head) => {
    if (pathOf(req) !== MQTT_WS_PATH) return next(req, socket, head);
    const reason = refuse(req);
    if (reason === null) return next(req, socket, head);
    onRefused(reason);
    const body = `${reason}\n`;
    socket.end(
      `HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    return true;
  };
}
