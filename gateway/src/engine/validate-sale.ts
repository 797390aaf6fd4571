/**
 * Sale checks beyond the shape (docs/protocol.md §1: sale): sums, currency, unique lines,
 * credit payments naming their hold. Each refusal is INVALID_REQUEST naming the field.
 */
import type { Program } from '../program/schema.ts';
import { invalid } from './errors.ts';
import { parseRequest, type SaleRequest, saleRequest } from './requests.ts';

export function validateSale(program: Program, input: unknown): SaleRequest {
  const sale = parseRequest(saleRequest, input);
  if (sale.currency !== program.currency) {
    throw invalid('currency', `must be ${program.currency}, the program's currency`);
  }
  const seen = new Set<string>();
  sale.lines.forEach((line, i) => {
    if (seen.has(line.lineId)) throw invalid(`lines[${i}].lineId`, `duplicate lineId "${line.lineId}"`);
    seen.add(line.lineId);
    if (line.amount > line.qty * line.unitPrice) {
      throw invalid(`lines[${i}].amount`, 'must not exceed qty × unitPrice');
    }
  });
  const linesTotal = sale.lines.reduce((s, l) => s + l.amount, 0);
  if (linesTotal !== sale.total) throw invalid('total', `lines add up to ${linesTotal}, not ${sale.total}`);
  const paid = sale.payments.reduce((s, p) => s + p.amount, 0);
  if (paid !== sale.total) throw invalid('payments', `payments add up to ${paid}, not ${sale.total}`);
  // docs/program.md: Redemption — credit may pay at most maxPercentOfSale of a sale
  const creditCap = Math.floor((sale.total * program.redemption.maxPercentOfSale) / 100);
  let credit = 0;
  sale.payments.forEach((p, i) => {
    if (p.method !== 'loyalty-credit') return;
    if (p.holdId === undefined)
      throw invalid(`payments[${i}].holdId`, 'a loyalty-credit payment must name its hold');
    credit += p.amount;
    if (credit > creditCap) {
      throw invalid(
        `payments[${i}].amount`,
        `credit may pay at most ${program.redemption.maxPercentOfSale}% of the sale`,
      );
    }
  });
  return sale;
}
