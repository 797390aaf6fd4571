import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isLoopback } from '../http/loopback.ts';
import type { HttpReply, RouteSpec } from '../http/server.ts';
import type { Pairing } from './pairing.ts';
import type { KioskCredentials } from './wire.ts';

export interface PageDeps {
  kiosks: ReadonlyArray<{ id: string; secret: string; reader: string }>;
  pairing: Pairing;
  /** `kiosk-ui/dist`, built by `npm run build:kiosk` (vite). */
  distDir: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Kiosk not built</title>
<body style="font:20px sans-serif;padding:2em"><h1>The kiosk page is not built</h1>
<p>Run <code>npm run build:kiosk</code> on the gateway, then reload this page.</p></body></html>`;

const readOrNull = async (path: string): Promise<Buffer | null> => {
  try {
    return await readFile(path);
  } catch {
    return null;
  }
};

/** Hands out or trades secrets: this gateway's own names only, and the page's own origin (DNS rebinding). */
const SECRET_ROUTE = ['host', 'origin'] as const;

const forbidden = (message: string): HttpReply => ({ status: 403, body: { error: 'FORBIDDEN', message } });

/**
 * The kiosk page (docs/protocol.md §1 Kiosk): `/kiosk/{K}` serves the built bundle, assets live
 * under `/kiosk/assets/` (hashed names, cached), and `/kiosk/{K}/credentials` hands K's
 * broker credentials to the Pi's own screen (loopback), or to a remote screen that
 * entered a one-time pairing code issued from the Pi (`POST /kiosk/{K}/pairing`, loopback).
 */
export const pageRoutes = (deps: PageDeps): RouteSpec[] => {
  const kiosk = (id: string | undefined) => deps.kiosks.find((k) => k.id === id);
  const credentials = (k: PageDeps['kiosks'][number]): KioskCredentials => ({
    kioskId: k.id,
    reader: k.reader,
    username: k.id,
    password: k.secret,
    mqttPath: '/mqtt',
  });
  return [
    {
      method: 'GET',
      // Hashed file names only, no dots-only segments or slashes: nothing outside dist/assets.
      path: /^\/kiosk\/assets\/([A-Za-z0-9_-][A-Za-z0-9._-]*)$/,
      handle: async (_req, [name]) => {
        const body = await readOrNull(join(deps.distDir, 'assets', name ?? ''));
        if (!body) return { status: 404, body: { error: 'NOT_FOUND', message: 'no such asset' } };
        return {
          status: 200,
          body,
          headers: {
            'content-type': TYPES[extname(name ?? '')] ?? 'application/octet-stream',
            'cache-control': 'public, max-age=31536000, immutable',
          },
        };
      },
    },
    {
      method: 'GET',
      path: /^\/kiosk\/([^/]+)\/credentials$/,
      checks: SECRET_ROUTE,
      handle: (req, [id]) => {
        const k = kiosk(id);
        if (!k) return { status: 404, body: { error: 'NOT_FOUND', message: `no kiosk "${id}"` } };
        if (!isLoopback(req)) return forbidden('credentials are handed to this machine’s own screen only');
        return { status: 200, body: credentials(k) };
      },
    },
    {
      method: 'POST',
      path: /^\/kiosk\/([^/]+)\/pairing$/,
      checks: SECRET_ROUTE,
      handle: (req, [id]) => {
        const k = kiosk(id);
        if (!k) return { status: 404, body: { error: 'NOT_FOUND', message: `no kiosk "${id}"` } };
        if (!isLoopback(req)) return forbidden('pairing codes are issued on this machine only');
        return { status: 201, body: deps.pairing.issue(k.id) };
      },
    },
    {
      method: 'POST',
      path: /^\/kiosk\/([^/]+)\/pair$/,
      checks: SECRET_ROUTE,
      handle: (_req, [id], body) => {
        const k = kiosk(id);
        if (!k) return { status: 404, body: { error: 'NOT_FOUND', message: `no kiosk "${id}"` } };
        const code = (body as { code?: unknown } | undefined)?.code;
        if (!deps.pairing.redeem(k.id, code))
          return {
            status: 403,
            body: { error: 'PAIRING_INVALID', message: 'wrong or expired pairing code' },
          };
        return { status: 200, body: credentials(k) };
      },
    },
    {
      method: 'GET',
      path: /^\/kiosk\/([^/]+)\/?$/,
      handle: async (_req, [id]) => {
        if (!kiosk(id)) return { status: 404, body: { error: 'NOT_FOUND', message: `no kiosk "${id}"` } };
        const html = await readOrNull(join(deps.distDir, 'index.html'));
        return html
          ? { status: 200, body: html, headers: { 'content-type': TYPES['.html'] ?? 'text/html' } }
          : { status: 503, body: NOT_BUILT, headers: { 'content-type': 'text/html; charset=utf-8' } };
      },
    },
  ];
};
