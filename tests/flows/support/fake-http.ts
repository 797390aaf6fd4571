/** A loopback HTTP server standing in for the SMS provider, the member directory and the report API. */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface FakeHttp {
  url: string;
  requests: Recorded[];
  /** Requests to one path. */
  to(path: string): Recorded[];
  /** Resolves when `count` requests reached `path`. */
  waitFor(path: string, count?: number, timeoutMs?: number): Promise<Recorded[]>;
  close(): Promise<void>;
}

export type Route = (req: Recorded) => { status: number; body?: unknown };

export async function startFakeHttp(routes: Record<string, Route> = {}): Promise<FakeHttp> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // keep the text
      }
      const path = (req.url ?? '/').split('?')[0]!;
      const recorded: Recorded = { method: req.method ?? '', path, headers: req.headers, body };
      requests.push(recorded);
      const route = Object.entries(routes).find(([prefix]) => path.startsWith(prefix))?.[1];
      const answer = route ? route(recorded) : { status: 202, body: { accepted: true } };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const to = (path: string) => requests.filter((r) => r.path === path);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    to,
    async waitFor(path, count = 1, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (to(path).length < count) {
        if (Date.now() > until)
          throw new Error(`${path}: ${to(path).length} of ${count} requests in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return to(path);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
