/**
 * Every shipped flow (flows/examples/*.json) in a real Node-RED 4.1 process started with
 * the device settings, against a real gateway; SMS, member directory and manager report
 * are a loopback HTTP server.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { exampleFor } from './support/example-flows.ts';
import { type FakeHttp, startFakeHttp } from './support/fake-http.ts';
import { type GatewayFixture, SECRETS, startGateway } from './support/gateway-fixture.ts';
import { connectTill, saleBody } from './support/mqtt-clients.ts';
import { type FlowNode, type NodeRed, startNodeRed } from './support/node-red-process.ts';

const CREDENTIALS = { 'loyalty-gateway-local': { secret: SECRETS.nodeRed } };

/** The member directory the notification flow looks phones up in (the demo members). */
const DIRECTORY: Record<string, { phone: string; language: string; displayName: string }> = {
  'M-1002': { phone: '+37491100002', language: 'hy', displayName: 'Արամ' },
  'M-1003': { phone: '+989121000003', language: 'fa', displayName: 'Sara' },
  'M-1006': { phone: '+79161000006', language: 'ru', displayName: 'Нина' },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The store's local day, as the flows compute it. */
const yerevanDay = (d = new Date()) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Yerevan' }).format(d);

describe('example flows in Node-RED 4.1 against the gateway', () => {
  let fx: GatewayFixture;
  let fake: FakeHttp;
  let red: NodeRed;
  const files = makeTempDir('loyalty-flow-files-');
  const membersCsv = files.file('members.csv');

  /** Deploys and waits until Node-RED's new gateway connection is up and subscribed. */
  const deploy = async (flows: FlowNode[]): Promise<void> => {
    const before = fx.gateway.broker.metrics().connections;
    await red.deploy(flows, CREDENTIALS);
    // A config node connects only when a loyalty node uses it (the birthday flow has none).
    if (!flows.some((n) => n.type.startsWith('loyalty-') && n.type !== 'loyalty-gateway')) return;
    const until = Date.now() + 10_000;
    while (fx.gateway.broker.metrics().connections <= before) {
      if (Date.now() > until) throw new Error(`Node-RED did not connect to the gateway\n${red.output()}`);
      await sleep(25);
    }
    await sleep(400); // its SUBSCRIBEs follow the CONNACK on the same socket
  };

  beforeAll(async () => {
    fx = await startGateway();
    fake = await startFakeHttp({
      '/members/': (req) => {
        const id = decodeURIComponent(req.path.slice('/members/'.length));
        const m = DIRECTORY[id];
        return m ? { status: 200, body: m } : { status: 404, body: { error: 'unknown member' } };
      },
    });
    red = await startNodeRed({
      LOYALTY_SMS_URL: `${fake.url}/sms`,
      LOYALTY_SMS_TOKEN: 'sms-token',
      LOYALTY_MEMBER_LOOKUP_URL: `${fake.url}/members/{memberId}`,
      LOYALTY_MANAGER_REPORT_URL: `${fake.url}/report`,
      LOYALTY_MANAGER_EMAIL: 'manager@example.am',
      LOYALTY_MEMBERS_CSV: membersCsv,
      LOYALTY_STORE_NAME: 'Pharmacy 1',
    });
  }, 60_000);

  afterAll(async () => {
    await red?.stop();
    await fake?.close();
    await fx?.stop();
    files.remove();
  });

  beforeEach(() => {
    fake.requests.length = 0;
  });

  describe('HTTP till adapter', () => {
    const post = async (op: string, body: unknown) => {
      const res = await fetch(`${red.url}/till/${op}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    it('posts a sale in the ledger and answers with the earned points; returns and identify too', async () => {
      await deploy(exampleFor('http-till-adapter', fx.mqttPort));
      const points = () => fx.gateway.ledger.balance({ member: 'M-1003' }, 'points');
      const before = points();

      const id = await post('identify', { card: { uid: '0A1B2C3D' } });
      expect(id.status).toBe(200);
      expect(id.body).toMatchObject({ ok: true, member: { id: 'M-1003', language: 'fa' } });

      const sale = await post(
        'sale',
        saleBody('S-HTTP-1', '0A1B2C3D', [
          { sku: 'VIT-C-500', productGroup: 'vitamins', qty: 2, unitPrice: 250_000 },
        ]),
      );
      expect(sale.status).toBe(200);
      expect(sale.body.ok).toBe(true);
      const earned = sale.body.earned as { points: number; credit: number };
      expect(earned.points).toBeGreaterThan(0);
      expect(points()).toBe(before + earned.points);

      const back = await post('return', {
        returnId: 'R-HTTP-1',
        saleId: 'S-HTTP-1',
        at: new Date().toISOString(),
        all: true,
      });
      expect(back.status).toBe(200);
      // The first-purchase bonus stays; the return takes back what the lines earned.
      expect(points()).toBe(before + earned.points - (back.body.reversed as { points: number }).points);
    });

    it('maps refusals to HTTP statuses and keeps the secret out of the flow files', async () => {
      await deploy(exampleFor('http-till-adapter', fx.mqttPort));
      const unknown = await post(
        'sale',
        saleBody('S-HTTP-2', 'FFFFFFFF', [{ sku: 'X', qty: 1, unitPrice: 100 }]),
      );
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ ok: false, error: { code: 'CARD_UNKNOWN' } });
      const invalid = await post('sale', { saleId: 'S-HTTP-3' });
      expect(invalid.status).toBe(400);
      expect(invalid.body).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });

      const flowFile = readFileSync(`${red.userDir}/flows.json`, 'utf8');
      const credFile = readFileSync(`${red.userDir}/flows_cred.json`, 'utf8');
      expect(flowFile).not.toContain(SECRETS.nodeRed);
      expect(credFile).not.toContain(SECRETS.nodeRed); // encrypted with credentialSecret
      expect(JSON.parse(credFile)).toHaveProperty('$');
    });
  });

  it('the runtime has no palette install endpoint, loads the loyalty nodes from flows/ and lists the examples', async () => {
    const install = await red.admin('/nodes', {
      method: 'POST',
      body: JSON.stringify({ module: 'node-red-contrib-anything' }),
    });
    expect(install.status).toBe(404);
    const nodes = (await (
      await red.admin('/nodes', { headers: { accept: 'application/json' } })
    ).json()) as Array<{
      module: string;
      types: string[];
      enabled: boolean;
    }>;
    const ours = nodes.filter((n) => n.module === '@loyalty-edge/node-red-loyalty');
    expect(ours.flatMap((n) => n.types).sort()).toEqual([
      'loyalty-event',
      'loyalty-gateway',
      'loyalty-request',
      'loyalty-tap',
    ]);
    expect(ours.every((n) => n.enabled)).toBe(true);
    // The editor's Import → Examples lists the shipped flows.
    const examples = await red.admin('/library/examples/flows/@loyalty-edge/node-red-loyalty');
    expect(((await examples.json()) as Array<{ fn: string }>).map((e) => e.fn)).toEqual([
      'birthday-greeting',
      'cashback-notification',
      'daily-summary',
      'http-till-adapter',
      'serial-till-adapter',
    ]);
  });

  it('serial-line till adapter (through a ser2net-style TCP port): a JSON line in, the response line out', async () => {
    const sockets = new Set<Socket>();
    let connected: (socket: Socket) => void = () => {};
    const till = new Promise<Socket>((r) => {
      connected = r;
    });
    const ser2net: Server = createServer((socket) => {
      sockets.add(socket);
      connected(socket);
    });
    await new Promise<void>((r) => ser2net.listen(0, '127.0.0.1', () => r()));
    const port = (ser2net.address() as { port: number }).port;
    try {
      await deploy(
        exampleFor('serial-till-adapter', fx.mqttPort, (n) =>
          n.type === 'tcp in' ? { ...n, port: String(port) } : n,
        ),
      );
      const socket = await till;
      const lines: string[] = [];
      let buffered = '';
      socket.on('data', (d: Buffer) => {
        buffered += d.toString('utf8');
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        lines.push(...parts);
      });
      const nextLine = async (n: number) => {
        const until = Date.now() + 10_000;
        while (lines.length < n) {
          if (Date.now() > until) throw new Error(`no response line ${n}\n${red.output()}`);
          await sleep(20);
        }
        return JSON.parse(lines[n - 1]!) as Record<string, unknown>;
      };

      socket.write(`${JSON.stringify({ op: 'identify', card: { uid: '04A1B2C3' } })}\n`);
      expect(await nextLine(1)).toMatchObject({ ok: true, member: { id: 'M-1001' } });

      const sale = {
        op: 'sale',
        ...saleBody('S-SER-1', '04A1B2C3', [{ sku: 'A', qty: 1, unitPrice: 1_000_000 }]),
      };
      socket.write(`${JSON.stringify(sale)}\n`);
      const answer = await nextLine(2);
      expect(answer).toMatchObject({ ok: true, saleId: 'S-SER-1' });
      expect((answer.earned as { points: number }).points).toBeGreaterThan(0);

      socket.write('this is not json\n');
      expect(await nextLine(3)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => ser2net.close(() => r()));
    }
  });

  it('cashback notification: a pensioner buying otc gets exactly one SMS, in Armenian', async () => {
    await deploy(exampleFor('cashback-notification', fx.mqttPort));
    const till = await connectTill(fx.mqttUrl, 'till-01', SECRETS.till);
    try {
      // Not a pensioner: points, no cashback, no SMS.
      const plain = await till.request(
        'sale',
        saleBody('S-CB-0', '0A1B2C3D', [
          { sku: 'ASPIRIN', productGroup: 'otc', qty: 1, unitPrice: 1_000_000 },
        ]),
      );
      expect(plain).toMatchObject({ ok: true, earned: { credit: 0 } });

      // program.yaml otc-cashback: 2 % of otc lines for customer group pensioner.
      const sale = await till.request(
        'sale',
        saleBody('S-CB-1', '04A1B2C3D4E5F6', [
          { sku: 'ASPIRIN', productGroup: 'otc', qty: 1, unitPrice: 1_000_000 },
          { sku: 'SOAP', productGroup: 'hygiene', qty: 1, unitPrice: 500_000 },
        ]),
      );
      expect(sale.ok).toBe(true);
      const credit = (sale.earned as { credit: number }).credit;
      expect(credit).toBe(20_000); // 2 % of 10 000 AMD, in minor units
      const upgraded = sale.tierChanged === true;

      const sms = await fake.waitFor('/sms', 1);
      await sleep(1_000); // nothing else follows
      const cashback = fake.to('/sms').filter((r) => (r.body as { kind: string }).kind === 'cashback');
      expect(cashback).toHaveLength(1);
      expect(fake.to('/sms')).toHaveLength(upgraded ? 2 : 1);
      expect(sms[0]!.headers.authorization).toBe('Bearer sms-token');
      const body = cashback[0]!.body as { to: string; language: string; text: string; memberId: string };
      expect(body).toMatchObject({ to: '+37491100002', language: 'hy', memberId: 'M-1002' });
      expect(body.text).toContain('քեշբեք');
      expect(body.text).toMatch(/200/);
      expect(fake.to('/members/M-1002').length).toBeGreaterThanOrEqual(1);
    } finally {
      await till.close();
    }
  });

  it('birthday greeting: the 09:00 run sends one SMS per member born today, in their language', async () => {
    const today = yerevanDay();
    const tomorrow = yerevanDay(new Date(Date.now() + 86_400_000));
    const header = readFileSync(new URL('../../gateway/demo/members.csv', import.meta.url), 'utf8').split(
      '\n',
    )[0];
    writeFileSync(
      membersCsv,
      [
        header,
        `M-2001,11223344,Ольга,Петрова,+79160000001,,1970-${today.slice(5)},,ru,,,0,0`,
        'M-2001,55667788,,,,,,,,,,,',
        `M-2002,22334455,Արմեն,Հակոբյան,+37491000002,,1980-${tomorrow.slice(5)},,hy,,,0,0`,
        `M-2003,33445566,Emma,Nophone,,,1990-${today.slice(5)},,en,,,0,0`,
        '',
      ].join('\n'),
    );
    await deploy(exampleFor('birthday-greeting', fx.mqttPort));
    await red.inject('bday-daily');
    const [sms] = await fake.waitFor('/sms', 1);
    await sleep(500);
    expect(fake.to('/sms')).toHaveLength(1);
    expect(sms!.body).toMatchObject({
      to: '+79160000001',
      language: 'ru',
      kind: 'birthday',
      memberId: 'M-2001',
    });
    expect((sms!.body as { text: string }).text).toBe('Ольга, с днём рождения! Всего доброго, Pharmacy 1.');
  });

  it('daily summary: the closing-time run reports the day’s sales, returns, points and cashback', async () => {
    await deploy(exampleFor('daily-summary', fx.mqttPort));
    const till = await connectTill(fx.mqttUrl, 'till-01', SECRETS.till);
    let points = 0;
    let credit = 0;
    try {
      for (const [saleId, uid] of [
        ['S-DAY-1', '04DEAD00BEEF42'],
        ['S-DAY-2', '04DEAD00BEEF42'],
        ['S-DAY-3', '3D4E5F60'],
      ] as const) {
        const sale = await till.request(
          'sale',
          saleBody(saleId, uid, [{ sku: 'ASPIRIN', productGroup: 'otc', qty: 3, unitPrice: 400_000 }]),
        );
        expect(sale.ok).toBe(true);
        points += (sale.earned as { points: number }).points;
        credit += (sale.earned as { credit: number }).credit;
      }
      const back = await till.request('return', {
        returnId: 'R-DAY-1',
        saleId: 'S-DAY-3',
        at: new Date().toISOString(),
        all: true,
      });
      expect(back.ok).toBe(true);
    } finally {
      await till.close();
    }
    // The four events reached the flow's context (admin API), then the manager presses "closing time".
    const until = Date.now() + 10_000;
    for (;;) {
      const res = await red.admin('/context/flow/summary-tab');
      const text = JSON.stringify(await res.json());
      if (text.includes('\\"returns\\":1') || text.includes('"returns":1')) break;
      if (Date.now() > until) throw new Error(`summary never saw the return: ${text}`);
      await sleep(100);
    }
    await red.inject('summary-close');
    const [report] = await fake.waitFor('/report', 1);
    const body = report!.body as {
      to: string;
      subject: string;
      text: string;
      totals: Record<string, unknown>;
    };
    expect(body.to).toBe('manager@example.am');
    expect(body.totals).toMatchObject({
      day: yerevanDay(),
      sales: 3,
      returns: 1,
      members: 2,
      points,
      credit,
    });
    expect(credit).toBeGreaterThan(0); // Нина is a pensioner: 2 % of 12 000 AMD otc, twice
    expect(body.text).toContain('Member sales: 3 (2 members)');
  });
});
