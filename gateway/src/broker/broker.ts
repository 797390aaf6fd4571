/**
 * The embedded MQTT broker (docs/protocol.md §1): aedes behind the policy hooks of policy.ts
 * (clients.ts + acl.ts), a TCP listener and MQTT over WebSocket at `/mqtt`, every
 * socket with TCP_NODELAY (benchmarks.md: Nagle costs ~40 ms a round trip), and a router
 * that hands requests to the gateway. In-process publishes bypass client ACLs.
 *
 * Last wills. Clients may set their own will; it is screened like any publish of theirs
 * when it fires (a will on a topic they may not publish is dropped). The gateway's status
 * will (docs/protocol.md §1: `gateway/status` retained, will `{online:false}`) cannot be an
 * MQTT will, since the broker lives in the gateway's process: `stop()` publishes
 * `{online:false}` retained before closing, and a crash takes the broker and its
 * connections down with it, which every client sees as a disconnect. Retained messages
 * are kept in memory, so the gateway calls `setStatus()` again after each start.
 *
 * One client cannot cost the others (docs/troubleshooting.md "MQTT broker"): what waits
 * for it is capped (outbound-guard.ts), a silent one is dropped on the keepalive imposed
 * here, a half-sent or oversize packet closes its connection (packet-guard.ts), and
 * failed logins wait (policy.ts, login-throttle.ts).
 */
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type AedesPublishPacket } from 'aedes';
import { type GatewayStatus, requestTopicOwner, topics } from '../contract/index.ts';
import type { ClientRegistry } from './clients.ts';
import { hasListener } from './has-listener.ts';
import type { LoginThrottleOptions } from './login-throttle.ts';
import { type BrokerMetrics, count, createBrokerMetrics, snapshotMetrics } from './metrics.ts';
import { createOutboundGuard, DEFAULT_OUTBOUND_LIMITS, type OutboundLimits } from './outbound-guard.ts';
import { guardPacketSize } from './packet-guard.ts';
import { createPolicyHooks } from './policy.ts';
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
  /** TCP port; 0 picks a free one (see `ports.mqtt`). docs/protocol.md: default 1883. */
  mqttPort: number;
  /** Interface to bind; default all. */
  host?: string;
  /** docs/protocol.md §1: payloads ≤ 64 KiB. Larger publishes are dropped, counted and answered. */
  maxPayloadBytes?: number;
  /** A packet announcing more than this closes the connection before it is buffered. */
  maxPacketBytes?: number;
  /** What one client may cost the others (docs/troubleshooting.md "MQTT broker: refused and disconnected clients"). */
  limits?: BrokerLimits;
  /** Failed logins per address and per username (login-throttle.ts defaults). */
  loginThrottle?: Partial<LoginThrottleOptions>;
  /** Milliseconds for the rate limits; default performance.now (tests drive it). */
  nowMs?: () => number;
  logger?: BrokerLogger;
  onRequest: RequestHandler;
}

export interface BrokerLimits extends Partial<OutboundLimits> {
  /** Imposed on a client that asks keepalive 0 (none) or more (MQTT 3.1.1 §3.1.2.10); default 300. */
  maxKeepaliveSeconds?: number;
  /** A packet begun and not complete this long after its first byte closes the connection; default 20. */
  packetTimeoutSeconds?: number;
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
  /**
   * Trusted publish (no ACL): JSON-serialises objects; strings and Buffers go as they are.
   * A message that is not retained and that no subscription matches is skipped.
   */
  publish(topic: string, payload: object | string | Buffer, options?: PublishOptions): Promise<void>;
  /** Trusted in-process subscription (e.g. `loyalty/v1/reader/+/tap` from integrations). */
  subscribe(filter: string, listener: MessageListener): Promise<() => Promise<void>>;
  /** The retained `loyalty/v1/gateway/status` (QoS 1). */
  setStatus(status: GatewayStatus): Promise<void>;
  metrics(): BrokerMetrics;
}

const noop = (): void => {};
const silent: BrokerLogger = { debug: noop, info: noop, warn: noop, error: noop };

const asBuffer = (payload: Buffer | string): Buffer =>
  typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;

