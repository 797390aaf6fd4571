import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEMO_PROGRAM, testConfigValue } from '../fakes/gateway-fixture.ts';

/**
 * The JSON Schemas editors use (docs/configuration.md#editor-support), read by a JSON
 * Schema validator as an editor's language server would: real files pass, a typo or a
 * wrong type is flagged at its key.
 */
const schema = (name: string): object =>
  JSON.parse(readFileSync(new URL(`../../docs/schemas/${name}`, import.meta.url), 'utf8')) as object;
// Formats (uri) are left to the product's own check; editors differ on them.
const validator = (name: string) =>
  new Ajv({ allErrors: true, validateFormats: false }).compile(schema(name));

describe('editor JSON Schemas (docs/schemas)', () => {
  it('program.schema.json accepts the demo program and flags a misspelt key and a wrong type', () => {
    const validate = validator('program.schema.json');
    const demo = parse(readFileSync(DEMO_PROGRAM, 'utf8')) as Record<string, unknown>;
    expect(validate(demo), JSON.stringify(validate.errors)).toBe(true);

    const typo = { ...demo, redemption: { pinRequire: true } };
    expect(validate(typo)).toBe(false);
    expect(validate.errors).toContainEqual(
      expect.objectContaining({ instancePath: '/redemption', params: { additionalProperty: 'pinRequire' } }),
    );
    expect(validate({ ...demo, version: '7' })).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain('/version');
  });

  it('config.schema.json accepts a store config and flags a misspelt key', () => {
    const validate = validator('config.schema.json');
    const config = testConfigValue('/var/lib/loyalty-edge');
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...config, hq: { url: 'https://hq.example', deviceId: 'yerevan-1' } })).toBe(true);

    expect(validate({ ...config, mqtt: { prot: 1883 } })).toBe(false);
    expect(validate.errors).toContainEqual(
      expect.objectContaining({ instancePath: '/mqtt', params: { additionalProperty: 'prot' } }),
    );
    expect(validate({ ...config, readers: [{ id: 'r1', driver: 'pn532' }] })).toBe(false);
  });

  it('hq-config.schema.json accepts a head-office config and flags a misspelt key', () => {
    const validate = validator('hq-config.schema.json');
    expect(validate({ dataDir: './hq-data', hq: { port: 8443, database: 'postgres://hq@db/hq' } })).toBe(
      true,
    );
    expect(validate({ hq: { prot: 8443 } })).toBe(false);
  });
});
