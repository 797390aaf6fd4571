import type { ReaderDependencies } from '../../hardware/src/index.ts';
import { type Broker, createBroker } from './broker/broker.ts';
import { createClientRegistry } from './broker/clients.ts';
import type { RequestHandler } from './broker/request-router.ts';
import { originChecked } from './broker/websocket.ts';
import type { Config } from './config/load.ts';
import { isDriven } from './config/schema.ts';
import { type ReaderTap, topics } from './contract/index.ts';
import type { Logger } from './core/logger.ts';
import { type Service, startAll } from './core/service.ts';
import { contractRoutes } from './http/contract-routes.ts';
import { deviceRoutes } from './http/device-routes.ts';
import { createHostPolicy } from './http/host-policy.ts';
import { HttpServer } from './http/server.ts';
import { createKiosk, type Kiosk } from './kiosk/index.ts';
import type { CheckedTap } from './kiosk/sessions.ts';
import type { Ledger, WalSyncSeams } from './ledger/index.ts';
import type { Program } from './program/schema.ts';
import { authenticityRefusal, tokenKeyOf } from './readers/card-check.ts';
import { type IndicatorSeams, StoreIndicator } from './readers/indicator.ts';
import { ReaderService, type TapOutcome } from './readers/reader-service.ts';
import { readerRoutes } from './readers/routes.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { openStoreLedger } from './store-ledger.ts';
import { createGatewaySync } from './sync/device-token.ts';
import type { SyncProgress, SyncService } from './sync/sync-service.ts';
import { resolveCard } from './tills/card-access.ts';
import { edgeLimitsOf } from './tills/edge-limits.ts';
import { ManagerCodes } from './tills/manager-codes.ts';
import { offlineCap } from './tills/offline-cap.ts';
import { createRequestHandler } from './tills/request-handler.ts';
import { StoreOps } from './tills/store-ops.ts';

export const VERSION = '0.1.0';

export interface GatewayOptions {
  config: Config;
  program: Program;
  logger: Logger;
  now?: () => Date;
  /**
   * Hardware seams for the readers and the indicator (serial, SPI, GPIO); the defaults are the
   * real devices. Tests put the emulators here.
   */
  hardware?: Omit<ReaderDependencies, 'logger'> & IndicatorSeams;
  /** The disk under the ledger's group commits (the WAL fsync); tests hold it behind a gate. */
  disk?: WalSyncSeams;
}

/** A broker logger over our logger (aedes-style `(obj, msg)` calls). */
const brokerLogger = (log: Logger) => ({
  debug: (obj: object, msg?: string) => log.debug(msg ?? '', obj as Record<string, unknown>),
  info: (obj: object, msg?: string) => log.info(msg ?? '', obj as Record<string, unknown>),
  warn: (obj: object, msg?: string) => log.warn(msg ?? '', obj as Record<string, unknown>),
  error: (obj: object, msg?: string) => log.error(msg ?? '', obj as Record<string, unknown>),
});

/**
 * The composition root: the ledger, the store's ops, the broker, the HTTP port and the
 * readers, started in that order and stopped in reverse (architecture.md: services).
 */
export class Gateway {
  readonly ledger: Ledger;
  readonly ops: StoreOps;
  readonly broker: Broker;
  readonly http: HttpServer;
  readonly readers: ReaderService;
  /** The lights and buzzer of the config's `indicator`, or a MemoryIndicator without one. */
  readonly indicator: StoreIndicator;
  readonly kiosk: Kiosk;
  readonly scheduler: Scheduler;
  /** Store-and-forward sync with head office; null when no hq is configured or not yet enrolled. */
  readonly sync: SyncService | null;
  private lastSync: SyncProgress | null = null;
  private stopAll: (() => Promise<void>) | null = null;
  private readonly startedAt: string;

