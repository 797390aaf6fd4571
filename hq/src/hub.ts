import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../gateway/src/core/logger.ts';
import type { Service } from '../../gateway/src/core/service.ts';
import type { HqConfig } from './config.ts';
import { openHqDatabase } from './db/open.ts';
import type { SqlDb } from './db/sql.ts';
import { publishedProgram, runChainEvents } from './events.ts';
import { createHqServer } from './http/server.ts';

export interface Hub extends Service {
  /** The port really bound (0 in the config = an ephemeral port, for tests). */
  port(): number;
  db(): SqlDb;
}

/** The head-office hub as a service: open (and migrate) the database, then serve HTTP(S). */
export function createHub(config: HqConfig, deps: { logger: Logger; now?: () => Date; db?: SqlDb }): Hub {
  let db: SqlDb | undefined = deps.db;
  const ownsDb = deps.db === undefined;
  let server: Server | undefined;
  let scheduler: NodeJS.Timeout | undefined;
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child('hq:events');
  // Scheduled chain events: hourly is enough (each posts once per member per event per year).
  const runEvents = async () => {
    if (!db) return;
    try {
      const program = await publishedProgram(db);
      if (program) log.info('chain events', { ...(await runChainEvents(db, program, now())) });
    } catch (error) {
      log.error('chain events failed', { error: String(error) });
    }
  };
  return {
    name: 'hq',
    async start() {
      db ??= await openHqDatabase({ database: config.hq.database, dataDir: config.dataDir });
      const s = createHqServer({
        db,
        logger: deps.logger,
        now,
        adminToken: config.hq.adminToken,
        tls: config.hq.tls,
        enrollmentTokenHours: config.hq.enrollmentTokenHours,
        timezone: config.hq.timezone,
        uploads: config.hq.uploads,
      });
      s.keepAliveTimeout = 30_000;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(config.hq.port, config.hq.host, () => resolve());
      });
      server = s;
      if (config.hq.scheduleEvents) {
        scheduler = setInterval(() => void runEvents(), 3_600_000);
        scheduler.unref();
        void runEvents();
      }
    },
    async stop() {
      if (scheduler) clearInterval(scheduler);
      const s = server;
      server = undefined;
      if (s) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      if (ownsDb && db) {
        await db.close();
        db = undefined;
      }
    },
    port: () => (server?.address() as AddressInfo | null)?.port ?? 0,
    db: () => {
      if (!db) throw new Error('hq is not started');
      return db;
    },
  };
}
