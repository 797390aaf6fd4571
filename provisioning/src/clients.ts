import { type Document, isMap, isSeq, type YAMLMap } from 'yaml';
import {
  type Command,
  EXIT,
  parseFlags,
  requirePositional,
  UsageError,
} from '../../gateway/src/cli/command.ts';
import type { Config } from '../../gateway/src/config/load.ts';
import {
  checkConfigValue,
  configPathFrom,
  dataDirOf,
  readConfigDocument,
  removeStaleTemps,
  saveConfigDocument,
} from './config-file.ts';
import type { ProvisionContext } from './context.ts';
import { showCredentials } from './credentials.ts';
import { idFlag } from './flags.ts';
import { ensureSecretsDir, newManagerCode, newSecret, type SecretKind, writeSecret } from './secrets.ts';

const LISTS = { till: 'tills', kiosk: 'kiosks', integration: 'integrations', manager: 'managers' } as const;
type Kind = keyof typeof LISTS;

const entries = (doc: Document, kind: Kind): YAMLMap[] => {
  const seq = doc.get(LISTS[kind]);
  return isSeq(seq) ? seq.items.filter(isMap) : [];
};

const findEntry = (doc: Document, id: string): { kind: Kind; entry: YAMLMap } | undefined => {
  for (const kind of Object.keys(LISTS) as Kind[]) {
    const entry = entries(doc, kind).find((e) => e.get('id') === id);
    if (entry) return { kind, entry };
  }
  return undefined;
};

const secretField = (kind: Kind) => (kind === 'manager' ? 'code' : 'secret');
const newValue = (kind: Kind) => (kind === 'manager' ? newManagerCode() : newSecret());

/**
 * The common path of every change: read the config, check the change with the clear
 * secret (nothing written yet), write the secret file, then the config — each step
 * durable, so a crash at any point leaves the old config working (at worst an unused
 * secret file, overwritten by the next attempt).
 */
const applyChange = (
  ctx: ProvisionContext,
  configPath: string,
  change: (doc: Document, secretValue: string) => void,
  secretFile: () => string,
): Config => {
  removeStaleTemps(configPath);
  const trial = readConfigDocument(configPath);
  change(trial, '(checked-before-writing)');
  checkConfigValue(trial.toJS(), configPath);
  const ref = secretFile();
  ctx.step('secret-written');
  const doc = readConfigDocument(configPath);
  change(doc, ref);
  const config = saveConfigDocument(configPath, doc);
  ctx.step('config-written');
  return config;
};

const brokerHost = (ctx: ProvisionContext, flag: string | undefined) => flag ?? ctx.hostAddress();

