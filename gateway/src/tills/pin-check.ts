import type { Ledger } from '../ledger/index.ts';
import type { Program } from '../program/schema.ts';
import { Refusal } from './refusal.ts';

/**
 * docs/program.md Redemption: spending needs the card's PIN when `pinRequired`; after
 * `pinAttempts` wrong PINs in a row the card is locked. Returns the refusal, or null when
 * the PIN is right or not required.
 */
export const checkPin = async (
  ledger: Ledger,
  program: Program,
  uid: string,
  pin: unknown,
): Promise<Refusal | null> => {
  if (!program.redemption.pinRequired) return null;
  if (pin === undefined || pin === null || pin === '')
    return new Refusal('PIN_REQUIRED', 'pin: the card PIN is required');
  if (typeof pin !== 'string' || !/^[0-9]{4,8}$/.test(pin))
    return new Refusal('INVALID_REQUEST', 'pin: must be 4 to 8 digits');
  const result = await ledger.verifyPin(uid, pin, program.redemption.pinAttempts);
  if (result.ok) return null;
  switch (result.code) {
    case 'PIN_INVALID':
      return new Refusal(
        'PIN_INVALID',
        `wrong PIN; ${result.attemptsLeft} attempt(s) left before the card locks`,
      );
    case 'CARD_LOCKED':
      return new Refusal(
        'CARD_LOCKED',
        'the card is locked after too many wrong PINs; a store manager can unlock it',
      );
    case 'PIN_NOT_SET':
      return new Refusal('PIN_REQUIRED', 'the card has no PIN yet; a store manager can set one');
    default:
      return new Refusal('CARD_UNKNOWN', 'no such card');
  }
};
