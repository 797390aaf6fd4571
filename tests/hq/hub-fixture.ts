import { silentLogger } from '../../gateway/src/core/logger.ts';
import { createHqClient } from '../../gateway/src/sync/hq-client.ts';
import { parseHqConfig } from '../../hq/src/config.ts';
import type { SqlDb } from '../../hq/src/db/sql.ts';
import { createEnrollmentToken } from '../../hq/src/enroll.ts';
import { createHub, type Hub } from '../../hq/src/hub.ts';

/** An in-process hub on an ephemeral loopback port over the given database. */
export async function startHub(db: SqlDb, now?: () => Date): Promise<{ hub: Hub; url: string }> {
  const config = parseHqConfig({ hq: { port: 0, host: '127.0.0.1', scheduleEvents: false } }, process.cwd());
  const hub = createHub(config, { logger: silentLogger, db, ...(now ? { now } : {}) });
  await hub.start();
  return { hub, url: `http://127.0.0.1:${hub.port()}` };
}

/** Enrolls a device through the real HTTP endpoint; returns its device token. */
export async function enroll(db: SqlDb, url: string, storeId: string, deviceId: string): Promise<string> {
  const { token } = await createEnrollmentToken(db, storeId, new Date());
  const client = createHqClient({ url });
  try {
    return (await client.enroll({ enrollmentToken: token, deviceId, storeId })).deviceToken;
  } finally {
    client.close();
  }
}

/** hq's view for comparisons: every entry key with its amount, and balances per member. */
export async function hqLedger(
  db: SqlDb,
): Promise<{ keys: string[]; balances: Map<string, { points: number; credit: number }> }> {
  const keys = (
    await db.query<{ k: string }>(
      "SELECT idempotency_key AS k FROM entries WHERE origin = 'device' ORDER BY 1",
    )
  ).map((r) => r.k);
  const rows = await db.query<{ member_id: string; points: string; credit: string }>(
    'SELECT member_id, points, credit FROM balances',
  );
  return {
    keys,
    balances: new Map(rows.map((r) => [r.member_id, { points: Number(r.points), credit: Number(r.credit) }])),
  };
}
