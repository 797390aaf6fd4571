import { timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Logger } from '../../../gateway/src/core/logger.ts';
import { readMembersFile } from '../../../gateway/src/import/read-members.ts';
import { enrollRequest, ledgerBatch } from '../../../gateway/src/sync/wire.ts';
import { adjustBalance, importMembers, publishProgram, setCardStatus } from '../admin.ts';
import { audit } from '../audit.ts';
import { readChanges } from '../changes.ts';
import type { SqlDb } from '../db/sql.ts';
import { authenticateDevice, createEnrollmentToken, enrollDevice } from '../enroll.ts';
import { HqError, HTTP_STATUS } from '../errors.ts';
import { publishedProgram, runChainEvents } from '../events.ts';
import { ingestBatch } from '../ingest.ts';
import { listQuarantine } from '../quarantine.ts';
import { bearer, parseJson, readBody, sendJson } from './body.ts';
import { handleReports } from './reports-routes.ts';
import { UploadLimits } from './upload-limits.ts';

export interface HqHttpOptions {
  db: SqlDb;
  logger: Logger;
  now: () => Date;
  adminToken?: string;
  tls?: { cert: string; key: string };
  enrollmentTokenHours: number;
  timezone: string;
  /** How many bodies are read and inflated at once (config `hq.uploads`). */
  uploads?: { perDevice: number; concurrent: number; queued: number };
}

/** Reads, gunzips and parses a body inside one of `limits`' slots for `key`. */
async function limitedJson(limits: UploadLimits, key: string, req: IncomingMessage, max: number) {
  const release = await limits.acquire(key);
  try {
    return parseJson(await readBody(req, max));
  } finally {
    release();
  }
}

