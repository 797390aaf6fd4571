/** The process entry of the `loyalty-edge` command (bin/loyalty-edge.js in a checkout, dist/ on a device). */
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
