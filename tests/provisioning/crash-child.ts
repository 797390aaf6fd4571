/**
 * Run by crash.test.ts in its own process: one provisioning command whose context kills
 * the process (SIGKILL: no cleanup, like a power cut) at the named durable step.
 * argv: STEP WORDS... -- ARGS...
 */
import { makeProvisioningCommands } from '../../provisioning/src/index.ts';
import { capture, quietProbes, testContext } from './helpers.ts';

const [crashAt, ...rest] = process.argv.slice(2);
const split = rest.indexOf('--');
const words = rest.slice(0, split).join(' ');
const args = rest.slice(split + 1);
const ctx = testContext({
  step: (name) => {
    if (name === crashAt) process.kill(process.pid, 'SIGKILL');
  },
});
const command = makeProvisioningCommands(ctx, quietProbes()).find((c) => c.words.join(' ') === words);
if (!command) throw new Error(`no command ${words}`);
process.exitCode = await command.run(args, capture());
