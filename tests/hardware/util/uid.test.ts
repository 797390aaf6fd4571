import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../hardware/src/util/backoff.ts';
import { maskUid } from '../../../hardware/src/util/logger.ts';
import { LineSplitter, normaliseUid } from '../../../hardware/src/util/uid.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('normaliseUid', () => {
  it('upper-cases and strips separators', () => {
    expect(normaliseUid(' 04:a1:b2:c3 ')).toBe('04A1B2C3');
    expect(normaliseUid('04-a1-b2-c3-d4-e5-f6')).toBe('04A1B2C3D4E5F6');
  });
  it('rejects odd lengths and non-hex', () => {
    expect(normaliseUid('04A1B')).toBeUndefined();
    expect(normaliseUid('hello!')).toBeUndefined();
    expect(normaliseUid('')).toBeUndefined();
  });
});

describe('LineSplitter', () => {
  it('ends lines on CR, LF and CRLF, also when CRLF is split across chunks', () => {
    const s = new LineSplitter();
    expect(s.push(bytes('AA\rBB\nCC\r'))).toEqual(['AA', 'BB', 'CC']);
    expect(s.push(bytes('\nDD\r\n'))).toEqual(['DD']);
    expect(s.push(bytes('EE'))).toEqual([]);
    expect(s.push(bytes('FF\r\n'))).toEqual(['EEFF']);
  });
  it('drops runaway lines without a terminator', () => {
    const s = new LineSplitter(8);
    expect(s.push(bytes('0123456789ABCDEF'))).toEqual([]);
    expect(s.push(bytes('AA\n'))).toEqual(['AA']);
  });
});

describe('helpers', () => {
  it('masks UIDs for logs', () => {
    expect(maskUid('04A1B2C3D4E5F6')).toBe('04A1••••F6');
  });
  it('backs off exponentially up to the cap', () => {
    const o = { initialMs: 100, maxMs: 1_000, factor: 2 };
    expect([0, 1, 2, 3, 4, 50].map((a) => backoffDelay(a, o))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });
});
