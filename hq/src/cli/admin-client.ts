import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { HqConfig } from '../config.ts';

/**
 * The hq CLI talks to the RUNNING hub's management API over loopback: one code path for
 * both drivers, and the embedded PGlite database (one process at a time) is never opened
 * twice.
 */
export async function adminRequest(
  config: HqConfig,
  method: string,
  path: string,
  body?: { data: Buffer | string; type: string },
): Promise<{ status: number; json: unknown }> {
  const secure = config.hq.tls !== undefined;
  const url = new URL(path, `${secure ? 'https' : 'http'}://127.0.0.1:${config.hq.port}`);
  const data = body === undefined ? undefined : Buffer.from(body.data);
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      url,
      {
        method,
        // Loopback to our own hub: its certificate names the public host, not 127.0.0.1.
        ...(secure ? { rejectUnauthorized: false, ca: readFileSync(config.hq.tls?.cert ?? '') } : {}),
        headers: {
          ...(config.hq.adminToken ? { authorization: `Bearer ${config.hq.adminToken}` } : {}),
          ...(body ? { 'content-type': body.type, 'content-length': String(data?.length ?? 0) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = text;
          try {
            json = JSON.parse(text) as unknown;
          } catch {
            // not JSON (a CSV report): keep the text
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', (e) =>
      reject(
        new Error(`hq is not running on port ${config.hq.port} (${e.message}); start it with "hq start"`),
      ),
    );
    req.end(data);
  });
}

/** `{error: {message}}` → message; anything else as JSON. */
export const errorText = (json: unknown): string => {
  if (typeof json === 'object' && json !== null && 'error' in json) {
    const e = (json as { error: { message?: unknown } }).error;
    if (typeof e.message === 'string') return e.message;
  }
  return JSON.stringify(json);
};
