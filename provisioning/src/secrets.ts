import { randomBytes, randomInt } from 'node:crypto';
import { join } from 'node:path';
import { writeFileDurable } from '../../gateway/src/core/durable-file.ts';
import { ensurePrivateDir } from '../../gateway/src/core/private-files.ts';

/** 144 random bits, URL-safe: typed into a till's settings at worst, so no `+` or `/`. */
export const newSecret = (): string => randomBytes(18).toString('base64url');

/** Manager codes are typed on a till keypad: digits only, 8 of them (no leading-zero loss). */
export const newManagerCode = (): string => String(randomInt(10_000_000, 100_000_000));

/** The folder beside the data that holds one file per secret, never inside the config. */
export const ensureSecretsDir = (dataDir: string): string => {
  const dir = join(dataDir, 'secrets');
  ensurePrivateDir(dir);
  return dir;
};

export type SecretKind = 'till' | 'kiosk' | 'integration' | 'manager';

/**
 * Writes one secret durably (0600, tmp → fsync → rename) and returns the `file:` reference
 * the config holds (docs/protocol.md §3), absolute so the config can move without breaking it.
 */
export const writeSecret = (secretsDir: string, kind: SecretKind, id: string, value: string): string => {
  const path = join(secretsDir, `${kind}.${id}.secret`);
  writeFileDurable(path, `${value}\n`, 0o600);
  return `file:${path}`;
};
