/**
 * Turns a PUBLISH on `loyalty/v1/{till|kiosk}/{id}/req/{op}` into a call of the injected
 * handler and its answer into a PUBLISH on `res/{op}` (docs/protocol.md §1 Request / response).
 * Malformed requests are answered INVALID_REQUEST here, naming the problem, on `res/{op}`
 * or on `res/error` when no requestId could be read. Nothing here throws to the broker.
 */
import {
  ERROR_OP,
  type ErrorBody,
  type ErrorResponse,
  isErrorCode,
  type KioskOp,
  parseRequestTopic,
  type RequesterRole,
  requestTopicOwner,
  type TillOp,
  topics,
} from '../contract/index.ts';
import type { ClientIdentity } from './clients.ts';
import { type BrokerMetrics, count } from './metrics.ts';

interface RequestCommon {
  /** The till or kiosk the request is for (the `{id}` of its topic). */
  clientId: string;
  /** The authenticated publisher: `clientId`, or an integration relaying for a till. */
  sender: string;
  requestId: string;
  /** The whole parsed payload (requestId included), still `unknown` per field. */
  body: Record<string, unknown>;
}
export type BrokerRequest = RequestCommon & ({ role: 'till'; op: TillOp } | { role: 'kiosk'; op: KioskOp });

/** The response without its `requestId`, which the router adds (it always echoes). */
export type RequestOutcome = { ok: true; [field: string]: unknown } | { ok: false; error: ErrorBody };

export type RequestHandler = (request: BrokerRequest) => Promise<RequestOutcome>;

export interface RouterLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Longest requestId accepted: it becomes part of a ledger idempotency key. */
export const MAX_REQUEST_ID_LENGTH = 200;

export interface RequestRouterDeps {
  onRequest: RequestHandler;
  /** Trusted QoS 1 publish of a serialised response. */
  respond: (topic: string, payload: string) => Promise<void>;
  metrics: BrokerMetrics;
  logger: RouterLogger;
}

export interface RequestRouter {
  /** Handles one authorised publish under a `req/#` subtree. Never rejects. */
  route(topic: string, payload: Buffer, sender: ClientIdentity): Promise<void>;
  /** Answers a request dropped for size: its requestId is not read (docs/protocol.md: `res/error`). */
  refuseOversize(topic: string, size: number, limit: number): Promise<void>;
  /** Answers a request refused by the integration rate limit, echoing its requestId when readable. */
  refuseRateLimited(topic: string, payload: Buffer): Promise<void>;
}

const invalid = (requestId: string | null, message: string): ErrorResponse => ({
  requestId,
  ok: false,
  error: { code: 'INVALID_REQUEST', message },
});

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A thrown error carrying a contract code (core/errors.ts CodedError) keeps its code. */
function codedError(err: unknown): ErrorBody | null {
  if (!(err instanceof Error) || !('code' in err) || !isErrorCode(err.code) || err.code === 'INTERNAL')
    return null;
  return { code: err.code, message: err.message };
}

export function createRequestRouter(deps: RequestRouterDeps): RequestRouter {
  const { onRequest, respond, metrics, logger } = deps;

  const answer = async (topic: string, response: object): Promise<void> => {
    try {
      let payload: string;
      try {
        payload = JSON.stringify(response);
      } catch (err) {
        // e.g. a BigInt in a handler's result: the client still gets an answer.
        metrics.internalErrors++;
        logger.error({ err, topic }, 'response is not serialisable');
        const requestId = 'requestId' in response ? response.requestId : null;
        payload = JSON.stringify({
          requestId,
          ok: false,
          error: { code: 'INTERNAL', message: 'internal error' },
        });
      }
      await respond(topic, payload);
    } catch (err) {
      logger.error({ err, topic }, 'could not publish a response');
    }
  };

  const reject = (
    requester: { role: RequesterRole; id: string },
    op: string,
    reason: string,
    requestId: string | null,
    message: string,
  ): Promise<void> => {
    count(metrics.invalidRequests, reason);
    logger.warn({ clientId: requester.id, op, reason }, message);
    return answer(topics.response(requester.role, requester.id, op), invalid(requestId, message));
  };

  return {
    async refuseOversize(topic, size, limit) {
      const requester = requestTopicOwner(topic);
      if (!requester) return;
      await reject(
        requester,
        ERROR_OP,
        'oversize',
        null,
        `payload: ${size} bytes exceeds the ${limit}-byte limit`,
      );
    },

    async refuseRateLimited(topic, payload) {
      const parsed = parseRequestTopic(topic);
      if (!parsed) return;
      let requestId: string | null = null;
      try {
        const body: unknown = JSON.parse(payload.toString('utf8'));
        if (isRecord(body) && typeof body.requestId === 'string') requestId = body.requestId;
      } catch {
        // Unreadable: answered on the op's topic without a requestId.
      }
      await answer(topics.response(parsed.role, parsed.id, parsed.op), {
        requestId,
        ok: false,
        error: { code: 'RATE_LIMITED', message: 'too many requests from this integration; retry later' },
      });
    },

    async route(topic, payload, sender) {
      const requester = requestTopicOwner(topic);
      if (!requester) return;
      const parsed = parseRequestTopic(topic);
      if (!parsed) {
        const expected = `${requester.role}/${requester.id}/req/{op}`;
        return reject(requester, ERROR_OP, 'topic', null, `topic: expected loyalty/v1/${expected}`);
      }

      let body: unknown;
      try {
        body = JSON.parse(payload.toString('utf8'));
      } catch {
        return reject(requester, ERROR_OP, 'json', null, 'payload: not valid JSON');
      }
      if (!isRecord(body))
        return reject(requester, ERROR_OP, 'not-object', null, 'payload: expected a JSON object');
      const { requestId } = body;
      if (
        typeof requestId !== 'string' ||
        requestId.length === 0 ||
        requestId.length > MAX_REQUEST_ID_LENGTH
      ) {
        const message = `requestId: expected a string of 1 to ${MAX_REQUEST_ID_LENGTH} characters`;
        return reject(requester, ERROR_OP, 'request-id', null, message);
      }
      if ('unknownOp' in parsed) {
        return reject(requester, parsed.op, 'op', requestId, `op: "${parsed.op}" is not a ${parsed.role} op`);
      }

      metrics.requests++;
      const request: BrokerRequest = { ...parsed, clientId: parsed.id, sender: sender.id, requestId, body };
      let outcome: RequestOutcome;
      try {
        outcome = await onRequest(request);
        if (!isRecord(outcome) || typeof outcome.ok !== 'boolean')
          throw new Error('handler returned no outcome');
      } catch (err) {
        const coded = codedError(err);
        if (coded) {
          outcome = { ok: false, error: coded };
        } else {
          metrics.internalErrors++;
          logger.error({ err, clientId: parsed.id, op: parsed.op, requestId }, 'request handler failed');
          outcome = {
            ok: false,
            error: { code: 'INTERNAL', message: 'internal error; re-send the same requestId later' },
          };
        }
      }
      await answer(topics.response(parsed.role, parsed.id, parsed.op), { requestId, ...outcome });
    },
  };
}
