import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Config, loadConfigFile } from '../config/load.ts';
import { ValidationError } from '../core/errors.ts';
import { ensureDemoConfig } from '../demo/demo-config.ts';
import { loadProgramFile } from '../program/load.ts';
import type { Program } from '../program/schema.ts';

/** Where the embedded demo keeps its data when no --config is given (docs/protocol.md §3). */
export const DEMO_DATA_DIR = './data';

/** `--config FILE`, or the embedded demo's config in ./data (created on first use). */
export const resolveConfig = (configFlag: string | undefined): { config: Config; demoCreated: boolean } => {
  if (configFlag !== undefined) return { config: loadConfigFile(configFlag), demoCreated: false };
  const { configPath, created } = ensureDemoConfig(resolve(DEMO_DATA_DIR));
  return { config: loadConfigFile(configPath), demoCreated: created };
};

/** The config's program, checked; a broken one stops the command with every problem listed. */
export const loadStoreProgram = async (config: Config): Promise<Program> => {
  if (!existsSync(config.program))
    throw new ValidationError('config', [
      { path: 'program', message: `no program file at ${config.program}` },
    ]);
  const checked = await loadProgramFile(config.program);
  if (!checked.ok) throw new ValidationError(`program ${config.program}`, checked.problems);
  return checked.program;
};

export { openStoreLedger } from '../store-ledger.ts';
