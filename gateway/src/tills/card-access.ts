import type { CardRef } from '../contract/index.ts';
import type { Ledger } from '../ledger/index.ts';
import { effectiveStatus } from '../ledger/index.ts';
import type { Card } from '../ledger/types.ts';
import { Refusal } from './refusal.ts';

/** docs/protocol.md §1: a card reference is `{uid}`, `{number}` or `{phone}`. Names the field when wrong. */
export const parseCardRef = (value: unknown, field = 'card'): CardRef => {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Refusal('INVALID_REQUEST', `${field}: must be an object with uid, number or phone`);
  const v = value as Record<string, unknown>;
  const keys = ['uid', 'number', 'phone'].filter((k) => v[k] !== undefined);
  if (keys.length !== 1)
    throw new Refusal('INVALID_REQUEST', `${field}: must have exactly one of uid, number or phone`);
  const key = keys[0] as 'uid' | 'number' | 'phone';
  const text = v[key];
  if (typeof text !== 'string' || text.trim() === '')
    throw new Refusal('INVALID_REQUEST', `${field}.${key}: must be a non-empty string`);
  if (key === 'uid') {
    const uid = text.replace(/[\s:]/g, '').toUpperCase();
    if (!/^[0-9A-F]{8,20}$/.test(uid)) throw new Refusal('INVALID_REQUEST', `${field}.uid: must be hex`);
    return { uid };
  }
  if (key === 'phone') return { phone: text.replace(/[\s()-]/g, '') };
  return { number: text.trim() };
};

const STATUS_CODES = {
  suspended: 'CARD_SUSPENDED',
  blocked: 'CARD_BLOCKED',
  locked: 'CARD_LOCKED',
  expired: 'CARD_EXPIRED',
} as const;

/**
 * The card and its member. docs/program.md Cards: only `active` earns or spends; `suspended`
 * may show its balance (`view`); others are refused with the status as the error code.
 */
export const resolveCard = (ledger: Ledger, ref: CardRef, now: Date, use: 'use' | 'view' = 'use'): Card => {
  const card = ledger.findCard(ref);
  if (!card) throw new Refusal('CARD_UNKNOWN', 'no such card');
  const status = effectiveStatus(card, now);
  if (status === 'active' || (status === 'suspended' && use === 'view')) return { ...card, status };
  throw new Refusal(STATUS_CODES[status], `the card is ${status}`);
};
