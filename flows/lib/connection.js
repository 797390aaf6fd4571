'use strict';
/**
 * One MQTT connection to the gateway per `loyalty-gateway` config node (docs/protocol.md §1),
 * shared by every node that uses it: subscriptions are reference-counted, till requests
 * are matched to their responses by requestId, and mqtt.js reconnects on its own.
 *
 * Nothing here throws into Node-RED: failures become rejected promises with a `code`
 * (`TIMEOUT`, `NOT_ALLOWED`, `CLOSED`, `PUBLISH_FAILED`), which the nodes turn into output
 * messages. The gateway never sees anything but MQTT (architecture.md: Node-RED talks
 * MQTT only, under its own ACL role).
 */
const { EventEmitter } = require('node:events');
const { randomUUID } = require('node:crypto');
const mqtt = require('mqtt');

const TOPIC_ROOT = 'loyalty/v1';

/** docs/protocol.md §1: the till ops. */
const TILL_OPS = Object.freeze([
  'identify',
  'simulate',
  'sale',
  'return',
  'authorize',
  'capture',
  'void',
  'giftcard-redeem',
  'giftcard-issue',
  'enroll',
  'card-replace',
  'card-unlock',
]);

/** Ids end up in topics (gateway config schema): no `/`, `+`, `#` or spaces. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Till requests one connection has outstanding at once. A flow that emits thousands of
 * messages queues here instead of in the gateway, where it would delay the real tills (the
 * gateway does not rate-limit integrations: see docs/node-red.md, "Floods").
 */
const DEFAULT_MAX_IN_FLIGHT = 16;

/** After a CONNACK "not authorized", retry slowly: each attempt costs the gateway a scrypt. */
const REFUSED_RETRY_MS = 30_000;

/**
 * MQTT 3.1.1 §4.7 matching of a concrete topic against a filter.
 * @param {string} filter
 * @param {string} topic
 * @returns {boolean}
 */
