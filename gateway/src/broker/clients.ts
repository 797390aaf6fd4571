/**
 * The registry of clients allowed on the broker (docs/protocol.md §1: every client
 * authenticates, username = id, password = secret). Secrets live here only as keyed
 * digests; the clear secret from the config is not kept.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

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

/** The config sections the registry is built from (docs/protocol.md §3: tills, kiosks, integrations). */
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
  /**
   * The client an MQTT client id belongs to: the client whose id it is, or whose id it
   * starts with followed by `-` (`till-01-pos` is till-01's); the longest such id wins.
   */
  ownerOfClientId(clientId: string): ClientIdentity | undefined;
  readonly size: number;
}

interface Entry {
  identity: ClientIdentity;
  /** HMAC of the secret under this process's random key: the clear secret is not kept. */
  digest: Buffer;
}

/** Integrations are flows a technician wires: a runaway one must not crowd the tills out. */
export const DEFAULT_INTEGRATION_RATE = 50;

/** A non-empty MQTT topic level without separators or wildcards. */
export function isTopicLevel(value: string): boolean {
  return value.length > 0 && !/[/+#\0]/.test(value);
}

/**
 * The clients allowed on the broker. Secrets are kept as keyed digests (HMAC-SHA256 under a
 * random key of this process): a memory dump does not give the secrets away, and checking a
 * CONNECT costs microseconds, so reconnect storms cost nothing. A slow hash (scrypt) would
 * protect a stored hash against offline guessing; these digests are never stored, and scrypt
 * leaves ~16 MB of resident memory per call behind on a device with little to spare.
 */
export function createClientRegistry(config: ClientsConfig): ClientRegistry {
  const entries = new Map<string, Entry>();
  const key = randomBytes(32);
  const digestOf = (secret: Buffer | string): Buffer => createHmac('sha256', key).update(secret).digest();
  const unknown = digestOf(randomBytes(32));

  const add = (identity: ClientIdentity, secret: string): void => {
    // Ids become topic levels (docs/protocol.md §1 ACL), so they must be one plain level.
    if (!isTopicLevel(identity.id))
      throw new Error(`${identity.role} id "${identity.id}" is not a plain topic level`);
    if (identity.role === 'kiosk' && !isTopicLevel(identity.reader)) {
      throw new Error(`kiosk ${identity.id}: reader "${identity.reader}" is not a plain topic level`);
    }
    if (entries.has(identity.id)) throw new Error(`duplicate client id "${identity.id}"`);
    if (!secret) throw new Error(`${identity.id}: empty secret`);
    entries.set(identity.id, { identity, digest: digestOf(secret) });
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

  return {
    size: entries.size,
    get: (id) => entries.get(id)?.identity,
    ownerOfClientId(clientId) {
      // Longest prefix first: with till-01 and till-01-x registered, `till-01-x-1` is till-01-x's.
      for (let end = clientId.length; end > 0; end = clientId.lastIndexOf('-', end - 1)) {
        const owner = entries.get(clientId.slice(0, end));
        if (owner) return owner.identity;
      }
      return undefined;
    },
    async verify(id, secret) {
      if (id === undefined || secret === undefined) return null;
      const entry = entries.get(id);
      // Unknown ids are compared too, so timing does not reveal which ids exist.
      const match = timingSafeEqual(digestOf(secret), entry?.digest ?? unknown);
      return entry && match ? entry.identity : null;
    },
  };
}
