import type { SqlDb } from './db/sql.ts';
import { HqError } from './errors.ts';
import { hashToken, newToken } from './tokens.ts';

/** `hq token --store ID`: a one-time enrollment token, shown once, stored hashed, with an expiry. */
export async function createEnrollmentToken(
  db: SqlDb,
  storeId: string,
  now: Date,
  validHours = 24,
): Promise<{ token: string; expiresAt: string }> {
  const token = newToken('enr');
  const expiresAt = new Date(now.getTime() + validHours * 3_600_000).toISOString();
  await db.transaction(async (tx) => {
    await tx.query('INSERT INTO stores (id) VALUES ($1) ON CONFLICT (id) DO NOTHING', [storeId]);
    await tx.query('INSERT INTO enrollment_tokens (token_hash, store_id, expires_at) VALUES ($1, $2, $3)', [
      hashToken(token),
      storeId,
      expiresAt,
    ]);
  });
  return { token, expiresAt };
}

/**
 * docs/protocol.md §2 `POST /v1/enroll`: spends the token (single use: the UPDATE only matches
 * an unused, unexpired one) and creates the device with a fresh token, shown once.
 */
export async function enrollDevice(
  db: SqlDb,
  req: { enrollmentToken: string; deviceId: string; storeId: string },
  now: Date,
): Promise<{ deviceToken: string }> {
  const deviceToken = newToken('dev');
  await db.transaction(async (tx) => {
    const spent = await tx.query<{ store_id: string }>(
      `UPDATE enrollment_tokens SET used_at = $2, used_by = $3
       WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING store_id`,
      [hashToken(req.enrollmentToken), now.toISOString(), req.deviceId],
    );
    const storeId = spent[0]?.store_id;
    if (storeId === undefined)
      throw new HqError('TOKEN_INVALID', 'enrollment token unknown, used or expired');
    if (storeId !== req.storeId)
      throw new HqError('TOKEN_INVALID', `the token is for store ${storeId}, not ${req.storeId}`);
    const inserted = await tx.query(
      `INSERT INTO devices (id, store_id, token_hash, enrolled_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [req.deviceId, storeId, hashToken(deviceToken), now.toISOString()],
    );
    if (inserted.length === 0)
      throw new HqError('DEVICE_EXISTS', `device ${req.deviceId} is already enrolled`);
  });
  return { deviceToken };
}

/** Bearer device token → its device; a device may act only as itself (docs/protocol.md §2). */
export async function authenticateDevice(
  db: SqlDb,
  token: string | undefined,
  deviceId: string,
): Promise<{ deviceId: string; storeId: string }> {
  if (token === undefined) throw new HqError('UNAUTHORIZED', 'a Bearer device token is required');
  const rows = await db.query<{ id: string; store_id: string }>(
    'SELECT id, store_id FROM devices WHERE token_hash = $1',
    [hashToken(token)],
  );
  const device = rows[0];
  if (!device) throw new HqError('UNAUTHORIZED', 'unknown device token');
  if (device.id !== deviceId) throw new HqError('FORBIDDEN', `this token belongs to device ${device.id}`);
  return { deviceId: device.id, storeId: device.store_id };
}
