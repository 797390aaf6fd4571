import { createHash } from 'node:crypto';

/** protocol.md §1 Idempotent: per client and requestId. */
export const requestKey = (role: string, clientId: string, requestId: string): string =>
  `${role}:${clientId}:${requestId}`;

/** JSON with sorted keys, so the same body always hashes the same. */
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
};

/** A digest of the request body: the same requestId with another body is a CONFLICT. */
export const requestHash = (op: string, body: Record<string, unknown>): string =>
  createHash('sha256').update(op).update('\0').update(canonical(body)).digest('base64url');
