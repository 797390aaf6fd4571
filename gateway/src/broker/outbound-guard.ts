/**
 * A per-client cap on what the broker holds for a client that does not keep up: bytes
 * queued on its socket, messages handed to it and not yet acknowledged, and writes waiting
 * for its socket to drain. A client over any of them is disconnected at once.
 *
 * Why: aedes delivers every publish with one shared concurrency (100 deliveries), and a
 * write to a full socket holds its slot until the socket drains. One till that stops
 * reading (and sends thousands of requests) used to hold every slot, so every other
 * till's answers waited for its socket to close. Disconnecting it releases them, and its
 * unsent answers go nowhere (MQTT QoS 1 answers are re-asked by requestId; protocol.md §1
 * "Idempotent").
 *
 * It wraps the client's two delivery functions before aedes subscribes it (preConnect),
 * and counts acknowledgements from aedes' `ack` event.
 */
import type { Aedes, Client } from 'aedes';

export interface OutboundLimits {
  /** Bytes waiting in the client's socket buffer (Node's side of it). */
  maxQueuedBytes: number;
  /** QoS 1 messages written to it and not yet PUBACKed, plus QoS 0 writes not yet done. */
  maxInFlight: number;
}

export const DEFAULT_OUTBOUND_LIMITS: OutboundLimits = { maxQueuedBytes: 1024 * 1024, maxInFlight: 1000 };

/**
 * Writes waiting for `drain`: each holds one of aedes' shared delivery slots, so one client
 * must never hold a large share of them, whatever the other limits say.
 */
export const MAX_WAITING_WRITES = 32;

export type SlowReason = 'bytes' | 'in-flight' | 'writes';

type Deliver = (packet: { qos?: number; topic: string }, cb: () => void) => void;

/** The parts of aedes' Client this uses (lib/client.js: deliver0, deliverQoS, conn, subscriptions). */
interface ClientInternals {
  deliver0: Deliver;
  deliverQoS: Deliver;
  conn: { writableLength?: number; destroy(err?: Error): void };
  subscriptions: Record<string, { qos?: number } | undefined>;
}

interface State {
  unacked: number;
  writing: number;
  tripped: boolean;
  /** Set while deliverQoS runs: its authorizeForward call then counts a QoS 1 message. */
  countingQoS: boolean;
}

export interface OutboundGuard {
  /** Wraps a connecting client's deliveries; call from preConnect. */
  watch(client: Client): void;
  /** aedes' authorizeForward hook: counts what is forwarded, passes the packet through. */
  authorizeForward<P extends { qos?: number; topic: string }>(client: Client, packet: P): P | null;
  /** Subscribes to the broker's acknowledgements. */
  attach(broker: Aedes): void;
}

export function createOutboundGuard(
  limits: OutboundLimits,
  onSlow: (client: Client, reason: SlowReason, figures: { queuedBytes: number; inFlight: number }) => void,
): OutboundGuard {
  const states = new WeakMap<Client, State>();

  const overBy = (c: ClientInternals, s: State): SlowReason | null => {
    if ((c.conn.writableLength ?? 0) > limits.maxQueuedBytes) return 'bytes';
    if (s.unacked + s.writing >= limits.maxInFlight) return 'in-flight';
    if (s.writing >= MAX_WAITING_WRITES && (c.conn.writableLength ?? 0) > 0) return 'writes';
    return null;
  };

  /** True when the delivery may go ahead; otherwise the client is disconnected. */
  const admit = (client: Client, c: ClientInternals, s: State): boolean => {
    if (s.tripped) return false;
    const reason = overBy(c, s);
    if (!reason) return true;
    s.tripped = true;
    onSlow(client, reason, { queuedBytes: c.conn.writableLength ?? 0, inFlight: s.unacked + s.writing });
    // aedes' close() (on the socket's close) fails the writes waiting for drain, which
    // frees their delivery slots for the other clients.
    c.conn.destroy(new Error(`client too slow (${reason})`));
    return false;
  };

  return {
    watch(client) {
      const c = client as unknown as ClientInternals;
      const s: State = { unacked: 0, writing: 0, tripped: false, countingQoS: false };
      states.set(client, s);
      const deliver0 = c.deliver0;
      const deliverQoS = c.deliverQoS;
      c.deliver0 = (packet, cb) => {
        if (!admit(client, c, s)) return void setImmediate(cb);
        s.writing++;
        deliver0(packet, () => {
          s.writing--;
          cb();
        });
      };
      c.deliverQoS = (packet, cb) => {
        // A QoS 0 publish goes on through deliver0 (wrapped above).
        if (!packet.qos) return deliverQoS(packet, cb);
        if (!admit(client, c, s)) return void setImmediate(cb);
        s.writing++;
        s.countingQoS = true;
        try {
          deliverQoS(packet, () => {
            s.writing--;
            cb();
          });
        } finally {
          s.countingQoS = false;
        }
      };
    },

    authorizeForward(client, packet) {
      const s = states.get(client);
      if (s?.countingQoS && packet.qos) {
        // aedes downgrades to the subscription's QoS when a filter equals the topic.
        const sub = (client as unknown as ClientInternals).subscriptions[packet.topic];
        if (!sub || (sub.qos ?? 0) > 0) s.unacked++;
      }
      return packet;
    },

    attach(broker) {
      broker.on('ack', (_packet, client) => {
        const s = client ? states.get(client) : undefined;
        // Acks of messages queued before this connection (a persistent session) were not counted.
        if (s && s.unacked > 0) s.unacked--;
      });
    },
  };
}
