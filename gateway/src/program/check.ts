/**
 * checkProgram: the parsed program, or every problem as `{path, message}` (docs/program.md:
 * "An invalid program is refused as a whole with every problem listed as path: message").
 * Field checks come from the zod schema; the cross-field checks below run on the raw
 * value too, so one broken field does not hide the others.
 */
import type { z } from 'zod';
import { type Program, programSchema } from './schema.ts';

export interface ProgramProblem {
  path: string;
  message: string;
}

export type ProgramCheck = { ok: true; program: Program } | { ok: false; problems: ProgramProblem[] };

/** `['earn', 2, 'per']` → `earn[2].per`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

function zodProblems(error: z.ZodError): ProgramProblem[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return { path: formatPath(issue.path), message: `unknown field(s): ${issue.keys.join(', ')}` };
    }
    return { path: formatPath(issue.path), message: issue.message };
  });
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function uniqueIds(items: unknown[], section: string, out: ProgramProblem[]): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const itemId = isRec(item) ? str(item.id) : undefined;
    if (itemId === undefined) return;
    const first = seen.get(itemId);
    if (first !== undefined) {
      out.push({
        path: `${section}[${i}].id`,
        message: `duplicate id "${itemId}" (also ${section}[${first}])`,
      });
    } else seen.set(itemId, i);
  });
}

function checkTierNames(names: unknown, tierIds: Set<string>, path: string, out: ProgramProblem[]): void {
  list(names).forEach((t, j) => {
    const name = str(t);
    if (name !== undefined && !tierIds.has(name)) {
      out.push({ path: `${path}[${j}]`, message: `unknown tier "${name}"` });
    }
  });
}

/** Cross-field rules zod does not express (docs/program.md: Tiers, Filters, Redemption). */
export function crossProblems(raw: unknown): ProgramProblem[] {
  const out: ProgramProblem[] = [];
  if (!isRec(raw)) return out;
  const tiers = isRec(raw.tiers) ? raw.tiers : undefined;
  const levels = list(tiers?.levels);
  const tierIds = new Set<string>();
  if (tiers === undefined) tierIds.add('base');
  let previous: number | undefined;
  levels.forEach((level, i) => {
    if (!isRec(level)) return;
    const tid = str(level.id);
    if (tid !== undefined) tierIds.add(tid);
    const threshold = level.threshold;
    if (typeof threshold !== 'number') return;
    if (i === 0 && threshold !== 0) {
      out.push({ path: 'tiers.levels[0].threshold', message: 'the first tier must have threshold 0' });
    }
    if (previous !== undefined && threshold <= previous) {
      out.push({
        path: `tiers.levels[${i}].threshold`,
        message: `thresholds must ascend (${threshold} ≤ ${previous})`,
      });
    }
    previous = threshold;
  });
  uniqueIds(levels, 'tiers.levels', out);

  const earn = list(raw.earn);
  uniqueIds(earn, 'earn', out);
  uniqueIds(list(raw.rewards), 'rewards', out);
  uniqueIds(list(raw.raffles), 'raffles', out);

  const creditEnabled = !(isRec(raw.credit) && raw.credit.enabled === false);
  earn.forEach((rule, i) => {
    if (!isRec(rule)) return;
    checkTierNames(rule.tiers, tierIds, `earn[${i}].tiers`, out);
    if (isRec(rule.exclude)) checkTierNames(rule.exclude.tiers, tierIds, `earn[${i}].exclude.tiers`, out);
    const when = isRec(rule.when) ? rule.when : undefined;
    const from = str(when?.from);
    const to = str(when?.to);
    if (from !== undefined && to !== undefined && from > to) {
      out.push({ path: `earn[${i}].when.to`, message: `must not be before from (${from})` });
    }
    const hours = str(when?.hours);
    if (
      hours !== undefined &&
      /^\d{2}:\d{2}-\d{2}:\d{2}$/.test(hours) &&
      hours.slice(0, 5) === hours.slice(6)
    ) {
      out.push({ path: `earn[${i}].when.hours`, message: 'start and end must differ' });
    }
    if (rule.type === 'cashback' && !creditEnabled) {
      out.push({ path: `earn[${i}].type`, message: 'cashback needs credit.enabled: true' });
    }
    if (rule.type === 'event' && rule.event !== 'referral' && rule.to !== undefined) {
      out.push({ path: `earn[${i}].to`, message: 'only referral events take "to"' });
    }
  });

  list(raw.rewards).forEach((reward, i) => {
    if (!isRec(reward)) return;
    checkTierNames(reward.tiers, tierIds, `rewards[${i}].tiers`, out);
    if (isRec(reward.grants) && reward.grants.credit !== undefined && !creditEnabled) {
      out.push({ path: `rewards[${i}].grants.credit`, message: 'credit grants need credit.enabled: true' });
    }
  });

  list(raw.raffles).forEach((raffle, i) => {
    if (!isRec(raffle)) return;
    checkTierNames(raffle.tiers, tierIds, `raffles[${i}].tiers`, out);
    const opens = Date.parse(str(raffle.opens) ?? '');
    const closes = Date.parse(str(raffle.closes) ?? '');
    const drawAt = Date.parse(str(raffle.drawAt) ?? '');
    if (opens >= closes) out.push({ path: `raffles[${i}].closes`, message: 'must be after opens' });
    if (closes > drawAt) out.push({ path: `raffles[${i}].drawAt`, message: 'must not be before closes' });
  });
  return out;
}

export function checkProgram(value: unknown): ProgramCheck {
  const parsed = programSchema.safeParse(value);
  const problems = [...(parsed.success ? [] : zodProblems(parsed.error)), ...crossProblems(value)];
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, program: parsed.data };
}

/** A program that failed checkProgram, carrying every problem. */
export class ProgramError extends Error {
  readonly code = 'PROGRAM_INVALID';
  constructor(readonly problems: ProgramProblem[]) {
    super(`invalid program:\n${problems.map((p) => `${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'ProgramError';
  }
}
