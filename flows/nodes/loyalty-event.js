'use strict';
/**
 * `loyalty-event`: the gateway's events (docs/protocol.md §1 `loyalty/v1/events/{type}`), by
 * type or `#` for all. Emits `{topic, eventType, payload: event}`; malformed JSON is
 * warned about and dropped.
 */
const { TOPIC_ROOT, trackStatus } = require('../lib/connection.js');

const TYPE_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/** @param {any} RED */
module.exports = (RED) => {
  /** @this {any} @param {any} config */
  function LoyaltyEventNode(config) {
    RED.nodes.createNode(this, config);
    this.eventType = String(config.eventType || '#').trim();
    const gateway = RED.nodes.getNode(config.gateway);
    if (!gateway) {
      this.status({ fill: 'red', shape: 'ring', text: 'no gateway configured' });
      return;
    }
    if (this.eventType !== '#' && !TYPE_PATTERN.test(this.eventType)) {
      this.status({ fill: 'red', shape: 'ring', text: 'invalid event type' });
      this.error(`event type "${this.eventType}": expected e.g. ledger.posted, or # for all`);
      return;
    }
    const connection = gateway.connection;
    connection.use();
    const untrack = trackStatus(this, connection);
    const filter = `${TOPIC_ROOT}/events/${this.eventType}`;
    const subscription = connection.subscribe(
      filter,
      (/** @type {string} */ topic, /** @type {Buffer} */ payload) => {
        let event;
        try {
          event = JSON.parse(payload.toString('utf8'));
        } catch {
          this.warn(`${topic}: payload is not JSON; dropped`);
          return;
        }
        const eventType = topic.slice(`${TOPIC_ROOT}/events/`.length);
        this.send({ topic, eventType, payload: event });
      },
    );
    subscription.ready.catch((/** @type {Error} */ err) => {
      this.status({ fill: 'red', shape: 'ring', text: 'subscription refused' });
      this.error(err.message);
    });
    this.on('close', (/** @type {() => void} */ done) => {
      subscription.close();
      untrack();
      connection.release();
      done();
    });
  }

  RED.nodes.registerType('loyalty-event', LoyaltyEventNode);
};
