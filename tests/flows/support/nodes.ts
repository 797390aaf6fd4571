/** The flows/ package's node modules, loaded the way Node-RED loads them (CommonJS). */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { ROOT } from './gateway-fixture.ts';

const require = createRequire(import.meta.url);

export const FLOWS_DIR = resolve(ROOT, 'flows');
export const NODE_RED_PATH = require.resolve('node-red');

export const loyaltyNodes = {
  gateway: require(resolve(FLOWS_DIR, 'nodes/loyalty-gateway.js')) as unknown,
  request: require(resolve(FLOWS_DIR, 'nodes/loyalty-request.js')) as unknown,
  event: require(resolve(FLOWS_DIR, 'nodes/loyalty-event.js')) as unknown,
  tap: require(resolve(FLOWS_DIR, 'nodes/loyalty-tap.js')) as unknown,
};
export const allLoyaltyNodes = Object.values(loyaltyNodes);
