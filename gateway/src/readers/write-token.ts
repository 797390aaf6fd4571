import {
  buildCardToken,
  type CardType,
  HardwareError,
  type Reader,
  TOKEN_BLOCKS,
  verifyCardToken,
} from '../../../hardware/src/index.ts';
import { CodedError } from '../core/errors.ts';
import { hasBlockAccess, TOKEN_CARD_TYPES, TRANSPORT_KEY_A } from './card-check.ts';

/** Why a token could not be written; each has its HTTP status on the loopback route. */
export type WriteTokenCode =
  | 'NOT_FOUND' // no such reader
  | 'UNSUPPORTED' // reader without block access, or a card type without blocks 4-6
  | 'NO_KEY' // the config has no cardTokenKey
  | 'NOT_CONNECTED' // the reader is offline
  | 'NO_CARD' // nothing on the reader
  | 'WRONG_CARD' // another card than the one named
  | 'AUTH_FAILED' // sector 1 is not at the transport key
  | 'INVALID' // a bad card number
  | 'IO'; // the write or its read-back failed

export class WriteTokenError extends CodedError {
  constructor(
    override readonly code: WriteTokenCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'WriteTokenError';
  }
}

export interface WriteTokenRequest {
  uid: string;
  cardNumber: string;
  /** YYYY-MM-DD. */
  issued: string;
}

export interface WrittenToken {
  uid: string;
  cardNumber: string;
  issued: string;
  blocks: readonly number[];
}

/**
 * Writes the signed token for `request.uid` to blocks 4-6 of the card on `reader`, then reads
 * it back and verifies it: a token is reported written only once it reads back right.
 * `present` is the card the reader holds now (from its tap/removed events).
 */
export const writeTokenToCard = async (
  reader: Reader | undefined,
  readerId: string,
  present: { uid: string; cardType: CardType } | undefined,
  request: WriteTokenRequest,
  key: Uint8Array | null,
): Promise<WrittenToken> => {
  if (!reader) throw new WriteTokenError('NOT_FOUND', `no reader "${readerId}" in the config`);
  if (!hasBlockAccess(reader))
    throw new WriteTokenError(
      'UNSUPPORTED',
      `reader "${readerId}" cannot write card memory (only pn532 and mfrc522 readers can)`,
    );
  if (!key) throw new WriteTokenError('NO_KEY', 'the config has no cardTokenKey to sign tokens with');
  if (!reader.online) throw new WriteTokenError('NOT_CONNECTED', `reader "${readerId}" is offline`);
  if (!present) throw new WriteTokenError('NO_CARD', `no card on reader "${readerId}"`);
  if (present.uid !== request.uid)
    throw new WriteTokenError(
      'WRONG_CARD',
      `the card on reader "${readerId}" is ${present.uid}, not ${request.uid}`,
    );
  if (!TOKEN_CARD_TYPES.has(present.cardType))
    throw new WriteTokenError(
      'UNSUPPORTED',
      `the card is ${present.cardType}: tokens go on MIFARE Classic cards (blocks 4-6)`,
    );
  let token: Uint8Array;
  try {
    token = buildCardToken(request, key);
  } catch (error) {
    throw new WriteTokenError('INVALID', (error as Error).message);
  }
  try {
    await reader.writeBlocks(request.uid, TOKEN_BLOCKS, token, TRANSPORT_KEY_A);
    const back = await reader.readBlocks(request.uid, TOKEN_BLOCKS, TRANSPORT_KEY_A);
    const verified = verifyCardToken(request.uid, back, key);
    if (!verified.ok)
      throw new WriteTokenError('IO', `the token read back does not verify (${verified.reason})`);
  } catch (error) {
    if (error instanceof WriteTokenError) throw error;
    if (error instanceof HardwareError) {
      if (error.code === 'NO_CARD') throw new WriteTokenError('NO_CARD', 'the card left the reader');
      if (error.code === 'NOT_CONNECTED') throw new WriteTokenError('NOT_CONNECTED', error.message);
      if (error.code === 'AUTH_FAILED')
        throw new WriteTokenError(
          'AUTH_FAILED',
          'sector 1 of the card refuses the transport key A (FFFFFFFFFFFF): the card was keyed by someone else',
        );
    }
    throw new WriteTokenError('IO', `writing the token failed: ${(error as Error).message}`);
  }
  return { uid: request.uid, cardNumber: request.cardNumber, issued: request.issued, blocks: TOKEN_BLOCKS };
};
