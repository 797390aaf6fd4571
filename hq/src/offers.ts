import { z } from 'zod';
import type { SqlDb } from './db/sql.ts';
import { addChanges } from './entries.ts';
import { HqError } from './errors.ts';
import { type Period, segmentsReport } from './reports.ts';

/**
 * Personal offers targeted to a segment (`tier:gold`, `rfm:champions`, `abc:A`, `all`); the
 * targets are fixed when the offer is made and flow to every store in the changes feed
 * (`offers[] {id, memberId, body}`), where the kiosk and tills can show them.
 */
export const offerRequest = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/),
  segment: z
    .string()
    .regex(/^(all|tier:[\w.-]+|rfm:[a-z-]+|abc:[ABC])$/, 'must be all, tier:ID, rfm:SEGMENT or abc:A|B|C'),
  body: z.record(z.string(), z.unknown()),
});

export async function createOffer(
  db: SqlDb,
  value: unknown,
  p: Period,
): Promise<{ id: string; targets: number }> {
  const parsed = offerRequest.safeParse(value);
  if (!parsed.success)
    throw new HqError(
      'INVALID_REQUEST',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  const { id, segment, body } = parsed.data;
  const [kind, arg] = segment.split(':') as [string, string | undefined];
  let members: string[];
  if (kind === 'all') members = (await db.query<{ id: string }>('SELECT id FROM members')).map((r) => r.id);
  else if (kind === 'tier')
    members = (await db.query<{ id: string }>('SELECT id FROM members WHERE tier = $1', [arg])).map(
      (r) => r.id,
    );
  else {
    const rows = await segmentsReport(db, p);
    members = rows.filter((r) => (kind === 'rfm' ? r.segment : r.abc) === arg).map((r) => String(r.memberId));
  }
  await db.transaction(async (tx) => {
    const inserted = await tx.query(
      'INSERT INTO offers (id, segment, body) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id',
      [id, segment, JSON.stringify(body)],
    );
    if (inserted.length === 0) throw new HqError('INVALID_REQUEST', `offer ${id} exists`);
    await tx.query(
      'INSERT INTO offer_targets (offer_id, member_id) SELECT $1, m FROM unnest($2::text[]) AS m',
      [id, members],
    );
    await addChanges(tx, 'offer', [id]);
  });
  return { id, targets: members.length };
}
