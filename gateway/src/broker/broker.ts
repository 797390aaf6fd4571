/**
 * The embedded MQTT broker (protocol.md §1): aedes behind authenticate/authorize hooks
 * from clients.ts and acl.ts, a TCP listener and MQTT over WebSocket at `/mqtt`, every
 * socket with TCP_NODELAY (benchmarks.md: Nagle costs ~40 ms a round trip), and a router
 * that hands requests to the gateway. In-process publishes bypass client ACLs.
 */
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  Aedes,
  type AedesPublishPacket,
  type AuthenticateError,
  type Client,
  type PublishPacket,
  type Subscription,
} from 'aedes';
import { type GatewayStatus, requestTopicOwner, topics } from '../contract/index.ts';
import { mayPublish, maySubscribe } from './acl.ts';
import type { ClientIdentity, ClientRegistry } from './clients.ts';
import { type BrokerMetrics, count, createBrokerMetrics, snapshotMetrics } from './metrics.ts';
import { guardPacketSize } from './packet-guard.ts';
import { createRequestRouter, type RequestHandler } from './request-router.ts';
import { createWebSocketGate } from './websocket.ts';

export interface BrokerLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface BrokerOptions {
  clients: ClientRegistry;
  /** TCP port; 0 picks a free one (see `ports.mqtt`). protocol.md: default 1883. */
  mqttPort: number;
  /** Interface to bind; default all. */
  host?: string;
  /** protocol.md §1: payloads ≤ 64 KiB. Larger publishes are dropped, counted and answered. */
  maxPayloadBytes?: number;
  /** A packet announcing more than this closes the connection before it is buffered. */
  maxPacketBytes?: number;
  logger?: BrokerLogger;
  onRequest: RequestHandler;
}

export interface PublishOptions {
  qos?: 0 | 1;
  retain?: boolean;
}

export type MessageListener = (topic: string, payload: Buffer) => void;

export interface Broker {
  start(signal?: AbortSignal): Promise<void>;
  /** Publishes `{online:false}` retained, then closes every client and listener. */
  stop(): Promise<void>;
  /** Bound ports once started (`null` before). */
  readonly ports: { mqtt: number | null };
  /** For tests and health: the TCP listener once started. */
  readonly tcpServer: Server | null;
  /** Takes an HTTP upgrade for `/mqtt`; returns false (socket untouched) for other paths. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Takes every upgrade of an HTTP server (404 but `/mqtt`); returns the detach function. */
  attach(server: HttpServer): () => void;
  /** Trusted publish (no ACL): JSON-serialises objects; strings and Buffers go as they are. */
  publish(topic: string, payload: object | string | Buffer, options?: PublishOptions): Promise<void>;
  /** Trusted in-process subscription (e.g. `loyalty/v1/reader/+/tap` from integrations). */
  subscribe(filter: string, listener: MessageListener): Promise<() => Promise<void>>;
  /** The retained `loyalty/v1/gateway/status` (QoS 1). */
  setStatus(status: GatewayStatus): Promise<void>;
  metrics(): BrokerMetrics;
}

const noop = (): void => {};
const silent: BrokerLogger = { debug: noop, info: noop, warn: noop, error: noop };

/** Where refused publishes go: a `$` topic nobody may subscribe to (acl.ts) and no router reads. */
const DROPPED_TOPIC = '$SYS/loyalty-edge/dropped';

const notAuthorized = (): AuthenticateError =>
  // MQTT 3.1.1 CONNACK return code 5, "not authorized" (protocol.md §1).
  Object.assign(new Error('not authorized'), { returnCode: 5 as AuthenticateError['returnCode'] });

const asBuffer = (payload: Buffer | string): Buffer =>
  typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;

