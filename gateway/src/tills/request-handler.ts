import type { BrokerRequest, RequestHandler, RequestOutcome } from '../broker/request-router.ts';
import { tillOps } from './ops/index.ts';
import { Refusal } from './refusal.ts';
import type { OpHandler, StoreOps } from './store-ops.ts';

/**
 * The broker's request handler: routes each till op to its handler; kiosk ops go to the
 * kiosk service when one is given. Never throws: refusals and faults become responses.
 */
export const createRequestHandler = (
  ops: StoreOps,
  kioskOps: Partial<Record<string, OpHandler>> = {},
): RequestHandler => {
  return async (req: BrokerRequest): Promise<RequestOutcome> => {
    const handler = req.role === 'till' ? tillOps[req.op] : kioskOps[req.op];
    try {
      if (!handler) throw new Refusal('INVALID_REQUEST', `unknown op "${req.op}"`);
      return await handler(req, ops);
    } catch (error) {
      return ops.refuse(error);
    }
  };
};
