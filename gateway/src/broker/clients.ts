/**
 * The registry of clients allowed on the broker (protocol.md §1: every client
 * authenticates, username = id, password = secret). Secrets live here only as salted
 * scrypt hashes; the clear secret from the config is not kept.
 */
import { createHmac, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

export type ClientRole = 'till' | 'kiosk' | 'integration';

/** What the ACL needs to know about an authenticated client. */
export type ClientIdentity =
  | { id: string; role: 'till' }
  | { id: string; role: 'kiosk'; reader: string }
  | {
      id: string;
      role: 'integration';
      allowTillRequests: boolean;
      allowPii: boolean;
      /** Publishes per second it may make (requests and taps); bursts of twice that. */
      maxRequestsPerSecond: number;
    };

/** The config sections the registry is built from (protocol.md §3: tills, kiosks, integrations). */
export interface ClientsConfig {
  tills?: ReadonlyArray<{ id: string; secret: string }>;
  kiosks?: ReadonlyArray<{ id: string; secret: string; reader: string }>;
  integrations?: ReadonlyArray<{
    id: string;
    secret: string;
    allowTillRequests?: boolean;
    allowPii?: boolean;
    maxRequestsPerSecond?: number;
  }>;
}

export interface ClientRegistry {
  /** Verifies a CONNECT's credentials; resolves the identity, or `null` (never rejects). */
  verify(id: string | undefined, secret: Buffer | string | undefined): Promise<ClientIdentity | null>;
  get(id: string): ClientIdentity | undefined;
  readonly size: number;
}

export interface ClientRegistryOptions {
  /** scrypt cost. The default (2^14) costs ~50 ms on a Pi 4, paid once per id and secret. */
  cost?: number;
}

interface Entry {
  identity: ClientIdentity;
  salt: Buffer;
  hash: Buffer;
  /** Keyed digest of the last secret that verified: reconnect storms skip scrypt. */
  verifiedDigest: Buffer | null;
}

const KEY_LENGTH = 32;

/** Integrations are flows a technician wires: a runaway one must not crowd the tills out. */
export const DEFAULT_INTEGRATION_RATE = 50;

/** A non-empty MQTT topic level without separators or wildcards. */
export function isTopicLevel(value: string): boolean {
  return value.length > 0 && !/[/+#\0]/.test(value);
}

export function createClientRegistry(
  config: ClientsConfig,
  options: ClientRegistryOptions = {},
): ClientRegistry {
  const cost = options.cost ?? 2 ** 14;
  const entries = new Map<string, Entry>();
  // Per-process key: the verification cache holds HMACs, not plain fast hashes of secrets.
  const cacheKey = randomBytes(32);
  const dummy = { salt: randomBytes(16), hash: randomBytes(KEY_LENGTH) };

  const add = (identity: ClientIdentity, secret: string): void => {
    // Ids become topic levels (protocol.md §1 ACL), so they must be one plain level.
    if (!isTopicLevel(identity.id))
      throw new Error(`${identity.role} id "${identity.id}" is not a plain topic level`);
    if (identity.role === 'kiosk' && !isTopicLevel(identity.reader)) {
      throw new Error(`kiosk ${identity.id}: reader "${identity.reader}" is not a plain topic level`);
    }
    if (entries.has(identity.id)) throw new Error(`duplicate client id "${identity.id}"`);
    if (!secret) throw new Error(`${identity.id}: empty secret`);
    const salt = randomBytes(16);
    const hash = scryptSync(secret, salt, KEY_LENGTH, { N: cost });
    entries.set(identity.id, { identity, salt, hash, verifiedDigest: null });
  };
  for (const t of config.tills ?? []) add({ id: t.id, role: 'till' }, t.secret);
  for (const k of config.kiosks ?? []) add({ id: k.id, role: 'kiosk', reader: k.reader }, k.secret);
  for (const i of config.integrations ?? []) {
    add(
      {
        id: i.id,
        role: 'integration',
        allowTillRequests: i.allowTillRequests === true,
        allowPii: i.allowPii === true,
        maxRequestsPerSecond: i.maxRequestsPerSecond ?? DEFAULT_INTEGRATION_RATE,
      },
      i.secret,
    );
  }

  const derive = (secret: Buffer, salt: Buffer): Promise<Buffer | null> =>
    new Promise((resolve) => {
      scrypt(secret, salt, KEY_LENGTH, { N: cost }, (err, key) => resolve(err ? null : key));
    });

  return {
    size: entries.size,
    get: (id) => entries.get(id)?.identity,
    async verify(id, secret) {
      if (id === undefined || secret === undefined) return null;
      const given = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
      const entry = entries.get(id);
      const digest = createHmac('sha256', cacheKey).update(id).update('\0').update(given).digest();
      if (entry?.verifiedDigest && timingSafeEqual(entry.verifiedDigest, digest)) return entry.identity;
      // Unknown ids still pay one scrypt, so timing does not reveal which ids exist.
      const key = await derive(given, entry?.salt ?? dummy.salt);
      const target = entry?.hash ?? dummy.hash;
      if (!entry || key === null || !timingSafeEqual(key, target)) return null;
      entry.verifiedDigest = digest;
      return entry.identity;
    },
  };
}
