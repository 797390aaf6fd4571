import type { z } from 'zod';
import type { Problem } from './errors.ts';

/** `['tills', 1, 'secret']` → `tills[1].secret` (the form every error message uses). */
export const formatPath = (path: readonly PropertyKey[]): string => {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
};

/** Every zod issue as a `path: message` problem, in document order. */
export const zodProblems = (error: z.ZodError): Problem[] =>
  error.issues.flatMap((issue) =>
    // An unknown key is located at the key itself, so a typo points at the typo.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown key' }))
      : [{ path: formatPath(issue.path), message: issue.message }],
  );
