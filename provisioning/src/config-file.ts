import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { type Document, parseDocument } from 'yaml';
import { type Config, parseConfigText, validateConfig } from '../../gateway/src/config/load.ts';
import { writeFileDurable } from '../../gateway/src/core/durable-file.ts';
import { ValidationError } from '../../gateway/src/core/errors.ts';

/** Where pi-setup.sh puts the config; `--config` or LOYALTY_EDGE_CONFIG say otherwise. */
export const DEFAULT_CONFIG_PATH = '/etc/loyalty-edge/config.yaml';

export const configPathFrom = (flag: string | undefined, env: NodeJS.ProcessEnv): string =>
  resolve(flag ?? (env.LOYALTY_EDGE_CONFIG || DEFAULT_CONFIG_PATH));

/**
 * `env:NAME` secrets belong to the gateway's environment (systemd EnvironmentFile), not to
 * the technician's shell: while editing we check the shape of the config, so any name is
 * taken as set. `file:` secrets are still read for real.
 */
const anyEnv: NodeJS.ProcessEnv = new Proxy({}, { get: () => 'set-at-start' });

/** The gateway's own validation (every error as `path: message`), before anything is written. */
export const checkConfigValue = (value: unknown, configPath: string): Config =>
  validateConfig(value, dirname(configPath), configPath, { env: anyEnv });

/** A config file as a YAML document, so editing keeps the technician's comments and order. */
export const readConfigDocument = (configPath: string): Document => {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (error) {
    throw new ValidationError('config', [
      {
        path: '(file)',
        message: `cannot read ${configPath} (${(error as NodeJS.ErrnoException).code}); create it with: loyalty-edge provision init --config ${configPath}`,
      },
    ]);
  }
  const { problems } = parseConfigText(text);
  if (problems.length > 0) throw new ValidationError('config', problems);
  return parseDocument(text);
};

/** The data folder a config names, absolute (relative paths are taken from the config's folder). */
export const dataDirOf = (value: unknown, configPath: string): string => {
  const raw =
    typeof value === 'object' && value !== null && 'dataDir' in value && typeof value.dataDir === 'string'
      ? value.dataDir
      : './data';
  return isAbsolute(raw) ? raw : resolve(dirname(configPath), raw);
};

/**
 * A crash inside writeFileDurable leaves `config.yaml.tmp-PID` beside the intact config;
 * it is never read, so removing the ones of dead processes is only tidiness.
 */
export const removeStaleTemps = (configPath: string): string[] => {
  const dir = dirname(configPath);
  const prefix = `${basename(configPath)}.tmp-`;
  const removed: string[] = [];
  if (!existsSync(dir)) return removed;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) continue;
    unlinkSync(resolve(dir, name));
    removed.push(name);
  }
  return removed;
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Validate, then replace the file durably: a crash leaves the old config or the new one. */
export const saveConfigDocument = (configPath: string, doc: Document): Config => {
  const config = checkConfigValue(doc.toJS(), configPath);
  writeFileDurable(configPath, doc.toString({ lineWidth: 0 }), 0o600);
  return config;
};
