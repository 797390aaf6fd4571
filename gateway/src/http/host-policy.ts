import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

/**
 * Which names this gateway answers to, and which browser origins may talk to it.
 *
 * - `Host`: a page that a browser loaded from `attacker.example` can re-point that name at
 *   127.0.0.1 (DNS rebinding) and then read the kiosk's credentials "from loopback". The
 *   browser still sends `Host: attacker.example`, so routes that hand out secrets answer
 *   only to this machine's own names: `localhost`, the loopback addresses, its host name
 *   (and `NAME.local`), every address of its interfaces, the bind address, and
 *   `http.hosts` (docs/configuration.md).
 * - `Origin`: every browser sends it on a WebSocket handshake and on every POST (fetch
 *   spec, "append a request `Origin` header"), "null" when it hides it. A present Origin
 *   must be the kiosk page's own: the same host and port as the request's `Host`, and that
 *   host one of the names above. A request without Origin is not from a browser (a till's
 *   mqtt.js, `loyalty-edge tap`, curl), which no header check could stop anyway: MQTT
 *   credentials and the loopback check guard those.
 */
export interface HostPolicy {
  /** Why the request's Host is refused, or null when it is one of this gateway's names. */
  refuseHost(req: IncomingMessage): string | null;
  /** Why the request's Origin is refused, or null when absent or the page's own. */
  refuseOrigin(req: IncomingMessage): string | null;
}

export interface HostPolicyOptions {
  /** The bind address (`http.host`); a wildcard adds nothing. */
  bind: string;
  /** More names the gateway is reached by (`http.hosts`): a DNS name, a reverse proxy's. */
  extra: readonly string[];
  /** The machine's own names and addresses (default: read from the OS on each check). */
  machineNames?: () => string[];
}

const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]']);

/** Lower case, no brackets around IPv6, no trailing dot (`Pi.local.` = `pi.local`). */
const normalise = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');

/** The OS's view, read per check: a DHCP lease may change while the gateway runs. */
export const osMachineNames = (): string[] => {
  const names = ['localhost', '127.0.0.1', '::1'];
  const own = hostname();
  if (own) names.push(own, `${own}.local`);
  for (const list of Object.values(networkInterfaces()))
    for (const info of list ?? []) names.push(info.address.replace(/%.*$/, ''));
  return names;
};

/** `host[:port]` of a Host header as a URL sees it (default port dropped), or null if malformed. */
const hostOf = (header: string): URL | null => {
  try {
    const url = new URL(`http://${header}`);
    return url.username || url.password || url.pathname !== '/' ? null : url;
  } catch {
    return null;
  }
};

export const createHostPolicy = (options: HostPolicyOptions): HostPolicy => {
  const machineNames = options.machineNames ?? osMachineNames;
  const configured = [...options.extra, ...(WILDCARDS.has(options.bind) ? [] : [options.bind])].map(
    normalise,
  );
  const known = (name: string): boolean => {
    const n = normalise(name);
    return configured.includes(n) || machineNames().some((m) => normalise(m) === n);
  };
  const requestHost = (req: IncomingMessage): URL | string => {
    const header = req.headers.host;
    if (header === undefined || header === '') return 'the request has no Host header';
    const url = hostOf(header);
    if (!url) return `Host "${header}" is not a host name`;
    if (!known(url.hostname))
      return `Host "${header}" is not one of this gateway's names (add it to http.hosts if it is)`;
    return url;
  };
  return {
    refuseHost(req) {
      const host = requestHost(req);
      return typeof host === 'string' ? host : null;
    },
    refuseOrigin(req) {
      const origin = req.headers.origin;
      if (origin === undefined) return null;
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        return `Origin "${origin}" is not the kiosk page's own`;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        return `Origin "${origin}" is not the kiosk page's own`;
      const host = requestHost(req);
      if (typeof host === 'string') return host;
      if (url.host !== host.host)
        return `Origin "${origin}" is not the kiosk page's own (http://${host.host})`;
      return null;
    },
  };
};
