/**
 * The loyalty nodes in Node-RED's own test harness (node-red-node-test-helper) against a
 * real gateway: config node credentials, till requests and responses, event filtering by
 * type, external reader taps.
 */
import helper, { type TestNode } from 'node-red-node-test-helper';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../gateway/broker/helpers.ts';
import { type GatewayFixture, SECRETS, startGateway } from './support/gateway-fixture.ts';
import { connectTill, saleBody } from './support/mqtt-clients.ts';
import { allLoyaltyNodes, loyaltyNodes, NODE_RED_PATH } from './support/nodes.ts';

helper.init(NODE_RED_PATH);

type Msg = Record<string, unknown> & { payload: Record<string, unknown> };

const gatewayConfig = (port: number, id = 'node-red') => ({
  id: 'gw',
  type: 'loyalty-gateway',
  host: '127.0.0.1',
  port,
  integrationId: id,
});

/** The next message a helper node receives. */
const nextMsg = (node: TestNode, timeoutMs = 5_000): Promise<Msg> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${node.id}: no message within ${timeoutMs} ms`)),
      timeoutMs,
    );
    node.once('input', (msg: Msg) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });

/** Collects every message a helper node receives. */
const collect = (node: TestNode): Msg[] => {
  const seen: Msg[] = [];
  node.on('input', (msg: Msg) => seen.push(msg));
  return seen;
};

/** Resolves when the node's status text is `text` (the connection is shared and async). */
const statusBecomes = (node: TestNode, text: string, timeoutMs = 5_000): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${node.id}: status never "${text}"`)), timeoutMs);
    const onStatus = (call: { args: Array<{ text?: string }> }) => {
      if (call.args[0]?.text !== text) return;
      clearTimeout(timer);
      node.off('call:status', onStatus);
      resolve();
    };
    node.on('call:status', onStatus);
  });

