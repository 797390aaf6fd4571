import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../core/logger.ts';
import type { Service } from '../core/service.ts';
import type { HostPolicy } from './host-policy.ts';

export interface HttpReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Route = (req: IncomingMessage, params: string[], body: unknown) => Promise<HttpReply> | HttpReply;

export interface RouteSpec {
  method: 'GET' | 'POST';
  /** A regular expression over the path; its groups become `params`. */
  path: RegExp;
  handle: Route;
  /**
   * Checked before `handle` (host-policy.ts): `host` = the request's Host must be one of the
   * gateway's names (routes that hand out secrets); `origin` = a browser's Origin must be
   * the kiosk page's own (routes that act).
   */
  checks?: ReadonlyArray<'host' | 'origin'>;
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

const MAX_BODY = 64 * 1024;

const readJson = (req: IncomingMessage): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error(`body larger than ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size === 0) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new Error('body is not JSON'));
      }
    });
    req.on('error', reject);
  });

const send = (res: ServerResponse, reply: HttpReply): void => {
  const isText = typeof reply.body === 'string' || Buffer.isBuffer(reply.body);
  const body = isText ? (reply.body as string | Buffer) : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...reply.headers,
  });
  res.end(body);
};

/**
 * The gateway's HTTP port: health, loopback-only device APIs, the kiosk page, and MQTT
 * over WebSocket at /mqtt (docs/protocol.md §1) through the upgrade handlers.
 */
export class HttpServer implements Service {
  readonly name = 'http';
  private readonly server: Server;
  private readonly routes: RouteSpec[] = [];
  private readonly upgrades: UpgradeHandler[] = [];
  private readonly upgraded = new Set<Duplex>();

  constructor(private readonly options: { port: number; host: string; logger: Logger; hosts: HostPolicy }) {
    this.server = createServer((req, res) => {
      this.dispatch(req, res).catch((error: unknown) => {
        this.options.logger.error('http handler failed', { error: String(error) });
        if (!res.headersSent) send(res, { status: 500, body: { error: 'INTERNAL' } });
      });
    });
    this.server.on('connection', (socket) => socket.setNoDelay(true));
    this.server.on('upgrade', (req, socket, head) => {
      // Upgraded sockets (MQTT over WebSocket) leave the server's bookkeeping: track them so
      // stop() can close them, or close() would wait for the kiosk page forever.
      this.upgraded.add(socket);
      socket.once('close', () => this.upgraded.delete(socket));
      if (!this.upgrades.some((handle) => handle(req, socket, head))) socket.destroy();
    });
  }

  route(spec: RouteSpec): void {
    this.routes.push(spec);
  }

  onUpgrade(handler: UpgradeHandler): void {
    this.upgrades.push(handler);
  }

  get httpServer(): Server {
    return this.server;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : this.options.port;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    for (const socket of this.upgraded) socket.destroy();
    this.upgraded.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private refusal(req: IncomingMessage, checks: ReadonlyArray<'host' | 'origin'>): string | null {
    const { hosts } = this.options;
    if (checks.includes('host')) {
      const why = hosts.refuseHost(req);
      if (why !== null) return why;
    }
    return checks.includes('origin') ? hosts.refuseOrigin(req) : null;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    for (const spec of this.routes) {
      const match = spec.path.exec(path);
      if (!match) continue;
      if (req.method !== spec.method) continue;
      const refused = this.refusal(req, spec.checks ?? []);
      if (refused !== null) {
        this.options.logger.warn('http request refused', { path, reason: refused });
        req.resume(); // drain the body so the connection can answer
        send(res, { status: 403, body: { error: 'FORBIDDEN', message: refused } });
        return;
      }
      let body: unknown;
      if (req.method === 'POST') {
        try {
          body = await readJson(req);
        } catch (error) {
          send(res, { status: 400, body: { error: 'INVALID_REQUEST', message: (error as Error).message } });
          return;
        }
      }
      send(res, await spec.handle(req, match.slice(1), body));
      return;
    }
    send(res, { status: 404, body: { error: 'NOT_FOUND', message: `no ${req.method} ${path}` } });
  }
}
