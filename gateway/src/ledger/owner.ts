import type { Owner } from '../domain/ledger-types.ts';

export type OwnerType = 'member' | 'gift-card';

/** The two columns an owner is stored as. */
export function ownerKey(owner: Owner): { type: OwnerType; id: string } {
  return 'member' in owner ? { type: 'member', id: owner.member } : { type: 'gift-card', id: owner.giftCard };
}

export function ownerFromRow(type: string, id: string): Owner {
  return type === 'member' ? { member: id } : { giftCard: id };
}
