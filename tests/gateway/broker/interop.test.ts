/**
 * A till vendor's view: the Mosquitto command-line clients against the embedded broker,
 * as docs/till-guide.md shows them.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, secretOf, startHarness } from './helpers.ts';

const run = promisify(execFile);

describe('interop with mosquitto_pub / mosquitto_sub (MQTT 3.1.1)', () => {
  let h: Harness;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill();
    await h.cleanup();
  });

  const auth = (id: string, password = secretOf(id)): string[] => [
    ...`-h 127.0.0.1 -p ${h.broker.ports.mqtt} -V mqttv311 -I ${id}- -u`.split(' '),
    id,
    '-P',
    password,
  ];

  it('a till does a request/response with till credentials', async () => {
    // -d prints the SUBACK, so the request goes out only once the response topic is
    // subscribed; stdbuf makes that line arrive now rather than at exit (stdout is a pipe).
    const subArgs = [
      ...auth('till-01'),
      ...'-d -q 1 -t loyalty/v1/till/till-01/res/# -C 1 -W 10 -v'.split(' '),
    ];
    const sub = spawn('stdbuf', ['-oL', 'mosquitto_sub', ...subArgs]);
    children.push(sub);
    let out = '';
    sub.stdout.setEncoding('utf8');
    const subscribed = new Promise<void>((resolve) => {
      sub.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('SUBACK')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => sub.once('exit', resolve));
    await subscribed;

    const request = '{"requestId":"mosq-1","card":{"uid":"04A1B2C3D4E5F6"}}';
    const pubArgs = [...auth('till-01'), ...'-q 1 -t loyalty/v1/till/till-01/req/identify -m'.split(' ')];
    await run('mosquitto_pub', [...pubArgs, request]);
    expect(await exited).toBe(0);

    const line = out.split('\n').find((l) => l.startsWith('loyalty/v1/till/till-01/res/identify '));
    expect(line).toBeDefined();
    const response = JSON.parse(line!.slice('loyalty/v1/till/till-01/res/identify '.length));
    expect(response).toMatchObject({ requestId: 'mosq-1', ok: true, op: 'identify', clientId: 'till-01' });
  });

  it('mosquitto_sub with a wrong password is refused', async () => {
    const args = [...auth('till-01', 'wrong'), ...'-t loyalty/v1/till/till-01/res/# -C 1 -W 5'.split(' ')];
    const refused = run('mosquitto_sub', args);
    await expect(refused).rejects.toMatchObject({ stderr: expect.stringMatching(/not authori[sz]ed/i) });
  });
});
