import { z } from 'zod';
import type { EntryRow } from '../ledger/types.ts';

/**
 * The head-office sync wire shapes (docs/protocol.md §2), parsed with zod on both sides: the
 * gateway's uploader and applier, and hq's HTTP handlers import them from here, so the
 * contract has one source.
 */

const owner = z.union([
  z.strictObject({ member: z.string().min(1) }),
  z.strictObject({ giftCard: z.string().min(1) }),
]);

/** One ledger entry on the wire. `key` is its own idempotency key: `{deviceId}/{txKey}/{n}`. */
export const wireEntry = z.strictObject({
  seq: z.number().int().positive(),
  key: z.string().min(1).max(400),
  txKey: z.string().min(1).max(300),
  owner,
  asset: z.enum(['points', 'credit']),
  bucket: z.enum(['available', 'held', 'debt']),
  kind: z.string().min(1).max(40),
  amount: z.number().int(),
  qualifying: z.number().int(),
  ruleId: z.string().nullable(),
  meta: z.record(z.string(), z.unknown()).nullable(),
  at: z.string().min(1),
  programVersion: z.number().int(),
});
export type WireEntry = z.infer<typeof wireEntry>;

/** What hq could not store of a batch and keeps in quarantine (docs/sync.md), reported in the ack. */
export const quarantineReport = z.object({
  item: z.enum(['entry', 'member', 'card']),
  seq: z.number().int().positive().optional(),
  key: z.string(),
  reason: z.string(),
});
export type QuarantineReport = z.infer<typeof quarantineReport>;

export const ackResponse = z.object({
  ackedSeq: z.number().int().min(0),
  /** Added field: the items of this batch hq quarantined; absent when none. */
  quarantined: z.array(quarantineReport).optional(),
});

export const enrollRequest = z.strictObject({
  enrollmentToken: z.string().min(1),
  deviceId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/),
  storeId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/),
});
export const enrollResponse = z.object({ deviceToken: z.string().min(20) });

export const wireMember = z.object({
  id: z.string(),
  firstName: z.string(),
  lastName: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  birthDate: z.string().nullable(),
  anniversaryDate: z.string().nullable(),
  language: z.string(),
  customerGroup: z.string().nullable(),
  tier: z.string(),
  enrolledAt: z.string(),
});
export type WireMember = z.infer<typeof wireMember>;

export const wireCard = z.object({
  uid: z.string(),
  number: z.string().nullable(),
  memberId: z.string(),
  status: z.enum(['active', 'suspended', 'blocked', 'locked', 'expired']),
  expiresAt: z.string().nullable(),
  pinHash: z.string().nullable(),
  createdAt: z.string(),
});
export type WireCard = z.infer<typeof wireCard>;

/** docs/protocol.md §2: `{batchId, fromSeq, toSeq, entries[]}`, entries in device sequence order. */
export const ledgerBatch = z
  .strictObject({
    batchId: z.string().min(1).max(200),
    fromSeq: z.number().int().positive(),
    toSeq: z.number().int().positive(),
    entries: z.array(wireEntry).max(50_000),
    /** Added field: members enrolled at this store, sent once, so hq and other stores know them. */
    members: z.array(wireMember).max(10_000).optional(),
    cards: z.array(wireCard).max(20_000).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.toSeq < b.fromSeq) ctx.addIssue({ code: 'custom', path: ['toSeq'], message: 'is before fromSeq' });
    let prev = b.fromSeq - 1;
    b.entries.forEach((e, i) => {
      if (e.seq <= prev || e.seq > b.toSeq)
        ctx.addIssue({
          code: 'custom',
          path: ['entries', i, 'seq'],
          message: 'must increase and lie within fromSeq..toSeq',
        });
      prev = e.seq;
    });
  });
export type LedgerBatch = z.infer<typeof ledgerBatch>;

/** docs/protocol.md §2: hq's chain-wide balance, which includes this device's entries up to includesDeviceSeq. */
export const wireBalance = z.object({
  memberId: z.string(),
  points: z.number().int(),
  credit: z.number().int(),
  tier: z.string().nullable(),
  includesDeviceSeq: z.number().int().min(0),
});
export type WireBalance = z.infer<typeof wireBalance>;

export const wireReward = z.object({ id: z.string(), body: z.record(z.string(), z.unknown()) });
export const wireOffer = z.object({
  id: z.string(),
  memberId: z.string(),
  body: z.record(z.string(), z.unknown()),
});
export type WireOffer = z.infer<typeof wireOffer>;

export const changesPage = z.object({
  cursor: z.number().int().min(0),
  program: z.object({ version: z.number().int(), body: z.record(z.string(), z.unknown()) }).optional(),
  members: z.array(wireMember),
  cards: z.array(wireCard),
  rewards: z.array(wireReward),
  balances: z.array(wireBalance),
  offers: z.array(wireOffer).default([]),
  removed: z.array(z.object({ kind: z.enum(['reward', 'offer', 'card']), id: z.string() })),
  /** True when more changes wait after `cursor` (the device asks again at once). */
  more: z.boolean().default(false),
});
export type ChangesPage = z.infer<typeof changesPage>;

/**
 * A sale as hq needs it for the average check: the sale's id and total (minor units of the
 * program currency, docs/program.md: Units), optionally its currency. It rides in the `meta` of
 * the sale transaction's entries as `meta.sale` (meta is free-form on the wire, so an hq
 * that does not know it stores it and goes on); hq checks it with this schema and keeps one
 * row per transaction.
 */
export const wireSale = z.object({
  saleId: z.string().min(1).max(200),
  total: z.number().int().min(0),
  currency: z.string().min(1).max(8).optional(),
});

/**
 * A store ledger entry as it goes to hq: the entry's own idempotency key is the device id,
 * the transaction's key and the entry's seq (docs/protocol.md §2), unique across the chain. An
 * entry of a sale carries the sale (`meta.sale`, see `wireSale`).
 */
export const toWireEntry = (deviceId: string, e: EntryRow): WireEntry => ({
  seq: e.seq,
  key: `${deviceId}/${e.idempotencyKey}/${e.seq}`,
  txKey: e.idempotencyKey,
  owner: e.owner,
  asset: e.asset,
  bucket: e.bucket,
  kind: e.kind,
  amount: e.amount,
  qualifying: e.qualifying,
  ruleId: e.ruleId,
  meta: e.sale ? { ...e.meta, sale: e.sale } : e.meta,
  at: e.at,
  programVersion: e.programVersion,
});
