'use strict';
/**
 * `loyalty-gateway`: where the gateway's broker is and who we are there (docs/protocol.md §1:
 * username = the integration id, password = its secret). The secret is a Node-RED
 * credential, so it is stored encrypted with `credentialSecret`, never in the flow file.
 */
const { GatewayConnection } = require('../lib/connection.js');

/** @param {any} RED */
module.exports = (RED) => {
  /** @this {any} @param {any} config */
  function LoyaltyGatewayNode(config) {
    RED.nodes.createNode(this, config);
    this.host = String(config.host || '127.0.0.1');
    this.port = Number(config.port) || 1883;
    this.integrationId = String(config.integrationId || 'node-red');
    this.tls = config.tls === true || config.tls === 'true';
    const maxInFlight = Number(config.maxInFlight);
    this.maxInFlight = Number.isInteger(maxInFlight) && maxInFlight >= 0 ? maxInFlight : 16;
    const secret = this.credentials?.secret;
    this.connection = new GatewayConnection({
      host: this.host,
      port: this.port,
      username: this.integrationId,
      password: typeof secret === 'string' && secret.length > 0 ? secret : undefined,
      tls: this.tls,
      rejectUnauthorized: config.rejectUnauthorized !== false,
      maxInFlight: this.maxInFlight,
      log: { warn: (/** @type {string} */ message) => this.warn(message) },
    });
    this.on('close', (/** @type {boolean} */ _removed, /** @type {() => void} */ done) => {
      this.connection.close().then(done, done);
    });
  }

  RED.nodes.registerType('loyalty-gateway', LoyaltyGatewayNode, {
    credentials: { secret: { type: 'password' } },
  });
};
