/**
 * Broker counters, read by the health endpoint and `doctor`. Plain numbers: incrementing
 * them is on the per-message path, so no allocation beyond the first use of a reason.
 */

export interface ReasonCounter {
  total: number;
  byReason: Record<string, number>;
}

export interface BrokerMetrics {
  /** CONNECTs accepted (authenticated). */
  connections: number;
  /** Refused CONNECTs: `anonymous`, `bad-credentials`, `client-id`, `rate-limited` (login-throttle.ts). */
  authFailures: ReasonCounter;
  /** Dropped client publishes: `acl`, `oversize`. */
  refusedPublishes: ReasonCounter;
  /** SUBACK 0x80: `acl`. */
  refusedSubscribes: ReasonCounter;
  /** Requests answered INVALID_REQUEST by the broker: `topic`, `json`, `not-object`, `request-id`, `op`, `oversize`. */
  invalidRequests: ReasonCounter;
  /** Requests handed to the request handler. */
  requests: number;
  /** Handler failures answered INTERNAL. */
  internalErrors: number;
  /** Connections closed for announcing a packet above the hard limit. */
  oversizePackets: number;
  /** Clients disconnected for not keeping up (outbound-guard.ts): `bytes`, `in-flight`, `writes`. */
  slowClients: ReasonCounter;
  /** Connections closed for a packet left half-sent (packet-guard.ts). */
  stalledPackets: number;
}

const counter = (): ReasonCounter => ({ total: 0, byReason: {} });

export function createBrokerMetrics(): BrokerMetrics {
  return {
    connections: 0,
    authFailures: counter(),
    refusedPublishes: counter(),
    refusedSubscribes: counter(),
    invalidRequests: counter(),
    requests: 0,
    internalErrors: 0,
    oversizePackets: 0,
    slowClients: counter(),
    stalledPackets: 0,
  };
}

export function count(counter: ReasonCounter, reason: string): void {
  counter.total++;
  counter.byReason[reason] = (counter.byReason[reason] ?? 0) + 1;
}

/** A copy safe to hand out (JSON for the health endpoint). */
export function snapshotMetrics(m: BrokerMetrics): BrokerMetrics {
  return structuredClone(m);
}
