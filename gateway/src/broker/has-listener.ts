/** Whether a publish would reach anyone, from what aedes shows of its listeners (broker.ts publish). */
import type { Aedes } from 'aedes';

/** What of aedes' internals tells who listens: its emitter's matcher and its persistence. */
interface Listeners {
  mq?: { _matcher?: { match?: (topic: string) => unknown[] } };
  persistence?: { subscriptionsByTopic?: (topic: string) => Promise<unknown[]> };
}

/**
 * Whether a publish on `topic` would reach anyone: a connected client's or an in-process
 * subscription (aedes' emitter), or a persistent session's kept while its client is away
 * (aedes queues those). When aedes does not show these, the answer is yes.
 */
export const hasListener = async (instance: Aedes, topic: string): Promise<boolean> => {
  const { mq, persistence } = instance as unknown as Listeners;
  const match = mq?._matcher?.match;
  const stored = persistence?.subscriptionsByTopic;
  if (typeof match !== 'function' || typeof stored !== 'function') return true;
  if (match.call(mq?._matcher, topic).length > 0) return true;
  return (await stored.call(persistence, topic)).length > 0;
};
