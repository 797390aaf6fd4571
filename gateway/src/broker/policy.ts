/**
 * The broker's policy hooks in one place (architecture.md: "policy hooks with safe
 * defaults"): who may connect (clients.ts), publish and subscribe (acl.ts), and what a
 * refusal does. Anything not explicitly allowed is refused; nothing here throws.
 */
import type { AuthenticateError, Client, ConnectPacket, PublishPacket, Subscription } from 'aedes';
import { requestTopicOwner } from '../contract/index.ts';
import { mayPublish, maySubscribe } from './acl.ts';
import type { ClientIdentity, ClientRegistry } from './clients.ts';
import { createLoginThrottle, type LoginThrottleOptions } from './login-throttle.ts';
import { type BrokerMetrics, count } from './metrics.ts';
import { RateLimiter } from './rate-limit.ts';

export interface PolicyLogger {
  debug(obj: object, msg?: string): void;
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
  /** Milliseconds, for the rate limits; default performance.now. */
  nowMs?: () => number;
  /** Failed logins per address and per username (login-throttle.ts defaults). */
  loginThrottle?: Partial<LoginThrottleOptions>;
}

export interface PolicyHooks {
  /** Sees the CONNECT before aedes names the client (an empty client id is given one). */
  preConnect(client: Client, packet: ConnectPacket): void;
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

/** MQTT 3.1.1 §3.2.2.3 CONNACK return codes the policy answers with. */
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const NOT_AUTHORIZED = 5;
type ReturnCode = typeof IDENTIFIER_REJECTED | typeof SERVER_UNAVAILABLE | typeof NOT_AUTHORIZED;

// 5 "not authorized": anonymous or wrong credentials (docs/protocol.md §1); 2 "identifier
// rejected": a client id that is not the client's own; 3 "server unavailable": too many
// failed logins, try later (docs/till-guide.md "Connecting").
const messages: Record<ReturnCode, string> = {
  [IDENTIFIER_REJECTED]: 'identifier rejected',
  [SERVER_UNAVAILABLE]: 'too many failed logins: try later',
  [NOT_AUTHORIZED]: 'not authorized',
};

const refusal = (code: ReturnCode): AuthenticateError =>
  Object.assign(new Error(messages[code]), { returnCode: code as AuthenticateError['returnCode'] });

/** The peer's address: the TCP socket's, or the HTTP request's for MQTT over WebSocket. */
const addressOf = (client: Client): string | undefined => {
  const raw = (client.conn as { remoteAddress?: string }).remoteAddress ?? client.req?.socket?.remoteAddress;
  // An IPv4 peer on a dual-stack listener is `::ffff:a.b.c.d`: one address, one count.
  return raw?.startsWith('::ffff:') ? raw.slice('::ffff:'.length) : raw;
};

export function createPolicyHooks(deps: PolicyDeps): {
  hooks: PolicyHooks;
  identityOf: (client: Client) => ClientIdentity | undefined;
} {
  const { clients, metrics, log, maxPayloadBytes, onOversizeRequest, onRateLimitedRequest } = deps;
  const nowMs = deps.nowMs ?? (() => performance.now());
  const limiter = new RateLimiter();
  const throttle = createLoginThrottle(deps.loginThrottle);
  const identities = new WeakMap<Client, ClientIdentity>();

  const drop = (packet: { topic: string; payload: Buffer | string; retain: boolean }): void => {
    // MQTT-3.3.5-2: a refused PUBLISH is acknowledged normally and not delivered.
    packet.topic = DROPPED_TOPIC;
    packet.payload = Buffer.alloc(0);
    packet.retain = false;
  };

  /** Clients that sent an empty client id with a clean session: aedes gave them a fresh one. */
  const assignedIds = new WeakSet<Client>();
  /** An empty id with a persistent session: refused (MQTT-3.1.3-8), there is no session to resume. */
  const emptyPersistent = new WeakSet<Client>();

  /**
   * A client id is bound to the identity that logs in with it: its own id, or `{id}-…`
   * (clients.ts ownerOfClientId). Sessions, persistent ones included, are keyed by client
   * id (MQTT-3.1.2-4), so one identity can neither kick another's connection off
   * (MQTT-3.1.4-2) nor resume its session and read its queued responses. An id that names
   * another identity is refused (CONNACK 2); one that names nobody — what a client library
   * makes up, `mqttjs_…`, `mosq-…` — is held as `{id}-{clientId}` inside the broker, so it
   * is bound all the same and the client needs no change (the contract, docs/protocol.md §1,
   * asks nothing of client ids). Sessions live in memory, so a restart with another config
   * cannot hand one over either.
   */
  const bindClientId = (client: Client, identity: ClientIdentity): boolean => {
    if (assignedIds.has(client)) return true;
    if (emptyPersistent.has(client)) return false;
    const owner = clients.ownerOfClientId(client.id);
    if (owner !== undefined) return owner.id === identity.id;
    // Before aedes looks the session up or registers the connection (aedes handlers/connect.js:
    // every step after authenticate reads client.id).
    client.id = `${identity.id}-${client.id}`;
    return true;
  };

  /** Resolves null when the CONNECT may proceed, else the CONNACK code; never rejects. */
  const admit = async (client: Client, username?: string, password?: Buffer): Promise<ReturnCode | null> => {
    const address = addressOf(client);
    if (!username || !password) {
      count(metrics.authFailures, 'anonymous');
      throttle.failed(address, undefined, nowMs());
      return NOT_AUTHORIZED;
    }
    // Checked before the password: a guess made while waiting is not even looked at.
    const verdict = throttle.check(address, username, nowMs());
    if (!verdict.allowed) {
      count(metrics.authFailures, 'rate-limited');
      log.debug({ username, address, by: verdict.by, retryInMs: verdict.retryInMs }, 'login rate limited');
      return SERVER_UNAVAILABLE;
    }
    const identity = await clients.verify(username, password);
    if (!identity) {
      count(metrics.authFailures, 'bad-credentials');
      const waitMs = throttle.failed(address, username, nowMs());
      if (waitMs > 0) {
        log.warn(
          { username, clientId: client.id, address, waitMs },
          'connection refused: login rate limited (too many failed logins from this address or for this username)',
        );
      } else {
        log.warn({ username, clientId: client.id, address }, 'connection refused');
      }
      return NOT_AUTHORIZED;
    }
    // The secret is proven from this address, whatever the client id: a known pair (login-throttle.ts).
    throttle.succeeded(address, username, nowMs());
    if (!bindClientId(client, identity)) {
      count(metrics.authFailures, 'client-id');
      log.warn(
        { username, clientId: client.id },
        `connection refused: the client id names another client; use "${identity.id}" or one starting with "${identity.id}-"`,
      );
      return IDENTIFIER_REJECTED;
    }
    identities.set(client, identity);
    metrics.connections++;
    return null;
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
    preConnect(client, packet) {
      // MQTT-3.1.3-7/8: an empty client id only with a clean session, which then gets a fresh one.
      if (!packet.clientId && packet.clean) assignedIds.add(client);
      if (!packet.clientId && !packet.clean) emptyPersistent.add(client);
    },
    authenticate(
      client: Client,
      username: string | undefined,
      password: Buffer | undefined,
      done: (error: AuthenticateError | null, success: boolean | null) => void,
    ): void {
      void admit(client, username, password).then(
        (code) => done(code === null ? null : refusal(code), code === null),
        (err: unknown) => {
          log.error({ err }, 'authentication failed');
          done(refusal(NOT_AUTHORIZED), false);
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
