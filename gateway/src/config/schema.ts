import { z } from 'zod';

/**
 * The one config schema (docs/protocol.md §3): it gives the type, the defaults and the
 * validation errors. Unknown keys are errors, so a typo is never silently ignored.
 */

/** Ids end up in MQTT topics: no `/`, `+`, `#` or spaces. */
const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 letters, digits, "_", "." or "-"');

/** A secret in clear (discouraged), `env:NAME` or `file:PATH`; resolved after validation. */
const secret = z.string().min(1, 'must not be empty');

const port = z.number().int().min(0).max(65535);

/** A DNS name or an IP address as a browser writes it in `Host` (no scheme, no port). */
const hostName = z
  .string()
  .regex(
    /^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9.])?)$/,
    'must be a host name or an IP address, without scheme or port',
  );

const till = z.strictObject({ id, secret });
const kiosk = z.strictObject({ id, secret, reader: id });
const integration = z.strictObject({
  id,
  secret,
  allowTillRequests: z.boolean().default(false),
  allowPii: z.boolean().default(false),
  /** Publishes per second (requests and taps), bursts of twice that; the rest is refused RATE_LIMITED. */
  maxRequestsPerSecond: z.number().int().min(1).max(10_000).default(50),
});
const manager = z.strictObject({ id, code: secret });

const debounceMs = z.number().int().min(0).max(60_000).optional();

export const readerSchema = z.discriminatedUnion('driver', [
  z.strictObject({ id, driver: z.literal('simulated'), debounceMs }),
  // A reader the gateway does not drive: an integration publishes its taps on
  // `reader/{id}/tap` (docs/protocol.md §1 Readers), e.g. a Node-RED flow for a reader on a till.
  z.strictObject({ id, driver: z.literal('external') }),
  z.strictObject({
    id,
    driver: z.literal('pn532'),
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(115200),
    debounceMs,
  }),
  z.strictObject({
    id,
    driver: z.literal('serial-line'),
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(9600),
    debounceMs,
  }),
  z.strictObject({
    id,
    driver: z.literal('mfrc522'),
    spi: z
      .strictObject({ bus: z.number().int().min(0), device: z.number().int().min(0) })
      .default({ bus: 0, device: 0 }),
    resetPin: z.number().int().min(0).optional(),
    debounceMs,
  }),
]);

const indicator = z.strictObject({
  ledOk: z.number().int().min(0).max(27).optional(),
  ledError: z.number().int().min(0).max(27).optional(),
  buzzer: z.number().int().min(0).max(27).optional(),
});

const hq = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  deviceId: id,
  tls: z
    .strictObject({ ca: z.string().optional(), cert: z.string().optional(), key: z.string().optional() })
    .optional(),
});

/** docs/troubleshooting.md "MQTT broker: refused and disconnected clients": each limit, what tripping it does. */
const brokerLimits = z.strictObject({
  maxQueuedBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .optional(),
  maxInFlight: z.number().int().min(16).optional(),
  maxKeepaliveSeconds: z.number().int().min(10).max(65_535).optional(),
  packetTimeoutSeconds: z.number().int().min(1).max(600).optional(),
});

/** ISO-8601 duration-lite: `90s`, `15m`, `6h`, `2d`. */
const duration = z.string().regex(/^\d+(s|m|h|d)$/, 'must be a duration like 30s, 15m, 6h or 2d');

export const configSchema = z.strictObject({
  storeId: id,
  dataDir: z.string().min(1).default('./data'),
  program: z.string().min(1),
  mqtt: z
    .strictObject({
      port: port.default(1883),
      host: z.string().default('0.0.0.0'),
      maxPayloadBytes: z
        .number()
        .int()
        .min(1024)
        .max(1024 * 1024)
        .default(64 * 1024),
      /** What one client may cost the others; unset keys keep the broker's defaults (broker/broker.ts). */
      limits: brokerLimits.optional(),
    })
    .default({ port: 1883, host: '0.0.0.0', maxPayloadBytes: 64 * 1024 }),
  http: z
    .strictObject({
      port: port.default(8080),
      host: z.string().default('0.0.0.0'),
      /**
       * More names the gateway is reached by, beside its own host name and addresses: the
       * credentials and pairing routes answer only to these `Host`s (http/host-policy.ts).
       */
      hosts: z.array(hostName).default([]),
    })
    .default({ port: 8080, host: '0.0.0.0', hosts: [] }),
  tills: z.array(till).default([]),
  kiosks: z.array(kiosk).default([]),
  integrations: z.array(integration).default([]),
  managers: z.array(manager).default([]),
  readers: z.array(readerSchema).default([]),
  indicator: indicator.optional(),
  /**
   * The key that signs card tokens (docs/hardware.md: card authenticity): at least 16
   * characters, best `env:` or `file:`; never logged. Without it no token is read or written.
   */
  cardTokenKey: secret.optional(),
  hq: hq.optional(),
  offline: z
    .strictObject({
      maxAge: duration.default('6h'),
      spendLimit: z.strictObject({
        points: z.number().int().min(0),
        credit: z.number().int().min(0),
      }),
    })
    .optional(),
  /**
   * What a till request may carry (tills/edge-limits.ts): instants within a window around this
   * device's clock, money and quantities within per-request limits; beyond them INVALID_REQUEST.
   */
  limits: z
    .strictObject({
      // Ten years back: a till's backlog, a replayed or corrected sale; the window is there to
      // stop dates no store or head office can hold (0000, 1900, 9999), not old receipts.
      instantPast: duration.default('3650d'),
      instantFuture: duration.default('1d'),
      // 10¹² minor units: a large sale in rials (IRR has no minor unit) fits, 2^53−1 does not.
      maxAmount: z.number().int().min(1).max(1_000_000_000_000_000).default(1_000_000_000_000),
      maxQty: z.number().int().min(1).max(1_000_000).default(10_000),
    })
    .default({ instantPast: '3650d', instantFuture: '1d', maxAmount: 1_000_000_000_000, maxQty: 10_000 }),
  /** Scheduled jobs (expiry, yearly events, daily tiers): off only for tests that must not depend on today's date. */
  scheduler: z
    .strictObject({
      enabled: z.boolean().default(true),
      intervalSeconds: z.number().int().min(1).max(86_400).default(60),
    })
    .default({ enabled: true, intervalSeconds: 60 }),
  log: z
    .strictObject({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') })
    .default({ level: 'info' }),
});

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type ReaderConfig = z.output<typeof readerSchema>;
/** The readers the gateway itself drives (hardware/ builds them). */
export type DrivenReaderConfig = Exclude<ReaderConfig, { driver: 'external' }>;
export const isDriven = (reader: ReaderConfig): reader is DrivenReaderConfig => reader.driver !== 'external';