const addCommand = (ctx: ProvisionContext, kind: Kind): Command => ({
  words: ['provision', `add-${kind}`],
  usage: `provision add-${kind} ID${kind === 'kiosk' ? ' --reader READER' : ''} [--config FILE]${kind === 'manager' ? '' : ' [--host ADDRESS]'}${kind === 'integration' ? ' [--allow-till-requests] [--allow-pii]' : ''}`,
  summary: `Add ${kind === 'integration' ? 'an' : 'a'} ${kind} with a fresh ${kind === 'manager' ? 'code' : 'secret'}, shown once${kind === 'manager' ? '' : ' (and as a QR code)'}.`,
  run: async (args, io) => {
    const { values, positionals } = parseFlags(
      args,
      {
        config: { type: 'string' },
        ...(kind === 'manager' ? {} : { host: { type: 'string' } }),
        ...(kind === 'kiosk' ? { reader: { type: 'string' } } : {}),
        ...(kind === 'integration'
          ? { 'allow-till-requests': { type: 'boolean' }, 'allow-pii': { type: 'boolean' } }
          : {}),
      } as const,
      1,
    );
    const flags = values as Record<string, string | boolean | undefined>;
    const id = idFlag(kind, requirePositional(positionals, 0, `ID (the ${kind}'s id)`));
    const configPath = configPathFrom(flags.config as string | undefined, ctx.env);
    const current = readConfigDocument(configPath);
    const clash = findEntry(current, id);
    if (clash && (kind === 'manager') === (clash.kind === 'manager')) {
      io.err(
        `provision add-${kind}: "${id}" is already a ${clash.kind}; to change its secret: loyalty-edge provision rotate-secret ${id}`,
      );
      return EXIT.invalid;
    }
    let reader: string | undefined;
    if (kind === 'kiosk') {
      reader = flags.reader as string | undefined;
      if (reader === undefined) throw new UsageError('missing --reader READER (the reader this kiosk shows)');
      const readers = (current.toJS() as { readers?: Array<{ id: string }> }).readers ?? [];
      if (!readers.some((r) => r.id === reader))
        throw new UsageError(
          `--reader: no reader "${reader}" in the config (have: ${readers.map((r) => r.id).join(', ') || 'none'})`,
        );
    }
    const value = newValue(kind);
    const dataDir = dataDirOf(current.toJS(), configPath);
    const config = applyChange(
      ctx,
      configPath,
      (doc, ref) => {
        const entry: Record<string, unknown> = {
          id,
          [secretField(kind)]: ref === '(checked-before-writing)' ? value : ref,
        };
        if (reader) entry.reader = reader;
        if (kind === 'integration') {
          entry.allowTillRequests = flags['allow-till-requests'] === true;
          entry.allowPii = flags['allow-pii'] === true;
        }
        if (!isSeq(doc.get(LISTS[kind]))) doc.set(LISTS[kind], doc.createNode([]));
        const list = doc.get(LISTS[kind]);
        // `tills: []` is a flow sequence; entries read better one per block.
        if (isSeq(list)) list.flow = false;
        doc.addIn([LISTS[kind]], doc.createNode(entry));
      },
      () => writeSecret(ensureSecretsDir(dataDir), kind as SecretKind, id, value),
    );
    io.out(
      `provision add-${kind}: ${id} added to ${configPath}. Restart the gateway to use it: sudo systemctl restart loyalty-edge`,
    );
    await reveal(io, ctx, kind, id, value, config, flags.host as string | undefined);
    return EXIT.ok;
  },
});

const reveal = async (
  io: Parameters<Command['run']>[1],
  ctx: ProvisionContext,
  kind: Kind,
  id: string,
  value: string,
  config: Config,
  host: string | undefined,
) => {
  if (kind === 'manager') {
    io.out(`Manager ${id}'s code: ${value}`);
    io.out('This code is shown only now; give it to the manager in person.');
    return;
  }
  await showCredentials(io, {
    host: brokerHost(ctx, host),
    port: config.mqtt.port,
    username: id,
    password: value,
  });
};

const rotateCommand = (ctx: ProvisionContext): Command => ({
  words: ['provision', 'rotate-secret'],
  usage: 'provision rotate-secret ID [--config FILE] [--host ADDRESS]',
  summary:
    "Give a till, kiosk, integration or manager a new secret (the old one stops working at the gateway's restart).",
  run: async (args, io) => {
    const { values, positionals } = parseFlags(
      args,
      { config: { type: 'string' }, host: { type: 'string' } },
      1,
    );
    const id = idFlag('ID', requirePositional(positionals, 0, 'ID (a till, kiosk, integration or manager)'));
    const configPath = configPathFrom(values.config, ctx.env);
    const current = readConfigDocument(configPath);
    const found = findEntry(current, id);
    if (!found) {
      io.err(`provision rotate-secret: no till, kiosk, integration or manager "${id}" in ${configPath}`);
      return EXIT.invalid;
    }
    const { kind } = found;
    const index = entries(current, kind).indexOf(found.entry);
    const value = newValue(kind);
    const dataDir = dataDirOf(current.toJS(), configPath);
    const config = applyChange(
      ctx,
      configPath,
      (doc, ref) => {
        const entry = entries(doc, kind)[index];
        entry?.set(secretField(kind), ref === '(checked-before-writing)' ? value : ref);
      },
      // Always a file of our own naming: a clear or env: secret becomes a file: one.
      () => writeSecret(ensureSecretsDir(dataDir), kind as SecretKind, id, value),
    );
    io.out(
      `provision rotate-secret: new ${secretField(kind)} for ${kind} ${id}. Restart the gateway: sudo systemctl restart loyalty-edge`,
    );
    await reveal(io, ctx, kind, id, value, config, values.host);
    return EXIT.ok;
  },
});

export const makeClientCommands = (ctx: ProvisionContext): Command[] => [
  ...(['till', 'kiosk', 'integration', 'manager'] as const).map((k) => addCommand(ctx, k)),
  rotateCommand(ctx),
];
