import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type GatewayFixture, startGateway, testConfigValue } from '../../fakes/gateway-fixture.ts';
import { BIN, cli } from './run-cli.ts';

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await startGateway();
});
afterAll(async () => {
  await fx.stop();
});

describe('loyalty-edge till-sim', () => {
  it('publishes realistic sales that the gateway answers and posts', async () => {
    const config = join(fx.dir.path, 'sim.yaml');
    writeFileSync(config, stringify(testConfigValue(join(fx.dir.path, 'unused'))));
    const before = fx.gateway.ledger.lastSeq();
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          BIN,
          'till-sim',
          '--config',
          config,
          '--port',
          String(fx.gateway.ports.mqtt),
          '--rate',
          '50',
          '--count',
          '10',
        ],
        { cwd: fx.dir.path },
      );
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
      });
      child.on('exit', (code) => resolve({ code, stdout }));
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/till-sim: 10 sales, 10 ok, 0 refused, 0 unanswered/);
    expect(fx.gateway.ledger.lastSeq()).toBeGreaterThan(before);
    expect(fx.gateway.ledger.verify()).toEqual([]);
  });

  it('names a bad flag', () => {
    const r = cli(['till-sim', '--rate', 'fast'], fx.dir.path);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--rate: "fast" must be a positive number');
  });
});
