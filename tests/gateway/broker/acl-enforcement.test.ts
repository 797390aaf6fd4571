import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BrokerRequest } from '../../../gateway/src/broker/request-router.ts';
import { collect, echo, type Harness, nextMessage, roundTrip, startHarness, subackCodes } from './helpers.ts';

const T = 'loyalty/v1';

describe('ACL enforced by the broker (docs/protocol.md §1 ACL by role)', () => {
  let h: Harness;
  let seen: BrokerRequest[];
  beforeEach(async () => {
    seen = [];
    h = await startHarness({
      onRequest: (req) => {
        seen.push(req);
        return echo(req);
      },
    });
  });
  afterEach(() => h.cleanup());

  it("a till's publish to another till's requests is dropped, counted, never handled; the till stays connected", async () => {
    const till1 = await h.connect('till-01');
    await till1.subscribeAsync(`${T}/till/till-01/res/#`, { qos: 1 });
    await till1.publishAsync(`${T}/till/till-02/req/sale`, JSON.stringify({ requestId: 'x' }), { qos: 1 });
    await till1.publishAsync(`${T}/kiosk/kiosk-1/req/end`, JSON.stringify({ requestId: 'y' }), { qos: 1 });
    await till1.publishAsync(`${T}/gateway/status`, JSON.stringify({ online: false }), {
      qos: 1,
      retain: true,
    });
    await roundTrip(till1, 'till', 'till-01');
    expect(seen.map((r) => `${r.clientId}/${r.op}`)).toEqual(['till-01/identify']);
    expect(till1.connected).toBe(true);
    expect(h.broker.metrics().refusedPublishes.byReason).toEqual({ acl: 3 });
  });

  it('a refused publish never reaches a subscriber of that topic', async () => {
    const watcher = await h.connect('watcher');
    await watcher.subscribeAsync(`${T}/events/#`, { qos: 1 });
    const got = collect(watcher);
    const till1 = await h.connect('till-01');
    await till1.subscribeAsync(`${T}/till/till-01/res/#`, { qos: 1 });
    await till1.publishAsync(`${T}/events/ledger.posted`, '{"forged":true}', { qos: 1 });
    await h.broker.publish(`${T}/events/ledger.posted`, { genuine: true });
    // The forged publish went first on a QoS 1 link, so it would have arrived before this.
    await expect.poll(() => got.length).toBe(1);
    expect(got.map((m) => m.payload)).toEqual(['{"genuine":true}']);
    expect(h.broker.metrics().refusedPublishes.byReason).toEqual({ acl: 1 });
  });

  it('a till cannot subscribe to another till, nor wildcard its way out (SUBACK 0x80)', async () => {
    const till1 = await h.connect('till-01');
    const codes = await subackCodes(till1, [
      `${T}/till/till-01/res/#`,
      `${T}/till/till-02/res/#`,
      `${T}/till/+/res/#`,
      '#',
      `${T}/#`,
    ]);
    expect(codes).toEqual([1, 128, 128, 128, 128]);
    const got = collect(till1);
    const till2 = await h.connect('till-02');
    await till2.subscribeAsync(`${T}/till/till-02/res/#`, { qos: 1 });
    await roundTrip(till2, 'till', 'till-02');
    await roundTrip(till1, 'till', 'till-01');
    expect(got.every((m) => m.topic.startsWith(`${T}/till/till-01/`))).toBe(true);
    expect(h.broker.metrics().refusedSubscribes.total).toBe(4);
  });

  it('a kiosk is confined to its own subtree and its reader state', async () => {
    const kiosk = await h.connect('kiosk-1');
    const codes = await subackCodes(kiosk, [
      `${T}/kiosk/kiosk-1/#`,
      `${T}/reader/reader-1/state`,
      `${T}/reader/+/state`,
      `${T}/kiosk/+/session`,
      `${T}/till/till-01/res/#`,
    ]);
    expect(codes).toEqual([1, 1, 128, 128, 128]);
    const state = nextMessage(kiosk, `${T}/reader/reader-1/state`);
    await h.broker.publish(
      `${T}/reader/reader-1/state`,
      { reader: 'reader-1', state: 'ready' },
      { retain: true },
    );
    expect(await state).toEqual({ reader: 'reader-1', state: 'ready' });
    await kiosk.publishAsync(`${T}/reader/reader-1/tap`, '{"uid":"04AA"}', { qos: 1 });
    await kiosk.publishAsync(`${T}/till/till-01/req/sale`, '{"requestId":"k"}', { qos: 1 });
    await roundTrip(kiosk, 'kiosk', 'kiosk-1');
    expect(seen.map((r) => `${r.role}/${r.clientId}/${r.op}`)).toEqual(['kiosk/kiosk-1/history']);
    expect(h.broker.metrics().refusedPublishes.byReason).toEqual({ acl: 2 });
  });

  it('an integration with allowTillRequests relays till requests and reads till responses', async () => {
    const nodeRed = await h.connect('node-red');
    const granted = await nodeRed.subscribeAsync(`${T}/till/+/res/#`, { qos: 1 });
    expect(granted[0]?.qos).toBe(1);
    const answer = nextMessage(nodeRed, `${T}/till/till-02/res/identify`);
    await nodeRed.publishAsync(`${T}/till/till-02/req/identify`, '{"requestId":"nr-1","card":{"uid":"04"}}', {
      qos: 1,
    });
    expect(await answer).toMatchObject({
      requestId: 'nr-1',
      ok: true,
      clientId: 'till-02',
      sender: 'node-red',
    });
  });

  it('an integration without allowTillRequests may only read events and publish taps', async () => {
    const watcher = await h.connect('watcher');
    const codes = await subackCodes(watcher, [`${T}/events/#`, `${T}/till/+/res/#`, `${T}/kiosk/+/session`]);
    expect(codes).toEqual([1, 128, 128]);
    const taps: string[] = [];
    const unsubscribe = await h.broker.subscribe(`${T}/reader/+/tap`, (topic, payload) =>
      taps.push(`${topic} ${payload.toString()}`),
    );
    await watcher.publishAsync(`${T}/till/till-01/req/sale`, '{"requestId":"w"}', { qos: 1 });
    await watcher.publishAsync(`${T}/reader/ext-1/tap`, '{"uid":"04BB","reader":"ext-1"}', { qos: 1 });
    await expect.poll(() => taps).toEqual([`${T}/reader/ext-1/tap {"uid":"04BB","reader":"ext-1"}`]);
    await unsubscribe();
    expect(seen).toEqual([]);
    expect(h.broker.metrics().refusedPublishes.byReason).toEqual({ acl: 1 });
  });

  it('client publishes are never retained', async () => {
    const watcher = await h.connect('watcher');
    await watcher.publishAsync(`${T}/reader/ext-1/tap`, '{"uid":"04CC"}', { qos: 1, retain: true });
    const nodeRed = await h.connect('node-red');
    const taps: string[] = [];
    const unsubscribe = await h.broker.subscribe(`${T}/reader/+/tap`, (topic) => taps.push(topic));
    await watcher.publishAsync(`${T}/reader/ext-2/tap`, '{"uid":"04DD"}', { qos: 1 });
    await expect.poll(() => taps).toEqual([`${T}/reader/ext-2/tap`]);
    await unsubscribe();
    expect(nodeRed.connected).toBe(true);
  });
});