export function createBroker(options: BrokerOptions): Broker {
  const { clients, onRequest } = options;
  const log = options.logger ?? silent;
  const maxPayloadBytes = options.maxPayloadBytes ?? 64 * 1024;
  const maxPacketBytes = options.maxPacketBytes ?? 4 * maxPayloadBytes;
  const metrics = createBrokerMetrics();
  const identities = new WeakMap<Client, ClientIdentity>();
  const sockets = new Set<Socket>();
  let aedes: Aedes | null = null;
  let server: Server | null = null;
  let mqttPort: number | null = null;

  const publishRaw = (topic: string, payload: Buffer, qos: 0 | 1, retain: boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      if (!aedes || aedes.closed) return reject(new Error('broker is not running'));
      aedes.publish({ cmd: 'publish', topic, payload, qos, retain, dup: false }, (err) =>
        err ? reject(err) : resolve(),
      );
    });

  const router = createRequestRouter({
    onRequest,
    respond: (topic, payload) => publishRaw(topic, Buffer.from(payload, 'utf8'), 1, false),
    metrics,
    logger: log,
  });

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
      if (requestTopicOwner(topic)) void router.refuseOversize(topic, size, maxPayloadBytes);
      return null;
    }
    // Requests and taps are events, never state: nothing a client sends is retained.
    packet.retain = false;
    return null;
  };

  const hooks = {
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

  const accept = (conn: Duplex, req?: IncomingMessage): void => {
    if (!aedes || aedes.closed) {
      conn.destroy();
      return;
    }
    aedes.handle(conn, req);
    guardPacketSize(conn, maxPacketBytes, (announced) => {
      metrics.oversizePackets++;
      log.warn({ announced, limit: maxPacketBytes }, 'packet too large: connection closed');
      conn.destroy();
    });
  };

  const ws = createWebSocketGate({ maxPacketBytes, accept, logger: log });

  const onSocket = (socket: Socket): void => {
    socket.setNoDelay(true); // benchmarks.md: ~700 vs ~8 000 round trips/s
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    accept(socket);
  };

  return {
    get ports() {
      return { mqtt: mqttPort };
    },
    get tcpServer() {
      return server;
    },

    async start(signal) {
      if (aedes) throw new Error('broker already started');
      signal?.throwIfAborted();
      const instance = await Aedes.createBroker({ ...hooks, connectTimeout: 10_000 });
      instance.on('clientError', (client, err) => log.debug({ clientId: client.id, err }, 'client error'));
      instance.on('connectionError', (client, err) =>
        log.debug({ clientId: client.id, err }, 'connection error'),
      );
      instance.on('publish', (packet, client) => {
        const identity = client ? identities.get(client) : undefined;
        // Refused publishes were renamed to DROPPED_TOPIC by screenPublish, so never match here.
        if (identity && requestTopicOwner(packet.topic)) {
          void router.route(packet.topic, asBuffer(packet.payload), identity);
        }
      });
      aedes = instance;
      const tcp = createServer({ noDelay: true }, onSocket);
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(options.mqttPort, options.host, () => {
            tcp.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        // e.g. EADDRINUSE: leave nothing running (aedes has a heartbeat timer).
        aedes = null;
        await new Promise<void>((resolve) => instance.close(() => resolve()));
        throw err;
      }
      server = tcp;
      tcp.on('error', (err) => log.error({ err }, 'mqtt listener error'));
      const address = tcp.address();
      mqttPort = typeof address === 'object' && address ? address.port : null;
      log.info({ port: mqttPort, host: options.host ?? '*' }, 'mqtt broker listening');
    },

    async stop() {
      const instance = aedes;
      if (!instance) return;
      try {
        // The gateway's own last will (protocol.md §1): the broker goes down with it.
        await publishRaw(topics.gatewayStatus, Buffer.from(JSON.stringify({ online: false })), 1, true);
      } catch (err) {
        log.warn({ err }, 'could not publish the offline status');
      }
      const tcp = server;
      const closed = tcp ? new Promise<void>((resolve) => tcp.close(() => resolve())) : Promise.resolve();
      await new Promise<void>((resolve) => instance.close(() => resolve()));
      ws.close();
      for (const socket of sockets) socket.destroy();
      await closed;
      aedes = null;
      server = null;
      mqttPort = null;
    },

    handleUpgrade: (req, socket, head) => ws.handleUpgrade(req, socket, head),
    attach: (httpServer) => ws.attach(httpServer),

    publish(topic, payload, opts = {}) {
      const buffer = Buffer.isBuffer(payload)
        ? payload
        : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8');
      return publishRaw(topic, buffer, opts.qos ?? 1, opts.retain ?? false);
    },

    subscribe(filter, listener) {
      const instance = aedes;
      if (!instance) return Promise.reject(new Error('broker is not running'));
      const deliver = (packet: AedesPublishPacket, done: () => void): void => {
        try {
          listener(packet.topic, asBuffer(packet.payload));
        } catch (err) {
          log.error({ err, topic: packet.topic }, 'in-process subscriber failed');
        }
        done();
      };
      return new Promise((resolve) => {
        instance.subscribe(filter, deliver, () =>
          resolve(() => new Promise<void>((done) => instance.unsubscribe(filter, deliver, done))),
        );
      });
    },

    setStatus: (status) => publishRaw(topics.gatewayStatus, Buffer.from(JSON.stringify(status)), 1, true),
    metrics: () => snapshotMetrics(metrics),
  };
}
