import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema } from '../../gateway/src/config/schema.ts';
import { ERROR_CODES } from '../../gateway/src/contract/errors.ts';
import { KIOSK_OP_SCHEMAS, TILL_OP_SCHEMAS } from '../../gateway/src/contract/schemas/index.ts';
import { EVENT_TYPES } from '../../gateway/src/contract/topics.ts';
import { programSchema } from '../../gateway/src/program/schema.ts';
import { tillOps } from '../../gateway/src/tills/ops/index.ts';
import { hqConfigSchema } from '../../hq/src/config.ts';
import { staleContractFiles } from '../../provisioning/src/contract-files.ts';
import { keyPaths } from './key-paths.ts';

/**
 * The contract documents under docs/ against what the code knows: every op, error code,
 * event type and config or program key comes from the code's own registries and schemas,
 * so adding one without documenting it fails here, naming it.
 */
const ROOT = new URL('../../', import.meta.url);
const doc = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');
const protocol = doc('docs/protocol.md');
const program = doc('docs/program.md');
const configuration = doc('docs/configuration.md');

/** The table row documenting `op` (`| \`op\` ...`), following `as \`other\`` to that op's row. */
const opRow = (op: string): string | null => {
  const row = protocol.split('\n').find((line) => line.startsWith(`| \`${op}\``)) ?? null;
  const alias = row && /\| as `([a-z-]+)` \|/.exec(row);
  return alias ? `${row} ${opRow(alias[1]!) ?? ''}` : row;
};

const documented = (text: string, path: string): boolean => text.includes(`\`${path}\``);

/** Keys whose schema is a display name in the four languages: documented as *names*, once. */
const isLanguageLeaf = (path: string): boolean => /\.(en|hy|fa|ru)$/.test(path);

const jsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' });

describe('docs/protocol.md documents every op, field, error code and event the gateway knows', () => {
  const ops = [
    ...Object.entries(TILL_OP_SCHEMAS).map(([op, s]) => ({ role: 'till', op, ...s })),
    ...Object.entries(KIOSK_OP_SCHEMAS).map(([op, s]) => ({ role: 'kiosk', op, ...s })),
  ];

  it('has a table row for every till op the gateway handles, and every kiosk op', () => {
    // The handler registry and the schema registry name the same till ops.
    expect(Object.keys(tillOps).sort()).toEqual(Object.keys(TILL_OP_SCHEMAS).sort());
    const missing = ops.filter(({ op }) => opRow(op) === null).map(({ role, op }) => `${role} op ${op}`);
    expect(missing, 'ops missing from the op tables of docs/protocol.md').toEqual([]);
  });

  it("names every request and ok-response field of each op in the op's row", () => {
    const missing: string[] = [];
    for (const { role, op, request, result } of ops) {
      const row = opRow(op) ?? '';
      for (const [kind, schema] of [
        ['request', request],
        ['response', result],
      ] as const)
        for (const field of Object.keys(schema.shape))
          if (!new RegExp(`\\b${field}\\b`).test(row))
            missing.push(`${role} op ${op}: ${kind} field ${field}`);
    }
    expect(missing, 'fields missing from the op rows of docs/protocol.md').toEqual([]);
  });

  it('has a row for every error code', () => {
    const missing = ERROR_CODES.filter((code) => !protocol.includes(`| \`${code}\` |`));
    expect(missing, 'error codes missing from the error table of docs/protocol.md').toEqual([]);
  });

  it('names every event type', () => {
    const missing = EVENT_TYPES.filter((type) => !documented(protocol, type));
    expect(missing, 'event types missing from docs/protocol.md').toEqual([]);
  });
});

describe('docs/configuration.md and docs/program.md document every key of their schemas', () => {
  it('every store gateway config key', () => {
    const missing = keyPaths(jsonSchema(configSchema)).filter((path) => !documented(configuration, path));
    expect(missing, 'store config keys missing from docs/configuration.md').toEqual([]);
  });

  it('every head-office config key', () => {
    const missing = keyPaths(jsonSchema(hqConfigSchema)).filter((path) => !documented(configuration, path));
    expect(missing, 'hq config keys missing from docs/configuration.md').toEqual([]);
  });

  it('every program file key', () => {
    const paths = keyPaths(jsonSchema(programSchema));
    expect(paths).toContain('redemption.holdMinutes');
    const missing = paths.filter((path) => !isLanguageLeaf(path) && !documented(program, path));
    expect(missing, 'program keys missing from the field reference of docs/program.md').toEqual([]);
  });
});

describe('the generated contract files', () => {
  it('docs/asyncapi.yaml and docs/schemas/*.json are what the schemas generate now', () => {
    expect(staleContractFiles(), 'stale contract files: run npm run contracts').toEqual([]);
  });

  it('nothing in the repository cites contracts outside it', () => {
    let tracked = '';
    try {
      tracked = execFileSync(
        'git',
        ['grep', '-l', '-I', 'shared/spec', '--', '.', ':!tests/contracts/contract-docs.test.ts'],
        {
          cwd: ROOT,
          encoding: 'utf8',
        },
      );
    } catch (error) {
      // git grep exits 1 when nothing matches: the passing case.
      if ((error as { status?: number }).status !== 1) throw error;
    }
    expect(tracked.split('\n').filter(Boolean), 'files citing shared/spec instead of docs/').toEqual([]);
  });
});