export function createBroker(options: BrokerOptions): Broker {
  const { clients, onRequest } = options;
  const log = options.logger ?? silent;
  const maxPayloadBytes = options.maxPayloadBytes ?? 64 * 1024;
  const maxPacketBytes = options.maxPacketBytes ?? 4 * maxPayloadBytes;
  const maxKeepalive = options.limits?.maxKeepaliveSeconds ?? 300;
  const packetTimeoutMs = (options.limits?.packetTimeoutSeconds ?? 20) * 1000;
  const metrics = createBrokerMetrics();
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

  const { hooks, identityOf } = createPolicyHooks({
    clients,
    metrics,
    log,
    maxPayloadBytes,
    ...(options.nowMs ? { nowMs: options.nowMs } : {}),
    ...(options.loginThrottle ? { loginThrottle: options.loginThrottle } : {}),
    onOversizeRequest: (topic, size) => void router.refuseOversize(topic, size, maxPayloadBytes),
    onRateLimitedRequest: (topic, payload) => void router.refuseRateLimited(topic, payload),
  });

  const accept = (conn: Duplex, req?: IncomingMessage): void => {
    if (!aedes || aedes.closed) {
      conn.destroy();
      return;
    }
    aedes.handle(conn, req);
    const onStalled = (): void => {
      metrics.stalledPackets++;
      log.warn({ timeoutMs: packetTimeoutMs }, 'packet left half-sent: connection closed');
      conn.destroy();
    };
    guardPacketSize(
      conn,
      maxPacketBytes,
      (announced) => {
        metrics.oversizePackets++;
        log.warn({ announced, limit: maxPacketBytes }, 'packet too large: connection closed');
        conn.destroy();
      },
      { timeoutMs: packetTimeoutMs, onStalled },
    );
  };

  const outbound = createOutboundGuard(
    {
      maxQueuedBytes: options.limits?.maxQueuedBytes ?? DEFAULT_OUTBOUND_LIMITS.maxQueuedBytes,
      maxInFlight: options.limits?.maxInFlight ?? DEFAULT_OUTBOUND_LIMITS.maxInFlight,
    },
    (client, reason, figures) => {
      count(metrics.slowClients, reason);
      log.warn({ clientId: client.id, reason, ...figures }, 'client too slow: disconnected');
    },
  );

  const ws = createWebSocketGate({ maxPacketBytes, accept, logger: log });

  const setStatus = (status: GatewayStatus): Promise<void> =>
    publishRaw(topics.gatewayStatus, Buffer.from(JSON.stringify(status)), 1, true);

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
      const instance = await Aedes.createBroker({
        ...hooks,
        connectTimeout: 10_000,
        // A socket that has not drained for this long is a client that stopped reading.
        drainTimeout: 10_000,
        preConnect: (client, packet, done) => {
          // Keepalive 0 turns aedes' idle timer off: a silent client would keep its socket forever.
          if (!packet.keepalive || packet.keepalive > maxKeepalive) packet.keepalive = maxKeepalive;
          hooks.preConnect(client, packet);
          outbound.watch(client);
          done(null, true);
        },
        authorizeForward: (client, packet) => outbound.authorizeForward(client, packet),
      });
      outbound.attach(instance);
      instance.on('clientError', (client, err) => log.debug({ clientId: client.id, err }, 'client error'));
      instance.on('connectionError', (client, err) =>
        log.debug({ clientId: client.id, err }, 'connection error'),
      );
      instance.on('publish', (packet, client) => {
        const identity = client ? identityOf(client) : undefined;
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
        // The gateway's own last will (docs/protocol.md §1): the broker goes down with it.
        await setStatus({ online: false });
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

    async publish(topic, payload, opts = {}) {
      const retain = opts.retain ?? false;
      // An event every sale publishes (ledger.posted) costs aedes' whole QoS 1 path even when
      // no integration listens: not serialised nor published then. Retained ones always are.
      const instance = aedes;
      if (!retain && instance && !instance.closed && !(await hasListener(instance, topic))) return;
      const buffer = Buffer.isBuffer(payload)
        ? payload
        : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8');
      return publishRaw(topic, buffer, opts.qos ?? 1, retain);
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

    setStatus,
    metrics: () => snapshotMetrics(metrics),
  };
}
