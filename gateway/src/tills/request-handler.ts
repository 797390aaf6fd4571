import type { BrokerRequest, RequestHandler, RequestOutcome } from '../broker/request-router.ts';
import { requestProblem } from '../contract/schemas/index.ts';
import { defaultEdgeLimits, limitProblem } from './edge-limits.ts';
import { tillOps } from './ops/index.ts';
import { Refusal } from './refusal.ts';
import type { OpHandler, StoreOps } from './store-ops.ts';

/**
 * The broker's request handler: routes each till op to its handler; kiosk ops go to the
 * kiosk service when one is given. Every body is checked first against its op's schema
 * (contract/schemas, the one docs/asyncapi.yaml publishes): a wrong shape is INVALID_REQUEST
 * naming the field, and nothing runs (docs/protocol.md §1). Then a till request's instants
 * and amounts are checked against the device clock and the config's `limits` (edge-limits.ts).
 * Never throws: refusals and faults become responses.
 */
export const createRequestHandler = (
  ops: StoreOps,
  kioskOps: Partial<Record<string, OpHandler>> = {},
): RequestHandler => {
  const limits = ops.deps.limits ?? defaultEdgeLimits();
  return async (req: BrokerRequest): Promise<RequestOutcome> => {
    const handler = req.role === 'till' ? tillOps[req.op] : kioskOps[req.op];
    try {
      if (!handler) throw new Refusal('INVALID_REQUEST', `unknown op "${req.op}"`);
      const problem =
        requestProblem(req.role, req.op, req.body) ??
        (req.role === 'till' ? limitProblem(req.op, req.body, ops.deps.now(), limits) : null);
      // A requestId answered before keeps its answer (or CONFLICT): the op replays it.
      if (problem !== null && !ops.seen(req)) throw new Refusal('INVALID_REQUEST', problem);
      return await handler(req, ops);
    } catch (error) {
      return ops.refuse(error);
    }
  };
};