const DEVICE_PATH = /^\/v1\/devices\/([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\/(ledger|changes)$/;
const CARD_PATH = /^\/v1\/admin\/cards\/([0-9A-Fa-f]+)\/(block|unblock)$/;
const MB = 1024 * 1024;

const parse = <T>(schema: z.ZodType<T>, value: unknown): T => {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new HqError(
      'INVALID_REQUEST',
      r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
    );
  return r.data;
};

const adjustRequest = z.strictObject({
  key: z.string().min(1),
  memberId: z.string().min(1),
  asset: z.enum(['points', 'credit']),
  amount: z
    .number()
    .int()
    .refine((n) => n !== 0, 'must not be 0'),
  reason: z.string().min(1),
  operator: z.string().min(1),
});

/** hq's HTTP API (docs/protocol.md §2) plus the management API under /v1/admin. */
export function createHqServer(opts: HqHttpOptions): Server {
  const limits = new UploadLimits(opts.uploads ?? { perDevice: 1, concurrent: 4, queued: 32 });
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    route(req, res, opts, limits).catch((error: unknown) => {
      if (error instanceof HqError) {
        if (error.code === 'BUSY') {
          // The body is left unread: close the connection rather than drain it.
          opts.logger.warn('upload refused', { url: req.url, reason: error.message });
          res.setHeader('retry-after', '1');
          res.setHeader('connection', 'close');
        }
        const status = HTTP_STATUS[error.code];
        // docs/protocol.md §2: a gap gets 409 `{ackedSeq}` so the device resumes from there.
        const body =
          error.code === 'SEQ_GAP'
            ? { ...error.details }
            : { error: { code: error.code, message: error.message }, ...error.details };
        sendJson(res, status, body);
        return;
      }
      opts.logger.error('request failed', { url: req.url, error: String(error) });
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
      else res.destroy();
    });
  };
  return opts.tls
    ? createHttps({ cert: readFileSync(opts.tls.cert), key: readFileSync(opts.tls.key) }, handler)
    : createHttp(handler);
}

function requireAdmin(req: IncomingMessage, opts: HqHttpOptions): void {
  if (opts.adminToken !== undefined) {
    const given = Buffer.from(bearer(req) ?? '');
    const want = Buffer.from(opts.adminToken);
    if (given.length === want.length && timingSafeEqual(given, want)) return;
    throw new HqError('UNAUTHORIZED', 'the management API needs the admin token');
  }
  const addr = req.socket.remoteAddress ?? '';
  if (addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1') return;
  throw new HqError('FORBIDDEN', 'without hq.adminToken the management API answers loopback only');
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  opts: HqHttpOptions,
  limits: UploadLimits,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://hq');
  const { db, now } = opts;
  const method = req.method ?? 'GET';
  if (method === 'GET' && url.pathname === '/v1/health')
    return sendJson(res, 200, { ok: true, uploads: limits.load });
  if (method === 'POST' && url.pathname === '/v1/enroll') {
    const from = `address ${req.socket.remoteAddress ?? '?'}`;
    const body = parse(enrollRequest, await limitedJson(limits, from, req, MB));
    return sendJson(res, 200, await enrollDevice(db, body, now()));
  }
  const device = DEVICE_PATH.exec(url.pathname);
  if (device) {
    const deviceId = device[1] ?? '';
    const who = await authenticateDevice(db, bearer(req), deviceId);
    if (device[2] === 'ledger' && method === 'POST') {
      const batch = parse(ledgerBatch, await limitedJson(limits, `device ${deviceId}`, req, 64 * MB));
      const result = await ingestBatch(db, who, batch, now());
      const { quarantined } = result;
      if (quarantined.length > 0 && !result.duplicate)
        opts.logger.warn('quarantined what this batch holds that hq cannot store', {
          deviceId,
          items: quarantined.length,
          first: quarantined[0],
        });
      return sendJson(res, 200, {
        ackedSeq: result.ackedSeq,
        ...(quarantined.length > 0 ? { quarantined } : {}),
      });
    }
    if (device[2] === 'changes' && method === 'GET') {
      const since = Number(url.searchParams.get('since') ?? '0');
      const limit = Math.min(Number(url.searchParams.get('limit') ?? '1000'), 10_000);
      if (!Number.isSafeInteger(since) || since < 0 || !Number.isSafeInteger(limit) || limit < 1)
        throw new HqError('INVALID_REQUEST', 'since and limit must be non-negative integers');
      return sendJson(res, 200, await readChanges(db, who, since, limit));
    }
  }
  if (url.pathname.startsWith('/v1/admin/')) {
    requireAdmin(req, opts);
    return admin(req, res, url, opts, method);
  }
  throw new HqError('NOT_FOUND', `no route ${method} ${url.pathname}`);
}

async function admin(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  opts: HqHttpOptions,
  method: string,
) {
  const { db, now } = opts;
  const path = url.pathname;
  if (method === 'POST' && path === '/v1/admin/tokens') {
    const { storeId } = parse(
      z.strictObject({ storeId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/) }),
      parseJson(await readBody(req, MB)),
    );
    return sendJson(res, 200, await createEnrollmentToken(db, storeId, now(), opts.enrollmentTokenHours));
  }
  if (method === 'POST' && path === '/v1/admin/program') {
    const text = (await readBody(req, 8 * MB)).toString('utf8');
    let value: unknown;
    try {
      value = parseYaml(text);
    } catch (error) {
      throw new HqError('PROGRAM_INVALID', `(file): ${(error as Error).message.split('\n')[0]}`);
    }
    return sendJson(res, 200, await publishProgram(db, value, url.searchParams.get('operator')));
  }
  if (method === 'POST' && path === '/v1/admin/members/import') {
    const ext = (req.headers['content-type'] ?? '').includes('spreadsheetml') ? '.xlsx' : '.csv';
    const dir = mkdtempSync(join(tmpdir(), 'hq-import-'));
    try {
      const file = join(dir, `members${ext}`);
      writeFileSync(file, await readBody(req, 256 * MB), { mode: 0o600 }); // members' data
      const read = await readMembersFile(file);
      if (read.problems.length > 0)
        return sendJson(res, 422, {
          error: {
            code: 'IMPORT_INVALID',
            message: `${read.problems.length} problem(s); nothing was imported`,
          },
          problems: read.problems,
        });
      const tier = await firstTier(db);
      const program = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM programs');
      const result = await importMembers(db, read.rows, {
        tier,
        at: now().toISOString(),
        programVersion: Number(program[0]?.v ?? 0),
      });
      return sendJson(res, 200, result);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const card = CARD_PATH.exec(path);
  if (method === 'POST' && card) {
    await setCardStatus(db, card[1] ?? '', card[2] === 'block' ? 'blocked' : 'active');
    return sendJson(res, 200, { ok: true });
  }
  if (method === 'POST' && path === '/v1/admin/adjustments') {
    const a = parse(adjustRequest, parseJson(await readBody(req, MB)));
    return sendJson(res, 200, await adjustBalance(db, { ...a, at: now().toISOString() }));
  }
  if (method === 'POST' && path === '/v1/admin/events/run') {
    const program = await publishedProgram(db);
    if (!program) throw new HqError('NOT_FOUND', 'no program published yet');
    const at = url.searchParams.get('at');
    const when = at === null ? now() : new Date(at);
    if (Number.isNaN(when.getTime())) throw new HqError('INVALID_REQUEST', 'at: not an instant');
    return sendJson(res, 200, await runChainEvents(db, program, when));
  }
  if (method === 'GET' && path === '/v1/admin/quarantine')
    return sendJson(res, 200, { items: await listQuarantine(db, url.searchParams.get('device')) });
  if (method === 'GET' && path === '/v1/admin/audit')
    return sendJson(res, 200, await audit(db, url.searchParams.get('device') ?? ''));
  if (await handleReports(req, res, url, opts)) return;
  throw new HqError('NOT_FOUND', `no route ${method} ${path}`);
}

/** New members start in the lowest tier of the published program (docs/program.md: the first has threshold 0). */
async function firstTier(db: SqlDb): Promise<string> {
  const rows = await db.query<{ tier: string | null }>(
    "SELECT body->'tiers'->'levels'->0->>'id' AS tier FROM programs ORDER BY version DESC LIMIT 1",
  );
  return rows[0]?.tier ?? 'base';
}