function topicMatches(filter, topic) {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * An Error with a stable code, like the gateway's `{code, message}`.
 * @param {string} code
 * @param {string} message
 * @returns {Error & {code: string}}
 */
function codedError(code, message) {
  return Object.assign(new Error(message), { code });
}

/**
 * @typedef {object} ConnectionOptions
 * @property {string} host
 * @property {number} port
 * @property {string} username  The integration id (docs/protocol.md §1: username = its id).
 * @property {string | undefined} password  Its secret from provisioning.
 * @property {boolean} [tls]
 * @property {boolean} [rejectUnauthorized]
 * @property {number} [reconnectPeriod]
 * @property {number} [maxInFlight]  Requests awaiting an answer at once; more wait in Node-RED (0: no cap).
 * @property {{warn(message: string): void}} [log]
 */

/**
 * @typedef {'idle' | 'connecting' | 'connected' | 'disconnected' | 'refused' | 'unconfigured'} ConnectionState
 */

/**
 * @typedef {object} Subscription
 * @property {Set<(topic: string, payload: Buffer) => void>} handlers
 * @property {Promise<void>} ready  Resolves on SUBACK, rejects (code NOT_ALLOWED) on a refusal.
 */

/**
 * @typedef {object} Waiter
 * @property {(response: Record<string, unknown>) => void} resolve
 */

class GatewayConnection extends EventEmitter {
  /** @param {ConnectionOptions} options */
  constructor(options) {
    super();
    this.options = options;
    /** @type {import('mqtt').MqttClient | null} */
    this.client = null;
    /** @type {ConnectionState} */
    this.state = options.password ? 'idle' : 'unconfigured';
    this.users = 0;
    /** @type {Map<string, Subscription>} */
    this.subscriptions = new Map();
    /** @type {Map<string, Waiter[]>} till + requestId → who waits for that response */
    this.pending = new Map();
    /** @type {Array<{done: () => boolean, start: () => void}>} requests waiting for a slot */
    this.queue = [];
    this.inFlight = 0;
    this.closed = false;
    this.setMaxListeners(0);
  }

  /** @param {ConnectionState} state */
  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  /** A node starts using the connection: the first one opens it. */
  use() {
    this.users++;
    if (!this.client && !this.closed && this.options.password) this.open();
  }

  /** A node stops using it: the last one closes it. */
  release() {
    this.users = Math.max(0, this.users - 1);
  }

  open() {
    const { host, port, username, password, tls, rejectUnauthorized, reconnectPeriod } = this.options;
    this.setState('connecting');
    const client = mqtt.connect({
      host,
      port,
      protocol: tls ? 'mqtts' : 'mqtt',
      protocolVersion: 4,
      username,
      password,
      // Not the integration id itself: two Node-RED instances with the same credentials must not
      // take over each other's session; the gateway refuses ids of other known clients.
      clientId: `${username}-${randomUUID().slice(0, 8)}`,
      clean: true,
      keepalive: 30,
      connectTimeout: 10_000,
      reconnectPeriod: reconnectPeriod ?? 2_000,
      rejectUnauthorized: rejectUnauthorized !== false,
      resubscribe: true,
    });
    this.client = client;
    client.on('connect', () => {
      client.options.reconnectPeriod = reconnectPeriod ?? 2_000;
      // docs/protocol.md §1: Nagle on a request/response link costs ~40 ms a round trip.
      const stream = /** @type {{setNoDelay?: (on: boolean) => void}} */ (client.stream);
      stream.setNoDelay?.(true);
      this.setState('connected');
    });
    client.on('close', () => {
      if (this.state !== 'refused') this.setState('disconnected');
    });
    client.on('offline', () => {
      if (this.state !== 'refused') this.setState('disconnected');
    });
    client.on('error', (err) => {
      const code = /** @type {{code?: unknown}} */ (err).code;
      if (code === 5 || code === 4) {
        // CONNACK 5 (docs/protocol.md §1: anonymous or wrong secret): say so, retry slowly.
        client.options.reconnectPeriod = REFUSED_RETRY_MS;
        this.setState('refused');
      }
      this.options.log?.warn(`gateway connection: ${err.message}`);
    });
    client.on('message', (topic, payload) => this.dispatch(topic, payload));
  }

  /**
   * @param {string} topic
   * @param {Buffer} payload
   */
  dispatch(topic, payload) {
    for (const [filter, sub] of this.subscriptions) {
      if (!topicMatches(filter, topic)) continue;
      for (const handler of sub.handlers) {
        try {
          handler(topic, payload);
        } catch (err) {
          this.options.log?.warn(`handler for ${topic} failed: ${/** @type {Error} */ (err).message}`);
        }
      }
    }
  }

  /**
   * Subscribes `filter` (QoS 1) for `handler`; the returned function unsubscribes it.
   * `ready` rejects with code NOT_ALLOWED when the gateway's ACL refuses the filter.
   * @param {string} filter
   * @param {(topic: string, payload: Buffer) => void} handler
   * @param {0 | 1} [qos]
   * @returns {{ready: Promise<void>, close: () => void}}
   */
  subscribe(filter, handler, qos = 1) {
    let sub = this.subscriptions.get(filter);
    if (!sub) {
      const client = this.client;
      /** @type {Promise<void>} */
      const ready = client
        ? new Promise((resolve, reject) => {
            client.subscribe(filter, { qos }, (err, granted) => {
              const refused =
                granted?.some((g) => (g.qos & 0x80) !== 0) ||
                /** @type {{packet?: {granted?: number[]}}} */ (err)?.packet?.granted?.some(
                  (c) => (c & 0x80) !== 0,
                );
              if (refused)
                return reject(codedError('NOT_ALLOWED', `the gateway refused the subscription to ${filter}`));
              if (err) return reject(codedError('SUBSCRIBE_FAILED', `subscribe ${filter}: ${err.message}`));
              resolve();
            });
          })
        : Promise.reject(codedError('NOT_CONNECTED', 'no gateway secret configured'));
      ready.catch((err) => this.options.log?.warn(err.message));
      sub = { handlers: new Set(), ready };
      this.subscriptions.set(filter, sub);
    }
    sub.handlers.add(handler);
    const current = sub;
    return {
      ready: current.ready,
      close: () => {
        current.handlers.delete(handler);
        if (current.handlers.size === 0 && this.subscriptions.get(filter) === current) {
          this.subscriptions.delete(filter);
          if (this.client && !this.closed) this.client.unsubscribe(filter);
        }
      },
    };
  }

  /**
   * Publishes a JSON object at QoS 1; resolves once the broker acknowledged it.
   * @param {string} topic
   * @param {object} payload
   * @returns {Promise<void>}
   */
  publish(topic, payload) {
    const client = this.client;
    if (!client || this.closed)
      return Promise.reject(codedError('NOT_CONNECTED', 'no gateway connection (is the secret set?)'));
    return new Promise((resolve, reject) => {
      client.publish(topic, JSON.stringify(payload), { qos: 1 }, (err) =>
        err ? reject(codedError('PUBLISH_FAILED', err.message)) : resolve(),
      );
    });
  }

  /**
   * The subscription for a till's responses, made once and kept while the connection lives.
   * @param {string} till
   * @returns {Promise<void>}
   */
  responsesOf(till) {
    const filter = `${TOPIC_ROOT}/till/${till}/res/#`;
    const existing = this.subscriptions.get(filter);
    if (existing) return existing.ready;
    // QoS 0: with a clean session a QoS 1 response lost in a reconnect is not re-sent either
    // (the request times out and is re-sent by requestId), and QoS 1 delivery costs ~40 ms
    // a round trip on the gateway's broker today (docs/node-red.md, "Round trips").
    return this.subscribe(filter, (_topic, payload) => this.settle(till, payload), 0).ready;
  }

  /**
   * @param {string} till
   * @param {Buffer} payload
   */
  settle(till, payload) {
    /** @type {unknown} */
    let response;
    try {
      response = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    if (typeof response !== 'object' || response === null) return;
    const requestId = /** @type {{requestId?: unknown}} */ (response).requestId;
    // Responses to the till itself and to other integrations land here too: not ours, skipped.
    if (typeof requestId !== 'string') return;
    const key = `${till}\u0000${requestId}`;
    const waiters = this.pending.get(key);
    if (!waiters) return;
    this.pending.delete(key);
    for (const w of waiters) w.resolve(/** @type {Record<string, unknown>} */ (response));
  }

  /**
   * Sends a till op on behalf of `till` and waits for its response (docs/protocol.md §1
   * Request / response). Resolves with the response, `ok:false` included; rejects only
   * when no response came (TIMEOUT, NOT_ALLOWED, CLOSED, ...).
   * @param {string} till
   * @param {string} op
   * @param {Record<string, unknown>} body  Must carry a requestId.
   * @param {number} timeoutMs
   * @returns {Promise<Record<string, unknown>>}
   */
  request(till, op, body, timeoutMs) {
    const requestId = /** @type {string} */ (body.requestId);
    const key = `${till}\u0000${requestId}`;
    return new Promise((resolve, reject) => {
      let started = false;
      let finished = false;
      const finish = () => {
        if (finished) return false;
        finished = true;
        clearTimeout(timer);
        const list = this.pending.get(key);
        const rest = list ? list.filter((w) => w !== waiter) : [];
        if (rest.length > 0) this.pending.set(key, rest);
        else this.pending.delete(key);
        if (started) {
          this.inFlight--;
          this.pump();
        }
        return true;
      };
      /** @type {Waiter} */
      const waiter = {
        resolve: (response) => {
          if (finish()) resolve(response);
        },
      };
      /** @param {Error} err */
      const fail = (err) => {
        if (finish()) reject(err);
      };
      // The timeout counts from the node's input, queueing included: that is what a flow waits.
      const timer = setTimeout(
        () => fail(codedError('TIMEOUT', `no response to ${op} ${requestId} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.pending.set(key, [...(this.pending.get(key) ?? []), waiter]);
      this.queue.push({
        done: () => finished,
        start: () => {
          started = true;
          this.inFlight++;
          this.responsesOf(till)
            .then(() => this.publish(`${TOPIC_ROOT}/till/${till}/req/${op}`, body))
            .catch(fail);
        },
      });
      this.pump();
    });
  }

  /** Starts queued requests while fewer than `maxInFlight` wait for their answer. */
  pump() {
    const max = this.options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    while (this.queue.length > 0 && (max <= 0 || this.inFlight < max)) {
      const job = this.queue.shift();
      if (job && !job.done()) job.start();
    }
  }

  /** Ends the connection and fails whatever still waits (a redeploy or shutdown). */
  close() {
    this.closed = true;
    for (const waiters of this.pending.values()) {
      for (const w of waiters)
        w.resolve({ ok: false, error: { code: 'CLOSED', message: 'connection closed' } });
    }
    this.pending.clear();
    this.queue = [];
    this.subscriptions.clear();
    const client = this.client;
    this.client = null;
    this.removeAllListeners('state');
    if (!client) return Promise.resolve();
    return new Promise((resolve) => {
      client.end(true, {}, () => resolve(undefined));
    });
  }
}

/**
 * Shows the connection's state as the node's status and keeps it current.
 * @param {{status(s: object): void}} node
 * @param {GatewayConnection} connection
 * @returns {() => void} stops tracking
 */
function trackStatus(node, connection) {
  /** @param {ConnectionState} state */
  const show = (state) => {
    switch (state) {
      case 'connected':
        return node.status({ fill: 'green', shape: 'dot', text: 'connected' });
      case 'connecting':
      case 'idle':
        return node.status({ fill: 'yellow', shape: 'ring', text: 'connecting' });
      case 'refused':
        return node.status({ fill: 'red', shape: 'ring', text: 'not authorized' });
      case 'unconfigured':
        return node.status({ fill: 'red', shape: 'ring', text: 'no secret set' });
      default:
        return node.status({ fill: 'red', shape: 'ring', text: 'disconnected' });
    }
  };
  show(connection.state);
  connection.on('state', show);
  return () => connection.off('state', show);
}

module.exports = {
  GatewayConnection,
  ID_PATTERN,
  TILL_OPS,
  TOPIC_ROOT,
  codedError,
  topicMatches,
  trackStatus,
};
