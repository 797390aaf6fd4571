import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestHash } from '../../../gateway/src/tills/idempotency.ts';

// The first form of the canonical JSON: hashes stored in a ledger before must still match.
const reference = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
};
const referenceHash = (op: string, body: Record<string, unknown>): string =>
  createHash('sha256').update(op).update('\0').update(reference(body)).digest('base64url');

describe('request hash (idempotency: same requestId, other body → CONFLICT)', () => {
  it('is the hash stored by earlier versions, for any body', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (body) => {
        expect(requestHash('sale', body)).toBe(referenceHash('sale', body));
      }),
      { numRuns: 2000 },
    );
  });

  it('does not depend on the order of keys, and skips undefined members', () => {
    const a = { saleId: 'S1', lines: [{ sku: 'A', qty: 1 }], total: 5 };
    const b = { total: 5, lines: [{ qty: 1, sku: 'A' }], saleId: 'S1', note: undefined };
    expect(requestHash('sale', a)).toBe(requestHash('sale', b));
    expect(requestHash('sale', a)).not.toBe(requestHash('return', a));
    expect(requestHash('sale', a)).not.toBe(requestHash('sale', { ...a, total: 6 }));
  });
});