  constructor(private readonly options: GatewayOptions) {
    const { config, logger } = options;
    const now = options.now ?? (() => new Date());
    this.startedAt = now().toISOString();
    this.ledger = openStoreLedger(config, now, options.disk);
    this.ops = new StoreOps({
      ledger: this.ledger,
      program: () => options.program,
      storeId: config.storeId,
      now,
      managers: new ManagerCodes(config.managers),
      offlineCap: offlineCap(config, this.ledger, () => options.program),
      limits: edgeLimitsOf(config.limits),
      logger: logger.child('gw:tills'),
      onCommitted: (events) => {
        const at = now().toISOString();
        for (const e of events) {
          const { memberId, ...data } = e.data;
          this.broker
            .publish(topics.event(e.type), {
              type: e.type,
              at,
              memberId,
              data: { ...data, storeId: config.storeId },
            })
            .catch(() => {});
        }
      },
    });
    this.broker = createBroker({
      clients: createClientRegistry(config),
      mqttPort: config.mqtt.port,
      host: config.mqtt.host,
      maxPayloadBytes: config.mqtt.maxPayloadBytes,
      limits: config.mqtt.limits,
      logger: brokerLogger(logger.child('gw:broker')),
      onRequest: (req) => this.handleRequest(req),
    });
    const publish = (topic: string, payload: object, opts: { qos: 0 | 1; retain: boolean }) =>
      this.broker.publish(topic, payload, opts);
    this.kiosk = createKiosk({ config, ops: this.ops, publish, logger: logger.child('gw:kiosk'), now });
    this.handleRequest = createRequestHandler(this.ops, this.kiosk.ops);
    this.scheduler = new Scheduler({
      ledger: this.ledger,
      program: () => options.program,
      storeId: config.storeId,
      chain: config.hq !== undefined,
      logger: logger.child('gw:scheduler'),
      now,
      intervalMs: config.scheduler.intervalSeconds * 1000,
    });
    this.sync = createGatewaySync(config, {
      ledger: this.ledger,
      logger: logger.child('gw:sync'),
      onProgress: (p) => {
        this.lastSync = p;
        this.publishStatus().catch(() => {});
        this.broker
          .publish(topics.event('sync.state'), {
            type: 'sync.state',
            at: now().toISOString(),
            data: { pending: p.pending, lastOkAt: p.lastOkAt, online: p.lastError === null },
          })
          .catch(() => {});
      },
    });
    const hosts = createHostPolicy({ bind: config.http.host, extra: config.http.hosts });
    const httpLogger = logger.child('gw:http');
    this.http = new HttpServer({ port: config.http.port, host: config.http.host, logger: httpLogger, hosts });
    const { gpioLineFactory, gpioSysfsRoot } = options.hardware ?? {};
    this.indicator = new StoreIndicator(config, logger.child('hw:indicator'), {
      gpioLineFactory,
      gpioSysfsRoot,
    });
    this.readers = new ReaderService({
      readers: config.readers.filter(isDriven),
      publish,
      logger,
      hardware: options.hardware,
      indicator: this.indicator,
      tokenKey: tokenKeyOf(config.cardTokenKey),
      requireToken: () => this.ops.deps.program().cards.requireToken,
      lookup: (uid) => this.tapOutcome(uid),
      onTap: (tap, refusal) => {
        const checked: CheckedTap = { ...tap, refusal };
        this.kiosk.onTap(checked);
      },
    });
    this.http.onUpgrade(
      originChecked(
        (req) => hosts.refuseOrigin(req),
        (reason) => httpLogger.warn('websocket upgrade refused', { reason }),
        (req, socket, head) => this.broker.handleUpgrade(req, socket, head),
      ),
    );
    const tokenRoutes = readerRoutes({
      readers: this.readers,
      cardNumberOf: (uid) => this.ledger.findCard({ uid })?.number ?? null,
      now,
    });
    for (const route of [...deviceRoutes(this), ...tokenRoutes, ...this.kiosk.routes]) this.http.route(route);
    for (const route of contractRoutes()) this.http.route(route);
  }

  get config(): Config {
    return this.options.config;
  }

  get program(): Program {
    return this.options.program;
  }

  get ports(): { mqtt: number; http: number } {
    return { mqtt: this.broker.ports.mqtt ?? this.options.config.mqtt.port, http: this.http.port };
  }

  async start(): Promise<void> {
    const services: Service[] = [
      { name: 'broker', start: () => this.broker.start(), stop: () => this.broker.stop() },
      this.http,
      this.kiosk,
      this.indicator,
      this.readers,
      ...(this.config.scheduler.enabled ? [this.scheduler] : []),
      ...(this.sync ? [this.sync] : []),
      { name: 'external-taps', start: () => this.listenForExternalTaps(), stop: () => {} },
      { name: 'status', start: () => this.publishStatus(), stop: () => {} },
    ];
    this.stopAll = await startAll(services);
  }

  async stop(): Promise<void> {
    await this.stopAll?.();
    this.stopAll = null;
    this.ledger.close();
  }

  private handleRequest: RequestHandler = async () => ({
    ok: false,
    error: { code: 'INTERNAL', message: 'the gateway is starting' },
  });

  /**
   * Taps an integration publishes for external readers (docs/protocol.md §1 Readers) reach the
   * kiosk like our own; our own readers' taps are handed over directly, not read back.
   */
  private async listenForExternalTaps(): Promise<void> {
    const own = new Set(this.options.config.readers.filter(isDriven).map((r) => r.id));
    await this.broker.subscribe('loyalty/v1/reader/+/tap', (_topic, payload) => {
      try {
        const tap = JSON.parse(payload.toString('utf8')) as ReaderTap;
        if (typeof tap.reader === 'string' && !own.has(tap.reader) && typeof tap.uid === 'string') {
          // An external reader sends a UID only: accepted unless the program requires a token.
          const refusal = authenticityRefusal(
            { kind: 'uid-only', why: 'an external reader' },
            this.ops.deps.program().cards.requireToken,
          );
          const checked: CheckedTap = { uid: tap.uid, at: tap.at, reader: tap.reader, refusal };
          this.kiosk.onTap(checked);
        }
      } catch {
        // A malformed tap from an integration is dropped; the broker counted the publish.
      }
    });
  }

  /** What a tap of this UID finds, for the indicator (docs/program.md Cards, as the kiosk sees it). */
  private tapOutcome(uid: string): TapOutcome {
    try {
      resolveCard(this.ledger, { uid }, (this.options.now ?? (() => new Date()))(), 'view');
      return 'member';
    } catch (error) {
      return (error as { code?: string }).code === 'CARD_UNKNOWN' ? 'unknown-card' : 'refused';
    }
  }

  /** The retained `gateway/status` (docs/protocol.md §1); the broker's stop publishes `{online:false}`. */
  async publishStatus(): Promise<void> {
    const { config, program } = this.options;
    await this.broker.setStatus({
      online: true,
      version: VERSION,
      storeId: config.storeId,
      startedAt: this.startedAt,
      program: { id: config.storeId, version: program.version },
      sync: {
        pending: this.ledger.pendingCount(),
        lastOkAt: this.lastSync?.lastOkAt ?? null,
        // docs/sync.md: a device whose uploads fail says so.
        ...(this.sync ? { uploadFailing: this.lastSync?.uploadFailing ?? null } : {}),
        ...(this.lastSync?.quarantined ? { quarantined: this.lastSync.quarantined } : {}),
      },
    });
  }
}
