import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { type Config, loadConfigFile } from '../../../gateway/src/config/load.ts';
import { ValidationError } from '../../../gateway/src/core/errors.ts';
import { Ledger, openDatabase } from '../../../gateway/src/ledger/index.ts';
import { loadProgramFile } from '../../../gateway/src/program/load.ts';
import type { DoctorProbes } from './probes.ts';
import { type DoctorResult, fail, ok, warn } from './result.ts';

const MB = 1024 * 1024;
/** Below this a ledger can stop mid-day; above the warning a store runs for years. */
const FAIL_BELOW = 200 * MB;
const WARN_BELOW = 1024 * MB;

export const checkConfig = (
  configPath: string,
  env: NodeJS.ProcessEnv,
): { config?: Config; results: DoctorResult[] } => {
  if (!existsSync(configPath))
    return {
      results: [
        fail('config', `no config at ${configPath}`, `loyalty-edge provision init --config ${configPath}`),
      ],
    };
  try {
    const config = loadConfigFile(configPath, { env });
    const counts = `${config.tills.length} tills, ${config.kiosks.length} kiosks, ${config.readers.length} readers`;
    return { config, results: [ok('config', `${configPath} is valid (store ${config.storeId}, ${counts})`)] };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const list = error.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    return {
      results: [
        fail('config', `${configPath} is not valid: ${list}`, `loyalty-edge config check ${configPath}`),
      ],
    };
  }
};

export const checkDataDir = async (config: Config, probes: DoctorProbes): Promise<DoctorResult[]> => {
  const dir = config.dataDir;
  if (!existsSync(dir))
    return [
      fail('data dir', `${dir} does not exist`, `sudo install -d -o loyalty -g loyalty -m 0700 ${dir}`),
    ];
  const writable = await probes.canWrite(dir);
  const results: DoctorResult[] = [];
  if (writable !== true)
    results.push(
      fail('data dir', `${dir} is not writable (${writable})`, `sudo chown -R loyalty:loyalty ${dir}`),
    );
  else results.push(ok('data dir', `${dir} is writable`));
  const free = await probes.freeBytes(dir);
  const text = `${Math.round(free / MB)} MB free on ${dir}`;
  const fix =
    'free space: sudo journalctl --vacuum-size=50M; remove old releases in /opt/loyalty-edge/releases and backups';
  if (free < FAIL_BELOW) results.push(fail('disk space', text, fix));
  else if (free < WARN_BELOW) results.push(warn('disk space', text, fix));
  else results.push(ok('disk space', text));
  results.push(...secretModes(dir), dataModes(dir));
  return results;
};

/**
 * The data is the service user's alone (docs/troubleshooting.md "file permissions"): the
 * gateway narrows every mode at start, so a wider one is a file copied in since.
 */
const dataModes = (dataDir: string): DoctorResult => {
  const open: string[] = [];
  const walk = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) open.push(relative(dataDir, path) || '.');
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  try {
    walk(dataDir);
  } catch (error) {
    return warn(
      'data files',
      `cannot read all of ${dataDir}: ${(error as Error).message}`,
      `sudo chown -R loyalty:loyalty ${dataDir}`,
    );
  }
  if (open.length === 0) return ok('data files', `${dataDir}: every file is private (0600, folders 0700)`);
  const shown = open.slice(0, 5).join(', ') + (open.length > 5 ? ` and ${open.length - 5} more` : '');
  return warn(
    'data files',
    `readable by others: ${shown}`,
    `sudo systemctl restart loyalty-edge (it makes them private), or chmod -R go= ${dataDir}`,
  );
};

/** Secrets are 0600 by construction; a copy or a chmod by hand can widen them. */
const secretModes = (dataDir: string): DoctorResult[] => {
  const dir = join(dataDir, 'secrets');
  if (!existsSync(dir)) return [];
  const open = readdirSync(dir).filter((name) => (statSync(join(dir, name)).mode & 0o077) !== 0);
  if (open.length === 0) return [ok('secrets', `${dir}: every file is private (0600)`)];
  return [
    fail('secrets', `readable by others: ${open.join(', ')}`, `chmod 600 ${dir}/* && chmod 700 ${dir}`),
  ];
};

export const checkProgram = async (config: Config): Promise<DoctorResult> => {
  if (!existsSync(config.program))
    return fail(
      'program',
      `no program file at ${config.program}`,
      'copy the program there, or enroll with head office (it sends one)',
    );
  const checked = await loadProgramFile(config.program);
  if (checked.ok) return ok('program', `${config.program} is valid`);
  const first = checked.problems
    .slice(0, 3)
    .map((p) => `${p.path}: ${p.message}`)
    .join('; ');
  return fail(
    'program',
    `${config.program} is not valid: ${first}`,
    `loyalty-edge program check ${config.program}`,
  );
};

/** quick_check then the ledger's own balance recomputation, both read-only (the gateway may run). */
export const checkDatabase = (config: Config): DoctorResult[] => {
  const path = join(config.dataDir, 'store.db');
  if (!existsSync(path))
    return [warn('database', `no database yet at ${path} (the gateway creates it at first start)`)];
  const restore =
    'stop the gateway, restore the last backup over store.db (see docs/troubleshooting.md), start it';
  let quick: string;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      quick = db.prepare('PRAGMA quick_check').pluck().all().join('; ');
    } finally {
      db.close();
    }
  } catch (error) {
    return [fail('database', `cannot open ${path}: ${(error as Error).message}`, restore)];
  }
  if (quick !== 'ok') return [fail('database', `SQLite quick_check: ${quick.slice(0, 200)}`, restore)];
  const results = [ok('database', `${path}: SQLite quick_check ok`)];
  try {
    const ledger = new Ledger(openDatabase(path, { readonly: true }));
    try {
      const problems = ledger.verify();
      results.push(
        problems.length === 0
          ? ok('ledger', 'ledger verify: every balance matches its entries')
          : fail(
              'ledger',
              `ledger verify: ${problems.length} problem(s), first: ${problems[0]?.code}: ${problems[0]?.message}`,
              `loyalty-edge ledger verify --config ${config.configPath ?? 'FILE'}; keep the file and report it`,
            ),
      );
    } finally {
      ledger.close();
    }
  } catch (error) {
    results.push(
      fail(
        'ledger',
        `ledger verify could not run: ${(error as Error).message}`,
        'start the gateway once (it migrates the database), then run doctor again',
      ),
    );
  }
  return results;
};
