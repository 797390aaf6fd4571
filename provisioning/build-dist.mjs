#!/usr/bin/env node
// `npm run build`: after tsc has compiled the sources into dist/, copy beside them the files
// the code finds relative to itself (SQL migrations, the demo, the kiosk bundle), so a device
// runs plain JavaScript: `node dist/gateway/src/cli/run.js start`.
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const copies = [
  ['gateway/src/ledger/migrations', 'dist/gateway/src/ledger/migrations'],
  ['hq/src/db/migrations', 'dist/hq/src/db/migrations'],
  ['gateway/demo', 'dist/gateway/demo'],
  ['kiosk-ui/dist', 'dist/kiosk-ui/dist'],
];
for (const [from, to] of copies) {
  if (!existsSync(join(root, from))) {
    console.error(
      `build: ${from} is missing${from.startsWith('kiosk-ui') ? ' (run npm run build:kiosk first)' : ''}`,
    );
    process.exitCode = 1;
    continue;
  }
  cpSync(join(root, from), join(root, to), { recursive: true });
}
console.log('build: dist/ is ready; run it with: node dist/gateway/src/cli/run.js start');
