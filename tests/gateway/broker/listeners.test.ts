import { connect } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, type Harness, secretOf, startHarness } from './helpers.ts';

const EVENT = 'loyalty/v1/events/ledger.posted';

// A trusted publish that no subscription matches is skipped (events on every sale cost aedes'
// whole QoS 1 path); whoever does listen must still get every message.
describe('trusted publishes reach every listener', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.cleanup());

  it('a connected subscriber and an in-process one get the event; none is fine', async () => {
    await h.broker.publish(EVENT, { n: 0 }); // nobody listens: resolves, goes nowhere
    const watcher = await h.connect('watcher');
    await watcher.subscribeAsync('loyalty/v1/events/#', { qos: 1 });
    const got = collect(watcher);
    const inProcess: string[] = [];
    const off = await h.broker.subscribe('loyalty/v1/events/+', (_t, p) => inProcess.push(p.toString()));
    await h.broker.publish(EVENT, { n: 1 });
    await expect.poll(() => got.map((m) => m.payload)).toEqual(['{"n":1}']);
    expect(inProcess).toEqual(['{"n":1}']);
    await watcher.unsubscribeAsync('loyalty/v1/events/#');
    await h.broker.publish(EVENT, { n: 2 });
    expect(inProcess).toEqual(['{"n":1}', '{"n":2}']);
    await off();
  });

  it('a persistent session away when the event is published gets it when it comes back', async () => {
    const options = { clientId: 'watcher', clean: false };
    const first = await h.connect('watcher', options);
    await first.subscribeAsync('loyalty/v1/events/#', { qos: 1 });
    await first.endAsync();
    await h.broker.publish(EVENT, { n: 3 });
    const back = connect(h.url, { ...options, username: 'watcher', password: secretOf('watcher') });
    const got = collect(back);
    await expect.poll(() => got.map((m) => m.payload)).toEqual(['{"n":3}']);
    await back.endAsync();
  });

  it('retained messages are kept whoever listens', async () => {
    await h.broker.publish('loyalty/v1/gateway/status', { online: true }, { retain: true });
    const late = await h.connect('watcher');
    const got = collect(late);
    await late.subscribeAsync('loyalty/v1/gateway/status', { qos: 1 });
    await expect.poll(() => got.map((m) => m.payload)).toEqual(['{"online":true}']);
  });
});
