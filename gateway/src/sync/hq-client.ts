import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { z } from 'zod';
import { CodedError } from '../core/errors.ts';
import {
  ackResponse,
  type ChangesPage,
  changesPage,
  enrollResponse,
  type LedgerBatch,
  type QuarantineReport,
} from './wire.ts';

const gzipAsync = promisify(gzip);

export interface HqClientOptions {
  url: string;
  /** The device token (docs/protocol.md §2: Bearer); absent only for enrollment. */
  token?: string;
  tls?: { ca?: string; cert?: string; key?: string };
  timeoutMs?: number;
}

/** HQ_UNREACHABLE: network, timeout, 5xx or 429 (retry with backoff); HQ_REFUSED: a 4xx that retrying will not fix. */
export class HqClientError extends CodedError {
  constructor(
    code: 'HQ_UNREACHABLE' | 'HQ_REFUSED' | 'HQ_BAD_ANSWER',
    message: string,
    readonly status?: number,
  ) {
    super(code, message);
    this.name = 'HqClientError';
  }
}

export type BatchAnswer =
  | { kind: 'acked'; ackedSeq: number; quarantined?: QuarantineReport[] }
  | { kind: 'gap'; ackedSeq: number };

export interface HqClient {
  postBatch(deviceId: string, batch: LedgerBatch, signal?: AbortSignal): Promise<BatchAnswer>;
  getChanges(deviceId: string, since: number, limit: number, signal?: AbortSignal): Promise<ChangesPage>;
  enroll(body: {
    enrollmentToken: string;
    deviceId: string;
    storeId: string;
  }): Promise<{ deviceToken: string }>;
  close(): void;
}

/** A small JSON-over-HTTP(S) client for docs/protocol.md §2 (node:http, keep-alive, gzip bodies). */
export function createHqClient(opts: HqClientOptions): HqClient {
  const base = new URL(opts.url);
  const secure = base.protocol === 'https:';
  const read = (p?: string) => (p === undefined ? undefined : readFileSync(p));
  const agent = secure
    ? new https.Agent({
        keepAlive: true,
        ca: read(opts.tls?.ca),
        cert: read(opts.tls?.cert),
        key: read(opts.tls?.key),
      })
    : new http.Agent({ keepAlive: true });
  const timeoutMs = opts.timeoutMs ?? 30_000;

  const request = (
    method: string,
    path: string,
    body: Buffer | undefined,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<{ status: number; json: unknown }> =>
    new Promise((resolve, reject) => {
      const url = new URL(path, base);
      const req = (secure ? https : http).request(
        url,
        {
          method,
          agent,
          signal,
          timeout: timeoutMs,
          headers: {
            accept: 'application/json',
            ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
            ...(body ? { 'content-length': String(body.length) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => reject(new HqClientError('HQ_UNREACHABLE', e.message)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown = null;
            try {
              json = text === '' ? null : (JSON.parse(text) as unknown);
            } catch {
              json = null;
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
      req.on('error', (e) =>
        reject(new HqClientError('HQ_UNREACHABLE', `${method} ${url.pathname}: ${e.message}`)),
      );
      req.end(body);
    });

  const expect = <T>(schema: z.ZodType<T>, r: { status: number; json: unknown }, what: string): T => {
    // 429: hq is reading other uploads (hq `BUSY`, Retry-After): a retry will do.
    if (r.status >= 500 || r.status === 0 || r.status === 429)
      throw new HqClientError('HQ_UNREACHABLE', `${what}: hq answered ${r.status}`, r.status);
    if (r.status >= 400) {
      const msg = JSON.stringify(r.json);
      throw new HqClientError('HQ_REFUSED', `${what}: hq refused (${r.status}) ${msg}`, r.status);
    }
    const parsed = schema.safeParse(r.json);
    if (!parsed.success) throw new HqClientError('HQ_BAD_ANSWER', `${what}: unexpected answer`);
    return parsed.data;
  };

  return {
    async postBatch(deviceId, batch, signal) {
      const body = await gzipAsync(Buffer.from(JSON.stringify(batch)), { level: 1 });
      const r = await request(
        'POST',
        `/v1/devices/${encodeURIComponent(deviceId)}/ledger`,
        body,
        { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        signal,
      );
      // docs/protocol.md §2: a gap gets 409 {ackedSeq}; the device resumes from there.
      if (r.status === 409) {
        const gap = ackResponse.safeParse(r.json);
        if (gap.success) return { kind: 'gap', ackedSeq: gap.data.ackedSeq };
      }
      const ack = expect(ackResponse, r, 'ledger batch');
      return ack.quarantined?.length
        ? { kind: 'acked', ackedSeq: ack.ackedSeq, quarantined: ack.quarantined }
        : { kind: 'acked', ackedSeq: ack.ackedSeq };
    },
    async getChanges(deviceId, since, limit, signal) {
      const r = await request(
        'GET',
        `/v1/devices/${encodeURIComponent(deviceId)}/changes?since=${since}&limit=${limit}`,
        undefined,
        {},
        signal,
      );
      return expect(changesPage, r, 'changes');
    },
    async enroll(body) {
      const r = await request('POST', '/v1/enroll', Buffer.from(JSON.stringify(body)), {
        'content-type': 'application/json',
      });
      return expect(enrollResponse, r, 'enroll');
    },
    close: () => agent.destroy(),
  };
}
