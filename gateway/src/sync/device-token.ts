import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/load.ts';
import type { Logger } from '../core/logger.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { createHqClient } from './hq-client.ts';
import { createSyncService, type SyncProgress, type SyncService } from './sync-service.ts';

export const deviceTokenPath = (dataDir: string): string => join(dataDir, 'hq-device-token');

/** The token `provision enroll` stored, or null when this gateway is not enrolled yet. */
export function readDeviceToken(dataDir: string): string | null {
  try {
    const token = readFileSync(deviceTokenPath(dataDir), 'utf8').trim();
    return token === '' ? null : token;
  } catch {
    return null;
  }
}

/**
 * The gateway's wiring: a sync service when the config has `hq` and the device is enrolled,
 * else null (the gateway runs fully offline). `onProgress` feeds `gateway/status` sync.
 */
export function createGatewaySync(
  config: Config,
  deps: { ledger: Ledger; logger: Logger; onProgress?: (p: SyncProgress) => void },
): SyncService | null {
  if (!config.hq) return null;
  const token = readDeviceToken(config.dataDir);
  if (token === null) {
    deps.logger.warn('hq is configured but this gateway is not enrolled; run "provision enroll"');
    return null;
  }
  const client = createHqClient({ url: config.hq.url, token, tls: config.hq.tls });
  return createSyncService({
    ledger: deps.ledger,
    client,
    deviceId: config.hq.deviceId,
    logger: deps.logger,
    onProgress: deps.onProgress,
  });
}
