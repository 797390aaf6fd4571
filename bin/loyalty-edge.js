#!/usr/bin/env node
// The loyalty-edge command. Sources are TypeScript run through tsx's loader, so a checkout
// runs as it is, with no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../gateway/src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
