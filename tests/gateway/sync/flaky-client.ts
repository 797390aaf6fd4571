import type { HqClient } from '../../../gateway/src/sync/hq-client.ts';
import { HqClientError } from '../../../gateway/src/sync/hq-client.ts';

/** What goes wrong with the next request: nothing, the request is lost, or the answer is lost. */
export type Fault = 'none' | 'drop-request' | 'lose-answer';

/**
 * A real client with faults injected from a queue (a fake over a module mock,
 * architecture.md): a lost answer means hq DID act, and the device does not know it.
 */
export function flakyClient(real: HqClient, faults: Fault[]): HqClient {
  const next = (): Fault => faults.shift() ?? 'none';
  const wrap = async <T>(call: () => Promise<T>): Promise<T> => {
    const fault = next();
    if (fault === 'drop-request') throw new HqClientError('HQ_UNREACHABLE', 'injected: request lost');
    const result = await call();
    if (fault === 'lose-answer') throw new HqClientError('HQ_UNREACHABLE', 'injected: answer lost');
    return result;
  };
  return {
    postBatch: (d, b, s) => wrap(() => real.postBatch(d, b, s)),
    getChanges: (d, since, limit, s) => wrap(() => real.getChanges(d, since, limit, s)),
    enroll: (b) => real.enroll(b),
    close: () => undefined,
  };
}
