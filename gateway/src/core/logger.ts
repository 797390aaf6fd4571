import { pino } from 'pino';

/** The logger every part receives; namespaced (`gw:ledger`, `hw:pn532`). */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(namespace: string): Logger;
}

type Level = 'debug' | 'info' | 'warn' | 'error';

const wrap = (base: pino.Logger): Logger => ({
  debug: (msg, fields) => base.debug(fields ?? {}, msg),
  info: (msg, fields) => base.info(fields ?? {}, msg),
  warn: (msg, fields) => base.warn(fields ?? {}, msg),
  error: (msg, fields) => base.error(fields ?? {}, msg),
  child: (namespace) => wrap(base.child({ ns: namespace })),
});

/** Structured JSON lines on stderr (journald keeps them); secrets and PINs are never passed in. */
export const createLogger = (
  level: Level = 'info',
  destination: pino.DestinationStream = pino.destination(2),
): Logger =>
  wrap(
    pino(
      { level, base: undefined, redact: ['pin', 'secret', 'code', 'password', 'managerCode'] },
      destination,
    ),
  );

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};

/** Card UIDs are masked in logs: enough to tell cards apart, not to clone one. */
export const maskUid = (uid: string): string =>
  uid.length <= 6 ? '••••' : `${uid.slice(0, 4)}${'•'.repeat(Math.max(2, uid.length - 6))}${uid.slice(-2)}`;
