import type { ReaderTap } from '../../../gateway/src/contract/index.ts';
import type { Gateway } from '../../../gateway/src/gateway.ts';
import type { IndicatorPattern } from '../../../hardware/src/index.ts';
import { buildCardToken, EmulatedCard, splitToken, TOKEN_BLOCKS } from '../../../hardware/src/index.ts';

/** The token key of the test configs (≥ 16 characters). */
export const TOKEN_KEY = 'store-token-key-for-tests-0123456789';
const KEY_BYTES = new TextEncoder().encode(TOKEN_KEY);

/** A MIFARE Classic card (SAK 0x08) with `token` in blocks 4-6, as `cards write-token` leaves it. */
export const classicCard = (uid: string, token?: Uint8Array): EmulatedCard => {
  const card = new EmulatedCard({ uid, sak: 0x08 });
  if (token) for (const [i, block] of splitToken(token, 16).entries()) card.write(TOKEN_BLOCKS[i]!, block);
  return card;
};

/** The token our key signs for `uid`. */
export const tokenFor = (uid: string, cardNumber = uid): Uint8Array =>
  buildCardToken({ uid, cardNumber, issued: '2026-11-23' }, KEY_BYTES);

/** Watches `loyalty/v1/reader/+/tap` on the gateway's broker, in publish order. */
export const watchTaps = async (
  gateway: Gateway,
): Promise<{ taps: ReaderTap[]; next(count?: number): Promise<ReaderTap>; stop(): Promise<void> }> => {
  const taps: ReaderTap[] = [];
  const waiters: Array<() => void> = [];
  const stop = await gateway.broker.subscribe('loyalty/v1/reader/+/tap', (_topic, payload) => {
    taps.push(JSON.parse(payload.toString()) as ReaderTap);
    for (const w of waiters.splice(0)) w();
  });
  const next = (count = taps.length): Promise<ReaderTap> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no tap published')), 5_000);
      const check = () => {
        const found = taps[count];
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(check);
      };
      check();
    });
  return { taps, next, stop };
};

/** The patterns the gateway's (memory) indicator showed from `from` on. */
export const shownSince = (gateway: Gateway, from: number): IndicatorPattern[] =>
  gateway.indicator.shown.slice(from);

/** Reader states (`reader/{id}/state`, retained) as a kiosk client sees them, in order. */
export const watchStates = async (
  client: import('mqtt').MqttClient,
  reader: string,
): Promise<{ states: string[]; next(state: string, count?: number): Promise<void> }> => {
  const states: string[] = [];
  const waiters: Array<() => void> = [];
  const topic = `loyalty/v1/reader/${reader}/state`;
  client.on('message', (t, payload) => {
    if (t !== topic) return;
    states.push((JSON.parse(payload.toString()) as { state: string }).state);
    for (const w of waiters.splice(0)) w();
  });
  await client.subscribeAsync(topic, { qos: 1 });
  const next = (state: string, count = states.length): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reader ${reader} never became ${state}`)), 5_000);
      const check = () => {
        if (states.slice(count).includes(state)) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return { states, next };
};
