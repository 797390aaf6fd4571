import {
  type BlockAccess,
  type CardType,
  type Reader,
  TOKEN_BLOCKS,
  verifyCardToken,
} from '../../../hardware/src/index.ts';
import type { ErrorBody } from '../contract/index.ts';

/**
 * Card authenticity at a tap (docs/hardware.md: card tokens). A card is one of:
 * - `token`: its token blocks hold a token that verifies for its UID under our key;
 * - `uid-only`: nothing of ours on it (a blank card, an NTAG, a line or simulated reader, an
 *   integration's external reader, or a read that failed: the card left, another key);
 * - `forged`: our token's magic is there but it does not verify (copied from another card,
 *   signed with another key, altered).
 * The program (`cards.requireToken`) decides whether `uid-only` is accepted; `forged` never is.
 */
export type Authenticity =
  | { kind: 'token'; cardNumber: string; issued: string }
  | { kind: 'uid-only'; why: string }
  | { kind: 'forged'; reason: string };

/** MIFARE Classic transport key A: sector 1 keeps it, the token's MAC is what protects it. */
export const TRANSPORT_KEY_A = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

/** Card types whose blocks 4-6 (sector 1) can hold the token. */
export const TOKEN_CARD_TYPES: ReadonlySet<CardType> = new Set(['mifare-classic-1k', 'mifare-classic-4k']);

export const hasBlockAccess = (reader: Reader): reader is Reader & BlockAccess =>
  typeof (reader as Partial<BlockAccess>).readBlocks === 'function' &&
  typeof (reader as Partial<BlockAccess>).writeBlocks === 'function';

/** "LE": the first bytes of every token (hardware/src/token/card-token.ts). */
const carriesToken = (bytes: Uint8Array): boolean => bytes[0] === 0x4c && bytes[1] === 0x45;

/** Reads the token blocks of the card just tapped and checks them; never throws. */
export const checkCard = async (
  reader: Reader,
  tap: { uid: string; cardType: CardType },
  key: Uint8Array | null,
): Promise<Authenticity> => {
  if (!key) return { kind: 'uid-only', why: 'no cardTokenKey configured' };
  if (!hasBlockAccess(reader)) return { kind: 'uid-only', why: 'the reader cannot read card memory' };
  if (!TOKEN_CARD_TYPES.has(tap.cardType)) return { kind: 'uid-only', why: `a ${tap.cardType} card` };
  let bytes: Uint8Array;
  try {
    bytes = await reader.readBlocks(tap.uid, TOKEN_BLOCKS, TRANSPORT_KEY_A);
  } catch (error) {
    return { kind: 'uid-only', why: `token blocks not readable (${(error as Error).message})` };
  }
  if (!carriesToken(bytes)) return { kind: 'uid-only', why: 'no token on the card' };
  const verified = verifyCardToken(tap.uid, bytes, key);
  return verified.ok
    ? { kind: 'token', cardNumber: verified.cardNumber, issued: verified.issued }
    : { kind: 'forged', reason: verified.reason };
};

/**
 * The refusal a kiosk session carries for a card that fails the program's authenticity rule,
 * or null when the card is accepted: CARD_NOT_GENUINE, an addition to docs/protocol.md's codes.
 */
export const authenticityRefusal = (card: Authenticity, requireToken: boolean): ErrorBody | null => {
  if (card.kind === 'forged')
    return { code: 'CARD_NOT_GENUINE', message: 'the card could not be verified: its token does not match' };
  if (card.kind === 'uid-only' && requireToken)
    return {
      code: 'CARD_NOT_GENUINE',
      message: 'this store accepts only cards with a token; this card has none',
    };
  return null;
};

/** The token key of the config (a resolved secret) as bytes, or null when none is set. */
export const tokenKeyOf = (secret: string | undefined): Uint8Array | null =>
  secret ? new Uint8Array(Buffer.from(secret, 'utf8')) : null;
