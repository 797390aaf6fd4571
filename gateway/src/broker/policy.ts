/**
 * The broker's policy hooks in one place (architecture.md: "policy hooks with safe
 * defaults"): who may connect (clients.ts), publish and subscribe (acl.ts), and what a
 * refusal does. Anything not explicitly allowed is refused; nothing here throws.
 */
import type { AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import { requestTopicOwner } from '../contract/index.ts';
import { mayPublish, maySubscribe } from './acl.ts';
import type { ClientIdentity, ClientRegistry } from './clients.ts';
import { type BrokerMetrics, count } from './metrics.ts';
import { RateLimiter } from './rate-limit.ts';

export interface PolicyLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface PolicyDeps {
  clients: ClientRegistry;
  metrics: BrokerMetrics;
  log: PolicyLogger;
  maxPayloadBytes: number;
  /** A request dropped for size, to be answered on `res/error` (docs/protocol.md §1). */
  onOversizeRequest: (topic: string, size: number) => void;
  /** A request refused by the integration rate limit, to be answered RATE_LIMITED. */
  onRateLimitedRequest: (topic: string, payload: Buffer) => void;
  /** Milliseconds, for the rate limit; default performance.now. */
  nowMs?: () => number;
}

export interface PolicyHooks {
  authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void;
  authorizePublish(client: Client | null, packet: PublishPacket, done: (error?: Error | null) => void): void;
  authorizeSubscribe(
    client: Client,
    sub: Subscription,
    done: (error: Error | null, sub?: Subscription | null) => void,
  ): void;
}

/** Where refused publishes go: a `$` topic nobody may subscribe to (acl.ts) and no router reads. */
export const DROPPED_TOPIC = '$SYS/loyalty-edge/dropped';

const notAuthorized = (): AuthenticateError =>
  // MQTT 3.1.1 CONNACK return code 5, "not authorized" (docs/protocol.md §1).
  Object.assign(new Error('not authorized'), { returnCode: 5 as AuthenticateError['returnCode'] });

export function createPolicyHooks(deps: PolicyDeps): {
  hooks: PolicyHooks;
  identityOf: (client: Client) => ClientIdentity | undefined;
} {
  const { clients, metrics, log, maxPayloadBytes, onOversizeRequest, onRateLimitedRequest } = deps;
  const nowMs = deps.nowMs ?? (() => performance.now());
  const limiter = new RateLimiter();
  const identities = new WeakMap<Client, ClientIdentity>();

  const drop = (packet: { topic: string; payload: Buffer | string; retain: boolean }): void => {
    // MQTT-3.3.5-2: a refused PUBLISH is acknowledged normally and not delivered.
    packet.topic = DROPPED_TOPIC;
    packet.payload = Buffer.alloc(0);
    packet.retain = false;
  };

  /** Resolves true when the CONNECT may proceed; never rejects. */
  const admit = async (client: Client, username?: string, password?: Buffer): Promise<boolean> => {
    if (!username || !password) {
      count(metrics.authFailures, 'anonymous');
      return false;
    }
    const identity = await clients.verify(username, password);
    // An id that is another client's would let this client take over its session (MQTT-3.1.4-2).
    const hijack = identity !== null && client.id !== identity.id && clients.get(client.id) !== undefined;
    if (!identity || hijack) {
      count(metrics.authFailures, identity ? 'client-id' : 'bad-credentials');
      log.warn({ username, clientId: client.id }, 'connection refused');
      return false;
    }
    identities.set(client, identity);
    metrics.connections++;
    return true;
  };

  /** Lets the PUBLISH through, or rewrites it into a drop; an Error only for an unknown client. */
  const screenPublish = (client: Client | null, packet: PublishPacket): Error | null => {
    const identity = client ? identities.get(client) : undefined;
    if (!identity) return new Error('unauthenticated publish');
    const topic = packet.topic;
    if (!mayPublish(identity, topic)) {
      count(metrics.refusedPublishes, 'acl');
      log.warn({ clientId: identity.id, topic }, 'publish refused by ACL');
      drop(packet);
      return null;
    }
    const size =
      typeof packet.payload === 'string' ? Buffer.byteLength(packet.payload) : packet.payload.length;
    if (size > maxPayloadBytes) {
      count(metrics.refusedPublishes, 'oversize');
      log.warn({ clientId: identity.id, topic, size }, 'publish refused: payload too large');
      drop(packet);
      if (requestTopicOwner(topic)) onOversizeRequest(topic, size);
      return null;
    }
    // An integration's publishes are rate limited, so a flooding flow cannot crowd out the tills.
    if (
      identity.role === 'integration' &&
      !limiter.take(identity.id, identity.maxRequestsPerSecond, nowMs())
    ) {
      count(metrics.refusedPublishes, 'rate');
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      drop(packet);
      if (requestTopicOwner(topic)) onRateLimitedRequest(topic, payload);
      return null;
    }
    // Requests and taps are events, never state: nothing a client sends is retained.
    packet.retain = false;
    return null;
  };

  const hooks: PolicyHooks = {
    authenticate(
      client: Client,
      username: string | undefined,
      password: Buffer | undefined,
      done: (error: AuthenticateError | null, success: boolean | null) => void,
    ): void {
      void admit(client, username, password).then(
        (ok) => done(ok ? null : notAuthorized(), ok),
        (err: unknown) => {
          log.error({ err }, 'authentication failed');
          done(notAuthorized(), false);
        },
      );
    },
    authorizePublish(
      client: Client | null,
      packet: PublishPacket,
      done: (error?: Error | null) => void,
    ): void {
      done(screenPublish(client, packet));
    },
    authorizeSubscribe(
      client: Client,
      sub: Subscription,
      done: (error: Error | null, sub?: Subscription | null) => void,
    ): void {
      const identity = identities.get(client);
      const allowed = identity !== undefined && maySubscribe(identity, sub.topic);
      if (!allowed) {
        count(metrics.refusedSubscribes, 'acl');
        log.warn({ clientId: identity?.id, filter: sub.topic }, 'subscribe refused by ACL');
      }
      // null: SUBACK 0x80 for this filter; the connection stays up.
      done(null, allowed ? sub : null);
    },
  };

  return { hooks, identityOf: (client) => identities.get(client) };
}
