import { fileURLToPath } from 'node:url';
import type { Config } from '../config/load.ts';
import type { KioskOp, ReaderTap } from '../contract/index.ts';
import type { Logger } from '../core/logger.ts';
import type { Service } from '../core/service.ts';
import type { RouteSpec } from '../http/server.ts';
import type { OpHandler, StoreOps } from '../tills/store-ops.ts';
import { kioskOps } from './kiosk-ops.ts';
import { pageRoutes } from './page-routes.ts';
import { Pairing } from './pairing.ts';
import { Sessions } from './sessions.ts';

export interface KioskDeps {
  config: Config;
  ops: StoreOps;
  publish: (topic: string, payload: object, options: { qos: 0 | 1; retain: boolean }) => Promise<void>;
  logger: Logger;
  now: () => Date;
  /** Where the built page lives (default `kiosk-ui/dist` of this checkout). */
  distDir?: string;
  /** Gateway-side end of a session nobody ends (default 3 min; the page's own idle timeout is shorter). */
  sessionTimeoutMs?: number;
}

/** The kiosk side of the gateway (docs/protocol.md §1 Kiosk): sessions on taps, kiosk ops, the page. */
export interface Kiosk extends Service {
  ops: Partial<Record<KioskOp, OpHandler>>;
  routes: RouteSpec[];
  /** A debounced tap at any reader (ours, or an integration's external reader). */
  onTap(tap: ReaderTap): void;
}

export const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../../kiosk-ui/dist/', import.meta.url));

export const createKiosk = (deps: KioskDeps): Kiosk => {
  const sessions = new Sessions({
    kiosks: deps.config.kiosks,
    ops: deps.ops,
    publish: deps.publish,
    logger: deps.logger,
    timeoutMs: deps.sessionTimeoutMs ?? 180_000,
  });
  return {
    name: 'kiosk',
    ops: kioskOps(sessions),
    routes: pageRoutes({
      kiosks: deps.config.kiosks,
      distDir: deps.distDir ?? DEFAULT_DIST_DIR,
      pairing: new Pairing({ now: deps.now }),
    }),
    onTap: (tap) => sessions.onTap(tap),
    start: () => seedRewardStock(deps),
    stop: () => sessions.stop(),
  };
};

/**
 * docs/program.md rewards.stock is "per store": a reward with `stock` and no stock row yet gets
 * its row at start, so the atomic reservation in the ledger has something to decrement.
 * An existing row is left alone (what is left survives restarts).
 */
const seedRewardStock = ({ ops }: KioskDeps): void => {
  const { ledger } = ops.deps;
  for (const reward of ops.deps.program().rewards)
    if (reward.stock !== undefined && ledger.rewardStockLeft(reward.id) === null)
      ledger.setRewardStock(reward.id, reward.stock);
};
