/**
 * The MQTT contract (docs/protocol.md §1): topics, payloads, error codes. No Node imports here:
 * the kiosk UI imports these types type-only in the browser.
 */
export * from './errors.ts';
export type * from './messages.ts';
export * from './ops.ts';
export * from './topics.ts';
