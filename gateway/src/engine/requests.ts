/**
 * Request shapes the engine decides on (docs/protocol.md §1: sale, simulate, return, authorize,
 * capture, void). `parseRequest` turns unknown JSON into a typed request or an
 * INVALID_REQUEST naming the first field at fault.
 */
import { z } from 'zod';
import { formatPath } from '../program/check.ts';
import { instant } from '../program/schema.ts';
import { invalid } from './errors.ts';

const money = z.number().int().nonnegative();
const text = z.string().min(1);

export const saleLine = z.object({
  lineId: text,
  sku: text,
  productGroup: text.nullable().optional(),
  qty: z.number().int().positive(),
  unitPrice: money,
  amount: money,
});

export const payment = z.object({ method: text, amount: money, holdId: text.optional() });

export const saleRequest = z.object({
  saleId: text,
  at: instant,
  currency: z.string(),
  lines: z.array(saleLine).min(1),
  payments: z.array(payment),
  total: money,
});
export type SaleRequest = z.infer<typeof saleRequest>;
export type SaleLine = z.infer<typeof saleLine>;
export type Payment = z.infer<typeof payment>;

export const returnRequest = z.object({
  returnId: text,
  saleId: text,
  at: instant,
  /** Either the returned lines or `all: true` (docs/protocol.md §1: return). */
  lines: z
    .array(z.object({ lineId: text, qty: z.number().int().positive() }))
    .min(1)
    .optional(),
  all: z.literal(true).optional(),
});
export type ReturnRequest = z.infer<typeof returnRequest>;

export const authorizeRequest = z.object({ holdId: text, credit: z.number().int().positive() });
export type AuthorizeRequest = z.infer<typeof authorizeRequest>;
export const captureRequest = z.object({ holdId: text, saleId: text, credit: money });
export type CaptureRequest = z.infer<typeof captureRequest>;

export function parseRequest<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw invalid(formatPath(issue?.path ?? []), issue?.message ?? 'invalid');
}
