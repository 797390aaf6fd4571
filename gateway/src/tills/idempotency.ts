import { createHash } from 'node:crypto';

/** docs/protocol.md §1 Idempotent: per client and requestId. */
export const requestKey = (role: string, clientId: string, requestId: string): string =>
  `${role}:${clientId}:${requestId}`;

/** JSON with sorted keys, so the same body always hashes the same (undefined members left out). */
const canonical = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // An undefined item is left empty, as the first form of this function wrote it.
      out += value[i] === undefined ? '' : canonical(value[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${canonical(v)}`;
  }
  return `${out}}`;
};

/** A digest of the request body: the same requestId with another body is a CONFLICT. */
export const requestHash = (op: string, body: Record<string, unknown>): string =>
  createHash('sha256').update(op).update('\0').update(canonical(body)).digest('base64url');
