import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ValidationError } from '../../gateway/src/core/errors.ts';
import { zodProblems } from '../../gateway/src/core/zod-problems.ts';

/**
 * hq's own config (docs/protocol.md §3: `hq {port, database}`; `database` a `postgres://` URL,
 * or absent for the embedded default under `dataDir`). Unknown keys are errors.
 */
export const hqConfigSchema = z.strictObject({
  dataDir: z.string().min(1).default('./hq-data'),
  hq: z.strictObject({
    port: z.number().int().min(0).max(65535).default(8443),
    host: z.string().default('0.0.0.0'),
    database: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
    /** Bearer token for the management API; without one it answers loopback callers only. */
    adminToken: z.string().min(16).optional(),
    enrollmentTokenHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(24),
    /** Chain timezone for scheduled events and reports (the program's, when one is published). */
    timezone: z.string().default('UTC'),
    /** Run the chain's scheduled events (birthdays, anniversaries, tier re-evaluation) hourly. */
    scheduleEvents: z.boolean().default(true),
    /** Request bodies read and gunzipped at once (http/upload-limits.ts). */
    uploads: z
      .strictObject({
        perDevice: z.number().int().min(1).max(16).default(1),
        concurrent: z.number().int().min(1).max(256).default(4),
        queued: z.number().int().min(0).max(10_000).default(32),
      })
      .default({ perDevice: 1, concurrent: 4, queued: 32 }),
  }),
});

export type HqConfig = z.output<typeof hqConfigSchema>;

/** A file's config (YAML or JSON), relative paths from its folder; errors as `path: message` (exit 2). */
export function loadHqConfig(file: string): HqConfig {
  const path = resolve(file);
  let value: unknown;
  try {
    value = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ValidationError('config', [
      { path: '(file)', message: (error as Error).message.split('\n')[0] ?? '' },
    ]);
  }
  return parseHqConfig(value, dirname(path));
}

export function parseHqConfig(value: unknown, baseDir: string): HqConfig {
  const parsed = hqConfigSchema.safeParse(value ?? {});
  if (!parsed.success) throw new ValidationError('config', zodProblems(parsed.error));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const c = parsed.data;
  return {
    ...c,
    dataDir: abs(c.dataDir),
    hq: { ...c.hq, ...(c.hq.tls ? { tls: { cert: abs(c.hq.tls.cert), key: abs(c.hq.tls.key) } } : {}) },
  };
}
