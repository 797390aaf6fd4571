import { parseArgs } from 'node:util';
import { CodedError } from '../core/errors.ts';

/** Exit codes: 0 done, 1 the command ran and found a problem, 2 bad input (flags, config, files). */
export const EXIT = { ok: 0, failed: 1, invalid: 2 } as const;

export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** A progress line: rewritten in place on a terminal, printed now and then otherwise. */
  progress(line: string): void;
}

/** A command as the list knows it: loaded only when it runs, so `help` and each command start fast. */
export interface CommandEntry {
  words: string[];
  usage: string;
  summary: string;
  load(): Promise<Command>;
}

export interface Command {
  /** Words that name it: `['members', 'import']`. */
  words: string[];
  usage: string;
  summary: string;
  run(args: string[], io: Output): Promise<number>;
}

/** A wrong flag or argument: exits 2 with the usage. */
export class UsageError extends CodedError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** node:util parseArgs, strict, with its errors turned into UsageErrors that name the flag. */
export const parseFlags = <T extends FlagSpec>(args: string[], options: T, positionals: number) => {
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
    if (parsed.positionals.length > positionals)
      throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`);
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
};

export const requirePositional = (positionals: string[], index: number, name: string): string => {
  const value = positionals[index];
  if (value === undefined) throw new UsageError(`missing ${name}`);
  return value;
};
