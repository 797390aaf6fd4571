import { normaliseUid } from '../../../hardware/src/index.ts';
import { isLoopback } from '../http/loopback.ts';
import type { RouteSpec } from '../http/server.ts';
import type { ReaderService } from './reader-service.ts';
import { type WriteTokenCode, WriteTokenError } from './write-token.ts';

const STATUS: Record<WriteTokenCode, number> = {
  NOT_FOUND: 404,
  INVALID: 400,
  UNSUPPORTED: 409,
  NO_KEY: 409,
  NOT_CONNECTED: 503,
  NO_CARD: 409,
  WRONG_CARD: 409,
  AUTH_FAILED: 409,
  IO: 502,
};

export interface TokenRouteDeps {
  readers: ReaderService;
  /** The printed number the ledger knows for this card, if any. */
  cardNumberOf: (uid: string) => string | null;
  now: () => Date;
}

/**
 * `POST /api/readers/{id}/token {uid, number?}` (loopback only): writes the signed card token
 * to the card lying on reader `id` — what `loyalty-edge cards write-token` calls, since the
 * running gateway holds the readers. The token's card number is `number`, else the ledger's
 * printed number of the card, else its UID.
 */
export const readerRoutes = (deps: TokenRouteDeps): RouteSpec[] => [
  {
    method: 'POST',
    path: /^\/api\/readers\/([^/]+)\/token$/,
    checks: ['origin'], // like tap: no web page in a browser on the Pi writes cards
    handle: async (req, [readerId], body) => {
      if (!isLoopback(req))
        return {
          status: 403,
          body: { error: 'FORBIDDEN', message: 'tokens are written from this machine only' },
        };
      const input = (body ?? {}) as { uid?: unknown; number?: unknown };
      const uid = typeof input.uid === 'string' ? normaliseUid(input.uid) : null;
      if (!uid)
        return { status: 400, body: { error: 'INVALID', message: 'uid: must be the card UID in hex' } };
      if (input.number !== undefined && typeof input.number !== 'string')
        return { status: 400, body: { error: 'INVALID', message: 'number: must be a string' } };
      const cardNumber = input.number ?? deps.cardNumberOf(uid) ?? uid;
      try {
        const written = await deps.readers.writeToken(readerId ?? '', {
          uid,
          cardNumber,
          issued: deps.now().toISOString().slice(0, 10),
        });
        return { status: 200, body: { ok: true, ...written } };
      } catch (error) {
        if (error instanceof WriteTokenError)
          return { status: STATUS[error.code], body: { error: error.code, message: error.message } };
        throw error;
      }
    },
  },
];
