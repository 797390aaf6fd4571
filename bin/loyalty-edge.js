#!/usr/bin/env node
// The loyalty-edge command in a checkout: the TypeScript sources run through tsx's loader,
// so there is no build step to forget. Devices run the compiled build instead
// (`npm run build`, then `node dist/gateway/src/cli/run.js`): less memory, faster start.
import { register } from 'tsx/esm/api';

register();
await import('../gateway/src/cli/run.ts');
