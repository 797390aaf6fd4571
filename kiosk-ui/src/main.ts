import type { KioskCredentials } from '../../gateway/src/kiosk/wire.ts';
import { Controller } from './controller.ts';
import './elements/lg-app.ts';
import type { LgApp } from './elements/lg-app.ts';
import { GatewaySocket } from './gateway-socket.ts';
import { isLang } from './i18n/index.ts';
import { Store } from './store.ts';
import './theme.css';
import './screens.css';

const DEFAULT_IDLE_S = 60;
const DEFAULT_WARN_S = 20;

/** `?idle=` and `?warn=` (seconds) and `?lang=` tune a screen (and make tests fast). */
const params = new URLSearchParams(location.search);
const seconds = (name: string, fallback: number): number => {
  const v = Number(params.get(name));
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const lang = params.get('lang');
const store = new Store(isLang(lang) ? lang : 'hy');
const controller = new Controller(store, {
  idleMs: seconds('idle', DEFAULT_IDLE_S) * 1000,
  warnMs: seconds('warn', DEFAULT_WARN_S) * 1000,
});

const app = document.querySelector<LgApp>('lg-app');
if (app) {
  app.store = store;
  app.controller = controller;
}

// Touch first: any touch anywhere keeps the session alive (no hover-only behaviour).
for (const type of ['pointerdown', 'keydown'] as const)
  document.addEventListener(type, () => controller.activity(), { capture: true, passive: true });

/**
 * The page's credentials come from the gateway that served it, and only to the Pi's own
 * screen (docs/protocol.md §1 Kiosk); nothing is stored in the browser.
 */
/**
 * A remote screen: the customer-facing page shows a pad for the one-time code issued on the
 * Pi (docs/kiosk.md, pairing); the credentials it gets stay in memory only, so a reload
 * pairs again.
 */
const pair = (base: string): Promise<KioskCredentials> =>
  new Promise((resolve) => {
    store.reset('not-paired');
    controller.setPairer(async (code) => {
      const res = await fetch(`${base}/pair`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
        cache: 'no-store',
        credentials: 'omit',
      });
      if (!res.ok) return false;
      resolve((await res.json()) as KioskCredentials);
      return true;
    });
  });

const connect = async (): Promise<void> => {
  const base = location.pathname.replace(/\/+$/, '');
  let creds: KioskCredentials | null = null;
  while (creds === null) {
    try {
      const res = await fetch(`${base}/credentials`, { cache: 'no-store', credentials: 'omit' });
      if (res.status === 404) {
        store.reset('not-paired');
        return;
      }
      if (res.status === 403) {
        creds = await pair(base);
        break;
      }
      if (res.ok) creds = (await res.json()) as KioskCredentials;
    } catch {
      // The gateway is not up yet (the screen may start first): try again shortly.
    }
    if (creds === null) await new Promise((r) => setTimeout(r, 2_000));
  }
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new GatewaySocket(`${scheme}://${location.host}${creds.mqttPath}`, creds, {
    onSession: (m) => controller.onSession(m),
    onReader: (state) => store.set({ reader: state }),
    onConnection: (state) => store.set({ connection: state }),
  });
  controller.attach(socket);
};

void connect();
