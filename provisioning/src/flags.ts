import { UsageError } from '../../gateway/src/cli/command.ts';

/** An integer flag within bounds, or a UsageError that names the flag (exit 2). */
export const intFlag = (
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
): number | undefined => {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return Number(raw);
};

/** Ids become MQTT usernames and topic levels: same rule as the config schema. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const idFlag = (name: string, raw: string): string => {
  if (!ID_PATTERN.test(raw))
    throw new UsageError(`${name} "${raw}" must be 1-64 letters, digits, "_", "." or "-"`);
  return raw;
};

export const oneOf = <T extends string>(name: string, raw: string | undefined, allowed: readonly T[]) => {
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
  return raw as T;
};

export const urlFlag = (name: string, raw: string | undefined): string | undefined => {
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--${name} must be an http(s) URL (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--${name} must be an http(s) URL (got "${raw}")`);
  return raw;
};
