/**
 * Who may publish and subscribe where (docs/protocol.md §1 "ACL by role"). Pure functions over
 * MQTT topic semantics; the broker calls them for every PUBLISH and SUBSCRIBE.
 *
 * A subscription is allowed only when *every* topic its filter can match lies inside an
 * allowed filter, so `+` and `#` cannot widen a client's reach (a till subscribing
 * `loyalty/v1/till/+/res/#` is refused even though its own responses would match).
 */
import { TOPIC_ROOT, topics } from '../contract/index.ts';
import type { ClientIdentity } from './clients.ts';

export interface AclFilters {
  publish: readonly string[];
  subscribe: readonly string[];
}

/** The filters a client may publish to and subscribe within. */
export function aclFilters(client: ClientIdentity): AclFilters {
  switch (client.role) {
    case 'till':
      return {
        publish: [`${TOPIC_ROOT}/till/${client.id}/req/#`],
        subscribe: [`${TOPIC_ROOT}/till/${client.id}/res/#`],
      };
    case 'kiosk':
      return {
        publish: [`${TOPIC_ROOT}/kiosk/${client.id}/req/#`],
        subscribe: [`${TOPIC_ROOT}/kiosk/${client.id}/#`, topics.readerState(client.reader)],
      };
    case 'integration': {
      // Taps for external readers; till requests only when the config allows it.
      const publish = [`${TOPIC_ROOT}/reader/+/tap`];
      // The retained gateway status is added for integrations: docs/protocol.md gives it a
      // last will, which only means something if a monitoring client can read it.
      const subscribe = [`${TOPIC_ROOT}/events/#`, topics.gatewayStatus];
      if (client.allowTillRequests) {
        publish.push(`${TOPIC_ROOT}/till/+/req/#`);
        subscribe.push(`${TOPIC_ROOT}/till/+/res/#`);
      }
      return { publish, subscribe };
    }
  }
}

/** MQTT 3.1.1 §4.7 matching of a concrete topic against a filter. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  // [MQTT-4.7.2-1] wildcards at the first level never match `$` topics.
  if ((f[0] === '+' || f[0] === '#') && topic.startsWith('$')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true; // also matches the parent level (`a/#` matches `a`)
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/** True when every topic `filter` can match is also matched by `allowed`. */
export function filterWithin(filter: string, allowed: string): boolean {
  const f = filter.split('/');
  const a = allowed.split('/');
  for (let i = 0; i < f.length; i++) {
    const al = a[i];
    const fl = f[i];
    if (al === '#') return true;
    if (al === undefined) return false;
    if (fl === '#') return false; // `#` reaches deeper than a non-`#` allowed level
    if (fl === '+') {
      if (al !== '+') return false;
    } else if (al !== '+' && al !== fl) {
      return false;
    }
  }
  // The filter ended: equal depth, or the allowed filter continues only with `#`.
  return a.length === f.length || (a.length === f.length + 1 && a[f.length] === '#');
}

const hasWildcard = (topic: string): boolean => topic.includes('+') || topic.includes('#');

export function isValidFilter(filter: string): boolean {
  if (filter.length === 0 || filter.includes('\0')) return false;
  const levels = filter.split('/');
  return levels.every(
    (level, i) =>
      (level === '#' && i === levels.length - 1) ||
      level === '+' ||
      (!level.includes('#') && !level.includes('+')),
  );
}

export function mayPublish(client: ClientIdentity, topic: string): boolean {
  if (topic.length === 0 || hasWildcard(topic) || topic.includes('\0')) return false;
  return aclFilters(client).publish.some((allowed) => topicMatches(allowed, topic));
}

export function maySubscribe(client: ClientIdentity, filter: string): boolean {
  if (!isValidFilter(filter)) return false;
  return aclFilters(client).subscribe.some((allowed) => filterWithin(filter, allowed));
}