const waitFor = async (check: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('loyalty nodes (node-red-node-test-helper)', () => {
  let fx: GatewayFixture;

  beforeAll(async () => {
    fx = await startGateway();
  });
  afterAll(async () => {
    await fx?.stop();
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('loads every node and keeps the secret as a credential', async () => {
    await helper.startServer();
    await helper.load(
      allLoyaltyNodes,
      [
        gatewayConfig(fx.mqttPort),
        {
          id: 'req',
          type: 'loyalty-request',
          gateway: 'gw',
          till: 'till-http',
          op: 'identify',
          wires: [[], []],
        },
        { id: 'ev', type: 'loyalty-event', gateway: 'gw', eventType: 'ledger.posted', wires: [[]] },
        { id: 'tap', type: 'loyalty-tap', gateway: 'gw', reader: 'reader-ext' },
      ],
      { gw: { secret: SECRETS.nodeRed } },
    );
    const gw = helper.getNode('gw');
    expect(gw.credentials).toEqual({ secret: SECRETS.nodeRed });
    expect(gw.integrationId).toBe('node-red');
    // The secret is not a node property, so it never ends up in an exported flow.
    expect(JSON.stringify({ ...gw, credentials: undefined, connection: undefined })).not.toContain(
      SECRETS.nodeRed,
    );
    for (const id of ['req', 'ev', 'tap']) expect(helper.getNode(id).type).toMatch(/^loyalty-/);
    const ev = helper.getNode('ev');
    if ((gw.connection as { state: string }).state !== 'connected') await statusBecomes(ev, 'connected');
  });

  it('shows "not authorized" with a wrong secret, and "no secret set" without one', async () => {
    await helper.startServer();
    await helper.load(
      allLoyaltyNodes,
      [
        gatewayConfig(fx.mqttPort),
        { ...gatewayConfig(fx.mqttPort), id: 'gw2' },
        { id: 'ev', type: 'loyalty-event', gateway: 'gw', eventType: '#', wires: [[]] },
        { id: 'ev2', type: 'loyalty-event', gateway: 'gw2', eventType: '#', wires: [[]] },
      ],
      { gw: { secret: 'wrong' } },
    );
    await statusBecomes(helper.getNode('ev'), 'not authorized');
    expect((helper.getNode('gw2').connection as { state: string }).state).toBe('unconfigured');
  });

  it('shows disconnected when the gateway goes away and reconnects when it is back', async () => {
    let broker = await startHarness();
    const port = broker.broker.ports.mqtt!;
    try {
      await helper.startServer();
      await helper.load(
        allLoyaltyNodes,
        [
          gatewayConfig(port),
          {
            id: 'req',
            type: 'loyalty-request',
            gateway: 'gw',
            till: 'till-http',
            op: 'identify',
            wires: [['ok'], []],
          },
          { id: 'ok', type: 'helper' },
        ],
        { gw: { secret: 'node-red-secret' } },
      );
      const req = helper.getNode('req');
      const connection = helper.getNode('gw').connection as { state: string };
      await waitFor(() => connection.state === 'connected');
      const first = nextMsg(helper.getNode('ok'));
      req.receive({ payload: { card: { uid: '04A1B2C3' } } });
      expect((await first).payload.ok).toBe(true);
      const down = statusBecomes(req, 'disconnected');
      await broker.cleanup();
      await down;
      const up = statusBecomes(req, 'connected', 10_000);
      broker = await startHarness({ mqttPort: port });
      await up;
      // The response subscription came back with the connection (resubscribe).
      const answered = nextMsg(helper.getNode('ok'));
      req.receive({ payload: { card: { uid: '04A1B2C3' } } });
      expect((await answered).payload.ok).toBe(true);
    } finally {
      await helper.unload();
      await broker.cleanup();
    }
  });

  describe('loyalty-request', () => {
    const flow = (port: number, extra: Record<string, unknown> = {}) => [
      gatewayConfig(port),
      {
        id: 'req',
        type: 'loyalty-request',
        gateway: 'gw',
        till: 'till-http',
        op: 'identify',
        timeout: 5,
        wires: [['ok'], ['err']],
        ...extra,
      },
      { id: 'ok', type: 'helper' },
      { id: 'err', type: 'helper' },
    ];

    it('answers an op on output 1 with a requestId added, refusals on output 2', async () => {
      await helper.startServer();
      await helper.load(allLoyaltyNodes, flow(fx.mqttPort), { gw: { secret: SECRETS.nodeRed } });
      const req = helper.getNode('req');
      const ok = helper.getNode('ok');
      const err = helper.getNode('err');

      const answered = nextMsg(ok);
      req.receive({ payload: { card: { uid: '04A1B2C3' } }, keep: 'me' });
      const msg = await answered;
      expect(msg.payload.ok).toBe(true);
      expect(msg.payload.requestId).toMatch(/^nr-/);
      expect(msg.requestId).toBe(msg.payload.requestId);
      expect((msg.payload.member as { id: string }).id).toBe('M-1001');
      expect(msg.keep).toBe('me'); // other msg properties (e.g. an HTTP response) pass through

      const refused = nextMsg(err);
      req.receive({ payload: { requestId: 'mine-1', card: { uid: 'FFFFFFFF' } } });
      const bad = await refused;
      expect(bad.payload).toMatchObject({ requestId: 'mine-1', ok: false, error: { code: 'CARD_UNKNOWN' } });
      expect(bad.error).toEqual(bad.payload.error);

      const invalid = nextMsg(err);
      req.receive({ payload: 'not an object' });
      expect((await invalid).payload.error).toMatchObject({ code: 'INVALID_REQUEST' });
    });

    it('takes the op and till from the message when the node has none', async () => {
      await helper.startServer();
      await helper.load(allLoyaltyNodes, flow(fx.mqttPort, { till: '', op: '' }), {
        gw: { secret: SECRETS.nodeRed },
      });
      const ok = nextMsg(helper.getNode('ok'));
      helper
        .getNode('req')
        .receive({ till: 'till-http', op: 'identify', payload: { card: { uid: '0A1B2C3D' } } });
      expect(((await ok).payload.member as { id: string }).id).toBe('M-1003');

      const err = nextMsg(helper.getNode('err'));
      helper.getNode('req').receive({ till: 'till-http', op: 'drop-table', payload: {} });
      expect((await err).payload.error).toMatchObject({ code: 'INVALID_REQUEST' });
    });

    it('says NOT_ALLOWED when the integration may not send till requests', async () => {
      await helper.startServer();
      await helper.load(
        allLoyaltyNodes,
        [...flow(fx.mqttPort).map((n) => (n.id === 'gw' ? { ...n, integrationId: 'read-only' } : n))],
        { gw: { secret: SECRETS.readOnly } },
      );
      const err = nextMsg(helper.getNode('err'));
      helper.getNode('req').receive({ payload: { card: { uid: '04A1B2C3' } } });
      expect((await err).payload.error).toMatchObject({ code: 'NOT_ALLOWED' });
    });

    it('times out on output 2 when no response comes', async () => {
      // A broker whose request handler never answers.
      const silent = await startHarness({ onRequest: () => new Promise(() => {}) });
      try {
        await helper.startServer();
        await helper.load(allLoyaltyNodes, flow(silent.broker.ports.mqtt!, { timeout: 0.3 }), {
          gw: { secret: 'node-red-secret' },
        });
        const err = nextMsg(helper.getNode('err'));
        helper.getNode('req').receive({ payload: { card: { uid: '04A1B2C3' } } });
        expect((await err).payload.error).toMatchObject({ code: 'TIMEOUT' });
      } finally {
        await helper.unload();
        await silent.cleanup();
      }
    });
    it('keeps at most maxInFlight requests outstanding; the rest wait in Node-RED', async () => {
      let now = 0;
      let peak = 0;
      const slow = await startHarness({
        onRequest: async () => {
          peak = Math.max(peak, ++now);
          await new Promise((r) => setTimeout(r, 10));
          now--;
          return { ok: true };
        },
      });
      try {
        await helper.startServer();
        const nodes = flow(slow.broker.ports.mqtt!).map((n) =>
          n.id === 'gw' ? { ...n, maxInFlight: 4 } : n,
        );
        await helper.load(allLoyaltyNodes, nodes, { gw: { secret: 'node-red-secret' } });
        const ok = collect(helper.getNode('ok'));
        for (let i = 0; i < 40; i++)
          helper.getNode('req').receive({ payload: { card: { uid: '04A1B2C3' } } });
        await waitFor(() => ok.length === 40, 10_000);
        expect(peak).toBeGreaterThan(1);
        expect(peak).toBeLessThanOrEqual(4);
      } finally {
        await helper.unload();
        await slow.cleanup();
      }
    });
  });

  it('loyalty-event outputs only the events of its type; # outputs all', async () => {
    await helper.startServer();
    await helper.load(
      allLoyaltyNodes,
      [
        gatewayConfig(fx.mqttPort),
        { id: 'posted', type: 'loyalty-event', gateway: 'gw', eventType: 'ledger.posted', wires: [['p']] },
        { id: 'tier', type: 'loyalty-event', gateway: 'gw', eventType: 'tier.changed', wires: [['t']] },
        { id: 'all', type: 'loyalty-event', gateway: 'gw', eventType: '#', wires: [['a']] },
        { id: 'p', type: 'helper' },
        { id: 't', type: 'helper' },
        { id: 'a', type: 'helper' },
      ],
      { gw: { secret: SECRETS.nodeRed } },
    );
    const posted = collect(helper.getNode('p'));
    const tier = collect(helper.getNode('t'));
    const all = collect(helper.getNode('a'));
    const gw = helper.getNode('gw');
    await waitFor(() => (gw.connection as { state: string }).state === 'connected');
    await new Promise((r) => setTimeout(r, 100)); // the SUBACKs

    // 100 000 AMD at 1 point per 100 AMD: 1 000 points, enough for silver (threshold 1 000).
    const till = await connectTill(fx.mqttUrl, 'till-01', SECRETS.till);
    try {
      const sale = await till.request(
        'sale',
        saleBody('S-EVT-1', '1B2C3D4E', [
          { sku: 'TV-1', productGroup: 'electronics', qty: 1, unitPrice: 10_000_000 },
        ]),
      );
      expect(sale.ok).toBe(true);
      expect(sale.tierChanged).toBeTruthy();
    } finally {
      await till.close();
    }
    await waitFor(() => all.length >= 2 && posted.length >= 1 && tier.length >= 1);
    await new Promise((r) => setTimeout(r, 100)); // nothing else trickles in
    expect(posted.map((m) => m.eventType)).toEqual(['ledger.posted']);
    expect(posted[0]!.payload).toMatchObject({
      type: 'ledger.posted',
      memberId: 'M-1005',
      data: { type: 'sale', saleId: 'S-EVT-1', storeId: 'store-1' },
    });
    expect(tier.map((m) => m.eventType)).toEqual(['tier.changed']);
    expect(tier[0]!.payload).toMatchObject({ memberId: 'M-1005', data: { from: 'bronze', to: 'silver' } });
    expect(all.map((m) => m.eventType).sort()).toEqual(['ledger.posted', 'tier.changed']);
  });

  it('loyalty-tap publishes {uid, at, reader} for an external reader and rejects bad UIDs', async () => {
    const taps: Array<Record<string, unknown>> = [];
    const unsubscribe = await fx.gateway.broker.subscribe('loyalty/v1/reader/+/tap', (topic, payload) =>
      taps.push({ topic, ...JSON.parse(payload.toString('utf8')) }),
    );
    try {
      await helper.startServer();
      await helper.load(
        allLoyaltyNodes,
        [gatewayConfig(fx.mqttPort), { id: 'tap', type: 'loyalty-tap', gateway: 'gw', reader: 'reader-ext' }],
        { gw: { secret: SECRETS.nodeRed } },
      );
      const tap = helper.getNode('tap');
      tap.receive({ payload: { uid: '04:a1:b2:c3' } });
      await waitFor(() => taps.length === 1);
      expect(taps[0]).toMatchObject({
        topic: 'loyalty/v1/reader/reader-ext/tap',
        uid: '04A1B2C3',
        reader: 'reader-ext',
      });
      expect(Number.isNaN(Date.parse(String(taps[0]!.at)))).toBe(false);

      const errored = new Promise<unknown>((resolve) => tap.once('call:error', resolve));
      tap.receive({ payload: { uid: 'not-hex' } });
      await errored;
      await new Promise((r) => setTimeout(r, 100));
      expect(taps).toHaveLength(1);
    } finally {
      await unsubscribe();
    }
  });

  it('the node modules are the ones the package declares', async () => {
    await helper.startServer();
    const { readFile } = await import('node:fs/promises');
    const { FLOWS_DIR } = await import('./support/nodes.ts');
    const pkg = JSON.parse(await readFile(`${FLOWS_DIR}/package.json`, 'utf8')) as {
      'node-red': { nodes: Record<string, string> };
    };
    expect(Object.keys(pkg['node-red'].nodes).sort()).toEqual(
      Object.keys(loyaltyNodes)
        .map((k) => `loyalty-${k}`)
        .sort(),
    );
  });
});
