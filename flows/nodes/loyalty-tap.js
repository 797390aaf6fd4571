'use strict';
/**
 * `loyalty-tap`: a card tap from an external reader (docs/protocol.md §1 Readers), published
 * on `loyalty/v1/reader/{id}/tap` as `{uid, at, reader}`. The UID is taken from
 * `msg.payload.uid` (or a string payload), separators removed, upper-cased.
 */
const { ID_PATTERN, TOPIC_ROOT, trackStatus } = require('../lib/connection.js');

/** 4, 7 or 10 byte UIDs (ISO 14443), and a little slack for other readers. */
const UID_PATTERN = /^(?:[0-9A-F]{2}){4,10}$/;

/** @param {unknown} payload @returns {string | null} */
const uidOf = (payload) => {
  const raw =
    typeof payload === 'string'
      ? payload
      : typeof payload === 'object' &&
          payload !== null &&
          typeof (/** @type {any} */ (payload).uid) === 'string'
        ? /** @type {any} */ (payload).uid
        : null;
  if (raw === null) return null;
  const uid = raw.replace(/[\s:-]/g, '').toUpperCase();
  return UID_PATTERN.test(uid) ? uid : null;
};

/** @param {any} RED */
module.exports = (RED) => {
  /** @this {any} @param {any} config */
  function LoyaltyTapNode(config) {
    RED.nodes.createNode(this, config);
    this.reader = String(config.reader || '');
    const gateway = RED.nodes.getNode(config.gateway);
    if (!gateway) {
      this.status({ fill: 'red', shape: 'ring', text: 'no gateway configured' });
    } else {
      gateway.connection.use();
      const untrack = trackStatus(this, gateway.connection);
      this.on('close', (/** @type {() => void} */ done) => {
        untrack();
        gateway.connection.release();
        done();
      });
    }

    this.on('input', (/** @type {any} */ msg, /** @type {any} */ _send, /** @type {any} */ done) => {
      if (!gateway) return done(new Error('no loyalty-gateway configured'));
      const reader = this.reader || msg.reader;
      if (typeof reader !== 'string' || !ID_PATTERN.test(reader))
        return done(new Error('reader: set a reader id on the node or in msg.reader'));
      const uid = uidOf(msg.payload);
      if (uid === null) return done(new Error('msg.payload.uid: expected the card UID in hex (8-20 digits)'));
      const tap = { uid, at: new Date().toISOString(), reader };
      gateway.connection.publish(`${TOPIC_ROOT}/reader/${reader}/tap`, tap).then(
        () => done(),
        (/** @type {Error} */ err) => done(err),
      );
    });
  }

  RED.nodes.registerType('loyalty-tap', LoyaltyTapNode);
};
