import { describe, expect, it } from 'vitest';
import { filterWithin, mayPublish, maySubscribe, topicMatches } from '../../../gateway/src/broker/acl.ts';
import type { ClientIdentity } from '../../../gateway/src/broker/clients.ts';

const till: ClientIdentity = { id: 'till-01', role: 'till' };
const kiosk: ClientIdentity = { id: 'kiosk-1', role: 'kiosk', reader: 'reader-1' };
const nodeRed: ClientIdentity = {
  id: 'node-red',
  role: 'integration',
  allowTillRequests: true,
  allowPii: false,
  maxRequestsPerSecond: 50,
};
const watcher: ClientIdentity = {
  id: 'watcher',
  role: 'integration',
  allowTillRequests: false,
  allowPii: false,
  maxRequestsPerSecond: 50,
};

const T = 'loyalty/v1';

describe('topicMatches (MQTT 3.1.1 §4.7)', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['#', '$SYS/x', false],
    ['+/x', '$SYS/x', false],
    ['a/b', 'a/b/c', false],
    ['a/b/c', 'a/b', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe('filterWithin', () => {
  it.each([
    ['a/b/#', 'a/b/#', true],
    ['a/b', 'a/b/#', true],
    ['a/b/c/+', 'a/b/#', true],
    ['a/+/#', 'a/b/#', false],
    ['#', 'a/b/#', false],
    ['a/+', 'a/+', true],
    ['a/b', 'a/+', true],
    ['a/#', 'a/+', false],
    ['a/b/c', 'a/+', false],
    ['a', 'a/+', false],
  ])('%s within %s: %s', (filter, allowed, expected) => {
    expect(filterWithin(filter, allowed)).toBe(expected);
  });
});

describe('mayPublish (docs/protocol.md §1 ACL by role)', () => {
  it.each<[string, ClientIdentity, string, boolean]>([
    ['till, own request', till, `${T}/till/till-01/req/sale`, true],
    ['till, another till', till, `${T}/till/till-02/req/sale`, false],
    ['till, own response topic', till, `${T}/till/till-01/res/sale`, false],
    ['till, kiosk request', till, `${T}/kiosk/kiosk-1/req/end`, false],
    ['till, a tap', till, `${T}/reader/reader-1/tap`, false],
    ['till, gateway status', till, `${T}/gateway/status`, false],
    ['till, events', till, `${T}/events/ledger.posted`, false],
    ['till, wildcard topic', till, `${T}/till/+/req/sale`, false],
    ['till, $SYS', till, '$SYS/x/new/clients', false],
    ['kiosk, own request', kiosk, `${T}/kiosk/kiosk-1/req/history`, true],
    ['kiosk, another kiosk', kiosk, `${T}/kiosk/kiosk-2/req/history`, false],
    ['kiosk, own session', kiosk, `${T}/kiosk/kiosk-1/session`, false],
    ['kiosk, a tap on its reader', kiosk, `${T}/reader/reader-1/tap`, false],
    ['kiosk, till request', kiosk, `${T}/till/till-01/req/sale`, false],
    ['integration, tap', watcher, `${T}/reader/ext-9/tap`, true],
    ['integration, reader state', watcher, `${T}/reader/ext-9/state`, false],
    ['integration, till request not allowed', watcher, `${T}/till/till-01/req/sale`, false],
    ['integration, till request allowed', nodeRed, `${T}/till/till-01/req/sale`, true],
    ['integration, till response', nodeRed, `${T}/till/till-01/res/sale`, false],
    ['integration, kiosk request', nodeRed, `${T}/kiosk/kiosk-1/req/end`, false],
    ['integration, events', nodeRed, `${T}/events/tier.changed`, false],
    ['integration, status', nodeRed, `${T}/gateway/status`, false],
  ])('%s', (_name, client, topic, expected) => {
    expect(mayPublish(client, topic)).toBe(expected);
  });
});

describe('maySubscribe (docs/protocol.md §1 ACL by role)', () => {
  it.each<[string, ClientIdentity, string, boolean]>([
    ['till, own responses', till, `${T}/till/till-01/res/#`, true],
    ['till, one own response', till, `${T}/till/till-01/res/sale`, true],
    ['till, own responses with +', till, `${T}/till/till-01/res/+`, true],
    ['till, another till', till, `${T}/till/till-02/res/#`, false],
    ['till, every till', till, `${T}/till/+/res/#`, false],
    ['till, everything', till, '#', false],
    ['till, everything under v1', till, `${T}/#`, false],
    ['till, own subtree incl. requests', till, `${T}/till/till-01/#`, false],
    ['till, own requests', till, `${T}/till/till-01/req/#`, false],
    ['till, events', till, `${T}/events/#`, false],
    ['till, invalid filter', till, `${T}/till/till-01/res/#/x`, false],
    ['till, empty filter', till, '', false],
    ['kiosk, own subtree', kiosk, `${T}/kiosk/kiosk-1/#`, true],
    ['kiosk, own session', kiosk, `${T}/kiosk/kiosk-1/session`, true],
    ['kiosk, own responses', kiosk, `${T}/kiosk/kiosk-1/res/+`, true],
    ['kiosk, its reader state', kiosk, `${T}/reader/reader-1/state`, true],
    ['kiosk, another reader state', kiosk, `${T}/reader/reader-2/state`, false],
    ['kiosk, every reader state', kiosk, `${T}/reader/+/state`, false],
    ['kiosk, its reader taps', kiosk, `${T}/reader/reader-1/tap`, false],
    ['kiosk, another kiosk session', kiosk, `${T}/kiosk/kiosk-2/session`, false],
    ['kiosk, every kiosk', kiosk, `${T}/kiosk/+/session`, false],
    ['kiosk, everything', kiosk, '#', false],
    ['integration, events', watcher, `${T}/events/#`, true],
    ['integration, one event type', watcher, `${T}/events/ledger.posted`, true],
    ['integration, gateway status', watcher, `${T}/gateway/status`, true],
    ['integration, till responses not allowed', watcher, `${T}/till/+/res/#`, false],
    ['integration, till responses allowed', nodeRed, `${T}/till/+/res/#`, true],
    ['integration, one till responses allowed', nodeRed, `${T}/till/till-01/res/sale`, true],
    ['integration, till requests', nodeRed, `${T}/till/+/req/#`, false],
    ['integration, kiosk sessions (personal data)', nodeRed, `${T}/kiosk/+/session`, false],
    ['integration, taps', nodeRed, `${T}/reader/+/tap`, false],
    ['integration, everything', nodeRed, '#', false],
    ['integration, v1 with +', nodeRed, `${T}/+/#`, false],
  ])('%s', (_name, client, filter, expected) => {
    expect(maySubscribe(client, filter)).toBe(expected);
  });
});
