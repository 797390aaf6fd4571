import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { HqError } from '../errors.ts';

const gunzipAsync = promisify(gunzip);

/** The request body, gunzipped when `content-encoding: gzip` (docs/protocol.md §2: gzip), within a size limit. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new HqError('TOO_LARGE', `request body over ${limit} bytes`);
    chunks.push(b);
  }
  const raw = Buffer.concat(chunks);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return raw;
  if (encoding !== 'gzip') throw new HqError('INVALID_REQUEST', `unsupported content-encoding ${encoding}`);
  try {
    // The limit applies to the inflated body too (a small gzip bomb must not fill memory).
    const out = await gunzipAsync(raw, { maxOutputLength: limit });
    return out;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new HqError('TOO_LARGE', `request body over ${limit} bytes once gunzipped`);
    throw new HqError('INVALID_REQUEST', `bad gzip body: ${(error as Error).message}`);
  }
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new HqError('INVALID_REQUEST', 'the body is not JSON');
  }
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, type: string, text: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export const bearer = (req: IncomingMessage): string | undefined => {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
};
