import { buildAsyncApi } from '../contract/asyncapi.ts';
import type { RouteSpec } from './server.ts';

/**
 * GET /asyncapi.json: the AsyncAPI 3.0 document of this gateway's MQTT interface
 * (docs/protocol.md §1, committed as docs/asyncapi.yaml). It holds no store data, so it is
 * open to any host, like the contract documents themselves. Built once, on first request.
 */
export const contractRoutes = (): RouteSpec[] => {
  let document: unknown = null;
  return [
    {
      method: 'GET',
      path: /^\/asyncapi\.json$/,
      handle: () => {
        document ??= buildAsyncApi();
        return { status: 200, body: document };
      },
    },
  ];
};
