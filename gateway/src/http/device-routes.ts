import type { Gateway } from '../gateway.ts';
import { isLoopback } from './loopback.ts';
import type { RouteSpec } from './server.ts';

/** What /health says of head-office sync (the same state `status` and `doctor` read from the database). */
const syncHealth = (gateway: Gateway) => {
  const progress = gateway.sync?.progress();
  if (!progress) return null;
  return {
    uploads: progress.uploadFailing ? 'failing' : 'ok',
    pending: progress.pending,
    ackedSeq: progress.ackedSeq,
    lastOkAt: progress.lastOkAt,
    uploadFailing: progress.uploadFailing,
    quarantined: progress.quarantined,
    lastError: progress.lastError,
  };
};

/** Health and the loopback-only device API (docs/protocol.md §3: simulated reader taps). */
export const deviceRoutes = (gateway: Gateway): RouteSpec[] => [
  {
    method: 'GET',
    path: /^\/health$/,
    handle: () => ({
      status: 200,
      body: {
        ok: true,
        storeId: gateway.config.storeId,
        program: gateway.program.version,
        pendingSync: gateway.ledger.pendingCount(),
        writeQueue: gateway.ops.queue.depth,
        // docs/sync.md: uploads failing since when and why, what hq quarantined; null without hq.
        sync: syncHealth(gateway),
      },
    }),
  },
  {
    method: 'POST',
    path: /^\/api\/readers\/([^/]+)\/tap$/,
    // A web page in a browser on the Pi must not tap cards (host-policy.ts: Origin).
    checks: ['origin'],
    handle: (req, [readerId], body) => {
      if (!isLoopback(req))
        return {
          status: 403,
          body: { error: 'FORBIDDEN', message: 'taps are accepted from this machine only' },
        };
      const reader = gateway.readers.simulated(readerId ?? '');
      if (!reader)
        return { status: 404, body: { error: 'NOT_FOUND', message: `no simulated reader "${readerId}"` } };
      const uid = (body as { uid?: unknown } | undefined)?.uid;
      if (typeof uid !== 'string' || !/^[0-9A-Fa-f:\s]{8,29}$/.test(uid))
        return {
          status: 400,
          body: { error: 'INVALID_REQUEST', message: 'uid: must be the card UID in hex' },
        };
      return { status: 202, body: { ok: true, uid: reader.tap(uid) } };
    },
  },
];
