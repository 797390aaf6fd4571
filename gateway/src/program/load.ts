/**
 * Loading a program file (YAML or JSON, same structure — docs/program.md). Parsing errors are
 * reported as problems too, so `program check FILE` has one output shape.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { checkProgram, type ProgramCheck } from './check.ts';

export type ProgramFormat = 'yaml' | 'json';

/** Parses text (YAML unless told JSON; JSON is valid YAML anyway) and checks it. */
export function loadProgram(text: string, format: ProgramFormat = 'yaml'): ProgramCheck {
  let value: unknown;
  try {
    value = format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const where =
      error instanceof YAMLParseError && error.linePos ? `line ${error.linePos[0].line}` : '(file)';
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { ok: false, problems: [{ path: where, message: `not valid ${format}: ${message}` }] };
  }
  return checkProgram(value);
}

export async function loadProgramFile(path: string): Promise<ProgramCheck> {
  const text = await readFile(path, 'utf8');
  return loadProgram(text, extname(path).toLowerCase() === '.json' ? 'json' : 'yaml');
}
