/**
 * The plausibility check of a till request, after its shape (contract/schemas) and before
 * the op runs: its instants lie within a window around this device's clock and its money
 * and quantities within the configured per-request limits (config `limits`). A sale dated
 * 1900 or 9999, or an amount of 2^53−1, is refused here with INVALID_REQUEST naming the
 * field (docs/protocol.md §1), so nothing the store posts is something head office cannot
 * store or should not believe. Pure: the clock and the limits are passed in.
 */
import { configSchema, type ParsedConfig } from '../config/schema.ts';
import { durationMs } from '../sync/offline-caps.ts';

export interface EdgeLimits {
  /** How far before the device clock an `at` may be (ms), and the config text for messages. */
  past: { ms: number; text: string };
  future: { ms: number; text: string };
  maxAmount: number;
  maxQty: number;
}

export const edgeLimitsOf = (limits: ParsedConfig['limits']): EdgeLimits => ({
  past: { ms: durationMs(limits.instantPast), text: limits.instantPast },
  future: { ms: durationMs(limits.instantFuture), text: limits.instantFuture },
  maxAmount: limits.maxAmount,
  maxQty: limits.maxQty,
});

/** The config's defaults (a store without `limits`). */
export const defaultEdgeLimits = (): EdgeLimits => edgeLimitsOf(configSchema.shape.limits.parse(undefined));

type Body = Record<string, unknown>;
type Check = (body: Body, now: Date, limits: EdgeLimits) => string | null;

const list = (body: Body, key: string): Body[] =>
  Array.isArray(body[key])
    ? (body[key] as unknown[]).filter((x): x is Body => typeof x === 'object' && x !== null)
    : [];

const instantIn =
  (field: string): Check =>
  (body, now, limits) => {
    const value = body[field];
    if (typeof value !== 'string') return null;
    const at = Date.parse(value);
    const clock = now.toISOString();
    if (at < now.getTime() - limits.past.ms)
      return `${field}: ${value} is more than ${limits.past.text} before this device's clock (${clock}); see limits.instantPast`;
    if (at > now.getTime() + limits.future.ms)
      return `${field}: ${value} is more than ${limits.future.text} after this device's clock (${clock}); see limits.instantFuture`;
    return null;
  };

const over = (path: string, value: unknown, max: number, key: string): string | null =>
  typeof value === 'number' && value > max ? `${path}: ${value} is more than ${key} (${max})` : null;

const amount =
  (field: string): Check =>
  (body, _now, limits) =>
    over(field, body[field], limits.maxAmount, 'limits.maxAmount');

const saleChecks: Check[] = [
  instantIn('at'),
  amount('total'),
  (body, _now, limits) => {
    for (const [i, line] of list(body, 'lines').entries()) {
      const problem =
        over(`lines[${i}].qty`, line.qty, limits.maxQty, 'limits.maxQty') ??
        over(`lines[${i}].unitPrice`, line.unitPrice, limits.maxAmount, 'limits.maxAmount') ??
        over(`lines[${i}].amount`, line.amount, limits.maxAmount, 'limits.maxAmount');
      if (problem) return problem;
    }
    for (const [i, payment] of list(body, 'payments').entries()) {
      const problem = over(`payments[${i}].amount`, payment.amount, limits.maxAmount, 'limits.maxAmount');
      if (problem) return problem;
    }
    return null;
  },
];

const CHECKS: Partial<Record<string, Check[]>> = {
  sale: saleChecks,
  simulate: saleChecks,
  return: [
    instantIn('at'),
    (body, _now, limits) => {
      for (const [i, line] of list(body, 'lines').entries()) {
        const problem = over(`lines[${i}].qty`, line.qty, limits.maxQty, 'limits.maxQty');
        if (problem) return problem;
      }
      return null;
    },
  ],
  authorize: [amount('credit')],
  capture: [amount('credit')],
  'giftcard-redeem': [amount('credit')],
  'giftcard-issue': [amount('credit')],
};

/** The first field of a till request (already of its op's shape) beyond the limits, or null. */
export function limitProblem(op: string, body: Body, now: Date, limits: EdgeLimits): string | null {
  for (const check of CHECKS[op] ?? []) {
    const problem = check(body, now, limits);
    if (problem !== null) return problem;
  }
  return null;
}
