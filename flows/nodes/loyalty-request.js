'use strict';
/**
 * `loyalty-request`: one till op over MQTT (docs/protocol.md §1 Request / response) on behalf
 * of a till id. Output 1: `ok:true` responses; output 2: `ok:false` responses, timeouts
 * and local refusals, always shaped `{requestId, ok:false, error:{code, message}}`.
 * Needs `allowTillRequests: true` for the integration in the gateway config.
 */
const { randomUUID } = require('node:crypto');
const { ID_PATTERN, TILL_OPS, trackStatus } = require('../lib/connection.js');

const isRecord = (/** @type {unknown} */ v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** @param {any} RED */
module.exports = (RED) => {
  /** @this {any} @param {any} config */
  function LoyaltyRequestNode(config) {
    RED.nodes.createNode(this, config);
    this.till = String(config.till || '');
    this.op = String(config.op || '');
    const seconds = Number(config.timeout);
    this.timeoutMs = Math.round((Number.isFinite(seconds) && seconds > 0 ? seconds : 10) * 1000);
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

    this.on('input', (/** @type {any} */ msg, /** @type {any} */ send, /** @type {any} */ done) => {
      const till = this.till || msg.till;
      const op = this.op || msg.op;
      const body = isRecord(msg.payload) ? { ...msg.payload } : null;
      const requestId =
        body && typeof body.requestId === 'string' && body.requestId.length > 0
          ? body.requestId
          : `nr-${randomUUID()}`;
      /** @param {string} code @param {string} message */
      const refuse = (code, message) => {
        msg.payload = { requestId, ok: false, error: { code, message } };
        msg.error = msg.payload.error;
        send([null, msg]);
        done();
      };
      if (!gateway) return refuse('NOT_CONFIGURED', 'no loyalty-gateway configured');
      if (typeof till !== 'string' || !ID_PATTERN.test(till))
        return refuse('INVALID_REQUEST', 'till: set a till id on the node or in msg.till');
      if (typeof op !== 'string' || !TILL_OPS.includes(op))
        return refuse('INVALID_REQUEST', `op: expected one of ${TILL_OPS.join(', ')}`);
      if (!body) return refuse('INVALID_REQUEST', 'msg.payload: expected the request body as an object');
      body.requestId = requestId;
      msg.till = till;
      msg.op = op;
      msg.requestId = requestId;
      gateway.connection.request(till, op, body, this.timeoutMs).then(
        (/** @type {any} */ response) => {
          msg.payload = response;
          if (response.ok === true) {
            send([msg, null]);
          } else {
            msg.error = response.error;
            send([null, msg]);
          }
          done();
        },
        (/** @type {any} */ err) => refuse(err.code || 'INTERNAL', err.message),
      );
    });
  }

  RED.nodes.registerType('loyalty-request', LoyaltyRequestNode);
};
