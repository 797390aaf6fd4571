import type { ErrorBody } from '../../gateway/src/contract/index.ts';
import type { KioskSessionMessage } from '../../gateway/src/kiosk/wire.ts';
import type { GatewaySocket } from './gateway-socket.ts';
import { isLang, type Lang, type RefusalCode } from './i18n/index.ts';
import type { Screen, Store } from './store.ts';

export interface Timing {
  /** Inactivity before the "are you still there?" warning. */
  idleMs: number;
  /** How long the warning stays before the page resets (≥ 20 s by default). */
  warnMs: number;
}

const REFUSALS: ReadonlySet<string> = new Set([
  'CARD_BLOCKED',
  'CARD_LOCKED',
  'CARD_EXPIRED',
  'CARD_SUSPENDED',
  'CARD_NOT_GENUINE',
]);
const refusalCode = (error: ErrorBody | undefined): RefusalCode =>
  error && REFUSALS.has(error.code) ? (error.code as RefusalCode) : 'other';

/**
 * What the customer's touches do: screen changes, kiosk requests (docs/protocol.md §1 Kiosk) and
 * the idle timeout. Decisions stay with the gateway; this only relays and shows answers.
 */
export class Controller {
  #socket: GatewaySocket | null = null;
  #pairer: ((code: string) => Promise<boolean>) | null = null;
  #idle: ReturnType<typeof setTimeout> | undefined;
  #countdown: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly store: Store,
    private readonly timing: Timing,
  ) {}

  attach(socket: GatewaySocket): void {
    this.#socket = socket;
  }

  /** How a remote screen trades a pairing code for its credentials (main.ts). */
  setPairer(pairer: (code: string) => Promise<boolean>): void {
    this.#pairer = pairer;
  }

  async submitPairing(code: string): Promise<void> {
    if (!this.#pairer || this.store.state.busy) return;
    this.store.set({ busy: true, pinError: null });
    const ok = await this.#pairer(code).catch(() => false);
    if (ok) this.store.reset('attract');
    else this.store.set({ busy: false, pinError: 'PIN_INVALID' });
  }

  onSession(message: KioskSessionMessage): void {
    const current = this.store.state.session;
    if (message.state === 'idle') {
      if (!message.sessionId || current?.sessionId === message.sessionId) this.#reset();
      return;
    }
    if (message.state === 'member' && current?.sessionId === message.sessionId) {
      this.store.set({ session: message });
      return;
    }
    this.store.reset();
    if (message.state === 'member') {
      const lang = isLang(message.member.language) ? message.member.language : this.store.defaultLang;
      this.store.set({ session: message, lang, screen: 'home' });
    } else if (message.state === 'unknown-card') this.store.set({ screen: 'unknown-card' });
    else this.store.set({ screen: 'refused', refusal: refusalCode(message.error) });
    this.activity();
  }

  go(screen: Screen): void {
    if (!this.store.state.session) return;
    this.store.set({
      screen,
      pending: null,
      pinError: null,
      outcome: screen === 'home' ? null : this.store.state.outcome,
    });
    if (screen === 'history') void this.#loadHistory();
  }

  setLang(lang: Lang): void {
    this.store.set({ lang });
  }

  chooseReward(rewardId: string): void {
    this.store.set({ screen: 'pin', pending: { kind: 'redeem', rewardId }, pinError: null });
  }

  chooseConvert(points: number): void {
    this.store.set({ screen: 'pin', pending: { kind: 'convert', points }, pinError: null });
  }

  async submitPin(pin: string): Promise<void> {
    const { session, pending } = this.store.state;
    if (!session || !pending || !this.#socket || this.store.state.busy) return;
    this.store.set({ busy: true, pinError: null });
    try {
      const sessionId = session.sessionId;
      if (pending.kind === 'redeem') {
        const res = await this.#socket.request('redeem-reward', {
          sessionId,
          rewardId: pending.rewardId,
          pin,
        });
        if (!res.ok) return this.#refused(res.error);
        const outcome =
          res.voucher?.code !== undefined
            ? {
                kind: 'voucher' as const,
                rewardId: pending.rewardId,
                sku: res.voucher.sku,
                code: res.voucher.code,
              }
            : {
                kind: 'credit' as const,
                rewardId: pending.rewardId,
                credit: (res as { credit?: number }).credit ?? 0,
              };
        this.#succeeded(res.balances, outcome);
      } else {
        const res = await this.#socket.request('convert', { sessionId, points: pending.points, pin });
        if (!res.ok) return this.#refused(res.error);
        this.#succeeded(res.balances, { kind: 'converted', points: pending.points, credit: res.credit });
      }
    } catch {
      this.store.set({ pinError: 'other' });
    } finally {
      if (this.store.state.busy) this.store.set({ busy: false });
    }
  }

  /** The customer is done: the gateway ends the session, the page forgets the member. */
  finish(): void {
    this.#reset();
  }

  /** Any touch: restart the idle clock and hide the warning (the customer stays). */
  activity(): void {
    clearTimeout(this.#idle);
    clearInterval(this.#countdown);
    if (this.store.state.idleWarning !== null) this.store.set({ idleWarning: null });
    if (this.store.state.screen === 'attract' || this.store.state.screen === 'not-paired') return;
    this.#idle = setTimeout(() => this.#warn(), this.timing.idleMs);
  }

  #warn(): void {
    const deadline = Date.now() + this.timing.warnMs;
    const tick = () => {
      const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      this.store.set({ idleWarning: left });
    };
    tick();
    this.#countdown = setInterval(tick, 1000);
    this.#idle = setTimeout(() => this.#reset(), this.timing.warnMs);
  }

  #succeeded(
    balances: NonNullable<Store['state']['session']>['balances'],
    outcome: NonNullable<Store['state']['outcome']>,
  ): void {
    const session = this.store.state.session;
    this.store.set({
      session: session ? { ...session, balances } : null,
      outcome,
      pending: null,
      screen: 'voucher',
      busy: false,
    });
  }

  #refused(error: ErrorBody): void {
    this.store.set({ busy: false });
    if (error.code === 'PIN_INVALID') this.store.set({ pinError: 'PIN_INVALID' });
    else if (error.code === 'SESSION_EXPIRED') this.#reset('session-expired');
    else if (REFUSALS.has(error.code)) {
      // The card changed state under the customer (e.g. locked by wrong PINs): show why, forget the member.
      this.#reset('refused');
      this.store.set({ refusal: refusalCode(error) });
      this.activity();
    } else this.store.set({ pinError: 'other' });
  }

  async #loadHistory(): Promise<void> {
    const session = this.store.state.session;
    if (!session || !this.#socket) return;
    try {
      const res = await this.#socket.request('history', { sessionId: session.sessionId, limit: 20 });
      if (this.store.state.session?.sessionId !== session.sessionId) return;
      if (res.ok) this.store.set({ history: res.entries });
      else if (res.error.code === 'SESSION_EXPIRED') this.#reset('session-expired');
    } catch {
      // The gateway did not answer: the history screen keeps its "one moment" line.
    }
  }

  #reset(screen: Screen = 'attract'): void {
    const sessionId = this.store.state.session?.sessionId;
    if (sessionId && this.#socket) this.#socket.request('end', { sessionId }).catch(() => {});
    clearTimeout(this.#idle);
    clearInterval(this.#countdown);
    this.store.reset(screen);
    if (screen !== 'attract') this.activity();
  }
}
