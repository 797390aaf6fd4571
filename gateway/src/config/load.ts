import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { type Problem, ValidationError } from '../core/errors.ts';
import { zodProblems } from '../core/zod-problems.ts';
import { configSchema, type ParsedConfig } from './schema.ts';

/** A validated config with secrets resolved and paths made absolute. */
export interface Config extends ParsedConfig {
  /** The file it came from; null for the embedded demo. */
  configPath: string | null;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
}

/**
 * Parse YAML or JSON text (JSON is YAML), reporting syntax errors by line.
 * docs/protocol.md §3: every error as `path: message`.
 */
export const parseConfigText = (text: string): { value: unknown; problems: Problem[] } => {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => ({
      path: `line ${lineCounter.linePos(e.pos[0]).line}`,
      message: e.message.split('\n')[0] ?? e.message,
    }));
    return { value: undefined, problems };
  }
  return { value: doc.toJS(), problems: [] };
};

/** `env:NAME` and `file:PATH` secrets (docs/protocol.md §3), so config files can be shared without them. */
const resolveSecret = (
  raw: string,
  path: string,
  baseDir: string,
  env: NodeJS.ProcessEnv,
  problems: Problem[],
): string => {
  if (raw.startsWith('env:')) {
    const name = raw.slice(4);
    const value = env[name];
    if (value === undefined || value === '') {
      problems.push({ path, message: `environment variable ${name} is not set` });
      return '';
    }
    return value;
  }
  if (raw.startsWith('file:')) {
    const file = resolve(baseDir, raw.slice(5));
    try {
      const value = readFileSync(file, 'utf8').trim();
      if (value === '') problems.push({ path, message: `secret file ${file} is empty` });
      return value;
    } catch (error) {
      problems.push({
        path,
        message: `cannot read secret file ${file} (${(error as NodeJS.ErrnoException).code})`,
      });
      return '';
    }
  }
  return raw;
};

/** hardware/ card tokens: an HMAC key shorter than this is refused. */
const MIN_TOKEN_KEY_BYTES = 16;

const crossChecks = (config: ParsedConfig): Problem[] => {
  const problems: Problem[] = [];
  // Till, kiosk and integration ids are all MQTT usernames: one namespace.
  const seen = new Map<string, string>();
  for (const list of ['tills', 'kiosks', 'integrations'] as const) {
    config[list].forEach((client, i) => {
      const where = `${list}[${i}].id`;
      const first = seen.get(client.id);
      if (first) problems.push({ path: where, message: `"${client.id}" is already used at ${first}` });
      else seen.set(client.id, where);
    });
  }
  const readerIds = new Set<string>();
  config.readers.forEach((reader, i) => {
    if (readerIds.has(reader.id))
      problems.push({ path: `readers[${i}].id`, message: `"${reader.id}" is used twice` });
    readerIds.add(reader.id);
  });
  config.kiosks.forEach((kiosk, i) => {
    if (!readerIds.has(kiosk.reader))
      problems.push({
        path: `kiosks[${i}].reader`,
        message: `no reader with id "${kiosk.reader}" in readers`,
      });
  });
  const managerIds = new Set<string>();
  config.managers.forEach((m, i) => {
    if (managerIds.has(m.id))
      problems.push({ path: `managers[${i}].id`, message: `"${m.id}" is used twice` });
    managerIds.add(m.id);
  });
  if (config.mqtt.port !== 0 && config.mqtt.port === config.http.port)
    problems.push({ path: 'http.port', message: `must differ from mqtt.port (${config.mqtt.port})` });
  return problems;
};

/**
 * Validate a config value. Relative paths are taken from `baseDir` (the config file's
 * folder). Throws a ValidationError listing every problem.
 */
export const validateConfig = (
  value: unknown,
  baseDir: string,
  configPath: string | null,
  options: LoadOptions = {},
): Config => {
  const parsed = configSchema.safeParse(value ?? {});
  if (!parsed.success) throw new ValidationError('config', zodProblems(parsed.error));
  const config = parsed.data;
  const problems = crossChecks(config);
  const env = options.env ?? process.env;
  const secret = (raw: string, path: string) => resolveSecret(raw, path, baseDir, env, problems);
  for (const list of ['tills', 'kiosks', 'integrations'] as const) {
    config[list].forEach((client, i) => {
      client.secret = secret(client.secret, `${list}[${i}].secret`);
    });
  }
  config.managers.forEach((m, i) => {
    m.code = secret(m.code, `managers[${i}].code`);
  });
  if (config.cardTokenKey !== undefined) {
    const key = secret(config.cardTokenKey, 'cardTokenKey');
    if (key !== '' && Buffer.byteLength(key, 'utf8') < MIN_TOKEN_KEY_BYTES)
      problems.push({ path: 'cardTokenKey', message: `must be at least ${MIN_TOKEN_KEY_BYTES} characters` });
    config.cardTokenKey = key;
  }
  if (problems.length > 0) throw new ValidationError('config', problems);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  return { ...config, dataDir: abs(config.dataDir), program: abs(config.program), configPath };
};

/** Read, parse and validate a config file (YAML or JSON). */
export const loadConfigFile = (file: string, options: LoadOptions = {}): Config => {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ValidationError('config', [
      { path: '(file)', message: `cannot read ${path} (${(error as NodeJS.ErrnoException).code})` },
    ]);
  }
  const { value, problems } = parseConfigText(text);
  if (problems.length > 0) throw new ValidationError('config', problems);
  return validateConfig(value, dirname(path), path, options);
};
