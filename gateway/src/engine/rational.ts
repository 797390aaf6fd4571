/**
 * Exact rationals on BigInt (docs/program.md: Units — "All intermediate arithmetic is exact";
 * rounding only where the contract says, always down).
 */
import type { RationalString } from '../domain/ledger-types.ts';

export interface Rational {
  readonly n: bigint;
  readonly d: bigint; // always > 0, gcd(n, d) = 1
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export function rat(n: bigint | number, d: bigint | number = 1n): Rational {
  let nn = BigInt(n);
  let dd = BigInt(d);
  if (dd === 0n) throw new RangeError('division by zero');
  if (dd < 0n) [nn, dd] = [-nn, -dd];
  const g = gcd(nn, dd) || 1n;
  return { n: nn / g, d: dd / g };
}

export const ZERO = rat(0);
export const ONE = rat(1);

// The program's factors and percents, read for every line of every sale: a memo of immutable values.
const decimals = new Map<number, Rational>();

/** Exact value of a decimal number as written (1.25 → 5/4), never through binary floats. */
export function fromDecimal(x: number): Rational {
  let r = decimals.get(x);
  if (r === undefined) {
    r = decimalValue(x);
    if (decimals.size >= 1024) decimals.clear();
    decimals.set(x, r);
  }
  return r;
}

function decimalValue(x: number): Rational {
  if (!Number.isFinite(x)) throw new RangeError(`not finite: ${x}`);
  if (Number.isInteger(x)) return rat(BigInt(x));
  const [mantissa = '0', exp = '0'] = String(x).toLowerCase().split('e');
  const [whole = '0', frac = ''] = mantissa.split('.');
  const negative = whole.startsWith('-');
  const digits = BigInt((negative ? whole.slice(1) : whole) + frac) * (negative ? -1n : 1n);
  const scale = frac.length - Number(exp);
  return scale >= 0 ? rat(digits, 10n ** BigInt(scale)) : rat(digits * 10n ** BigInt(-scale));
}

export const add = (a: Rational, b: Rational): Rational => rat(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Rational, b: Rational): Rational => rat(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Rational, b: Rational): Rational => rat(a.n * b.n, a.d * b.d);
export const div = (a: Rational, b: Rational): Rational => rat(a.n * b.d, a.d * b.n);
export const cmp = (a: Rational, b: Rational): number => {
  const x = a.n * b.d - b.n * a.d;
  return x === 0n ? 0 : x < 0n ? -1 : 1;
};
export const sum = (xs: Iterable<Rational>): Rational => {
  let acc = ZERO;
  for (const x of xs) acc = add(acc, x);
  return acc;
};

/** Floor toward −∞, as a safe JS integer. */
export function floor(a: Rational): number {
  let q = a.n / a.d;
  if (a.n % a.d !== 0n && a.n < 0n) q -= 1n;
  return Number(q);
}

export function toRationalString(a: Rational): RationalString {
  return `${a.n}/${a.d}`;
}

export function parseRational(s: RationalString): Rational {
  const m = /^(-?\d+)\/(\d+)$/.exec(s);
  if (!m) throw new RangeError(`not a rational: ${s}`);
  return rat(BigInt(m[1] ?? '0'), BigInt(m[2] ?? '1'));
}
