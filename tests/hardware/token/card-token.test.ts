import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmulatedCard } from '../../../hardware/src/nfc/emulated-card.ts';
import {
  buildCardToken,
  splitToken,
  TOKEN_BLOCKS,
  TOKEN_BYTES,
  verifyCardToken,
} from '../../../hardware/src/token/card-token.ts';

const KEY = new TextEncoder().encode('test-key-0123456789abcdef');
const FIELDS = { uid: '04A1B2C3D4E5F6', cardNumber: '2600001234', issued: '2026-11-23' };

describe('card token', () => {
  it('builds 48 bytes that verify with the same key and UID', () => {
    const token = buildCardToken(FIELDS, KEY);
    expect(token).toHaveLength(TOKEN_BYTES);
    expect(verifyCardToken(FIELDS.uid, token, KEY)).toEqual({
      ok: true,
      cardNumber: '2600001234',
      issued: '2026-11-23',
    });
  });

  it('fits MIFARE blocks and NTAG pages', () => {
    const token = buildCardToken(FIELDS, KEY);
    expect(splitToken(token, 16)).toHaveLength(TOKEN_BLOCKS.length);
    expect(splitToken(token, 4)).toHaveLength(12);
  });

  it('fails on another card (UID bound), another key, or any flipped bit', () => {
    const token = buildCardToken(FIELDS, KEY);
    expect(verifyCardToken('04A1B2C3D4E5F7', token, KEY)).toEqual({ ok: false, reason: 'signature' });
    expect(
      verifyCardToken(FIELDS.uid, token, new TextEncoder().encode('another-key-0123456789')),
    ).toMatchObject({
      ok: false,
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 45 }), fc.integer({ min: 0, max: 7 }), (byte, bit) => {
        const tampered = Uint8Array.from(token);
        tampered[byte] = tampered[byte]! ^ (1 << bit);
        expect(verifyCardToken(FIELDS.uid, tampered, KEY).ok).toBe(false);
      }),
    );
  });

  it('reports format and version problems without throwing', () => {
    expect(verifyCardToken(FIELDS.uid, new Uint8Array(48), KEY)).toEqual({ ok: false, reason: 'format' });
    const token = buildCardToken(FIELDS, KEY);
    token[2] = 9;
    expect(verifyCardToken(FIELDS.uid, token, KEY)).toEqual({ ok: false, reason: 'version' });
  });

  it('refuses bad inputs when building', () => {
    expect(() => buildCardToken({ ...FIELDS, cardNumber: '' }, KEY)).toThrow(RangeError);
    expect(() => buildCardToken({ ...FIELDS, cardNumber: 'x'.repeat(25) }, KEY)).toThrow(RangeError);
    expect(() => buildCardToken({ ...FIELDS, issued: '23/11/2026' }, KEY)).toThrow(RangeError);
    expect(() => buildCardToken(FIELDS, new Uint8Array(8))).toThrow(/at least 16 bytes/);
  });

  it('round-trips through an emulated MIFARE Classic card', () => {
    const card = new EmulatedCard({ uid: '04A1B2C3' });
    const token = buildCardToken({ ...FIELDS, uid: '04A1B2C3' }, KEY);
    for (const [i, block] of splitToken(token, 16).entries()) card.write(TOKEN_BLOCKS[i]!, block);
    const read = Uint8Array.from(TOKEN_BLOCKS.flatMap((b) => [...card.read(b)!]));
    expect(verifyCardToken('04A1B2C3', read, KEY).ok).toBe(true);
  });
});
