import type { Config } from '../config/load.ts';
import type { KioskOp, ReaderTap } from '../contract/index.ts';
import type { Logger } from '../core/logger.ts';
import type { Service } from '../core/service.ts';
import type { RouteSpec } from '../http/server.ts';
import type { OpHandler, StoreOps } from '../tills/store-ops.ts';

export interface KioskDeps {
  config: Config;
  ops: StoreOps;
  publish: (topic: string, payload: object, options: { qos: 0 | 1; retain: boolean }) => Promise<void>;
  logger: Logger;
  now: () => Date;
}

/** The kiosk side of the gateway (protocol.md §1 Kiosk): sessions on taps, kiosk ops, the page. */
export interface Kiosk extends Service {
  ops: Partial<Record<KioskOp, OpHandler>>;
  routes: RouteSpec[];
  /** A debounced tap at any reader (ours, or an integration's external reader). */
  onTap(tap: ReaderTap): void;
}

/** Placeholder until the kiosk sessions land: no sessions, no ops, no page. */
export const createKiosk = (_deps: KioskDeps): Kiosk => ({
  name: 'kiosk',
  ops: {},
  routes: [],
  onTap: () => {},
  start: () => {},
  stop: () => {},
});
