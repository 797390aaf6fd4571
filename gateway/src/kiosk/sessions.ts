import { randomUUID } from 'node:crypto';
import type { ErrorBody, ReaderTap } from '../contract/index.ts';
import { topics } from '../contract/index.ts';
import type { Logger } from '../core/logger.ts';
import { resolveCard } from '../tills/card-access.ts';
import { getMember, loadState } from '../tills/member-view.ts';
import { Refusal, refusalOf } from '../tills/refusal.ts';
import type { StoreOps } from '../tills/store-ops.ts';
import { memberSession } from './session-view.ts';
import type { KioskSessionMessage } from './wire.ts';

export interface Session {
  sessionId: string;
  kioskId: string;
  uid: string;
  /** null when the card was unknown or refused: no op may act on it. */
  memberId: string | null;
  timer: NodeJS.Timeout;
}

/**
 * A tap as the gateway hands it to the kiosk: `refusal` is set when the reader service refused
 * the card as not genuine (a forged token, or no token where the program requires one;
 * docs/hardware.md: card tokens). The session is then `refused` with it.
 */
export interface CheckedTap extends ReaderTap {
  refusal?: ErrorBody | null;
}

export interface SessionDeps {
  kiosks: ReadonlyArray<{ id: string; reader: string }>;
  ops: StoreOps;
  publish: (topic: string, payload: object, options: { qos: 0 | 1; retain: boolean }) => Promise<void>;
  logger: Logger;
  /** The gateway's safety net when the page never sends `end` (card gone, page closed). */
  timeoutMs: number;
}

/**
 * One session per kiosk (docs/protocol.md §1 Kiosk): a tap at the kiosk's reader opens it and
 * replaces any earlier one; `end` or the idle timeout closes it with `{state:'idle'}`.
 * Published QoS 1, never retained: it holds personal data.
 */
export class Sessions {
  private readonly current = new Map<string, Session>();

  constructor(private readonly deps: SessionDeps) {}

  /** A tap at a kiosk's reader opens its session; a tap carrying a refusal opens it `refused`. */
  onTap(tap: CheckedTap): void {
    for (const kiosk of this.deps.kiosks)
      if (kiosk.reader === tap.reader) this.open(kiosk.id, tap.uid, tap.refusal ?? null);
  }

  /** The live session a request names, or SESSION_EXPIRED (over, replaced, or another card's). */
  require(kioskId: string, sessionId: unknown): Session & { memberId: string } {
    const session = this.current.get(kioskId);
    if (!session || session.sessionId !== sessionId || session.memberId === null)
      throw new Refusal('SESSION_EXPIRED', 'the session is over; tap the card again');
    this.touch(session);
    return session as Session & { memberId: string };
  }

  /** True when `sessionId` is the kiosk's open session, whatever the card's state. */
  isCurrent(kioskId: string, sessionId: string): boolean {
    return this.current.get(kioskId)?.sessionId === sessionId;
  }

  /** Publishes the session again with fresh figures (after a redemption or conversion). */
  refresh(kioskId: string, sessionId: string): void {
    const session = this.current.get(kioskId);
    if (session?.sessionId === sessionId) this.publish(kioskId, this.view(sessionId, session.uid).message);
  }

  end(kioskId: string, sessionId?: string): void {
    const session = this.current.get(kioskId);
    if (!session || (sessionId !== undefined && session.sessionId !== sessionId)) return;
    clearTimeout(session.timer);
    this.current.delete(kioskId);
    this.publish(kioskId, { state: 'idle', sessionId: session.sessionId });
  }

  stop(): void {
    for (const session of this.current.values()) clearTimeout(session.timer);
    this.current.clear();
  }

  private open(kioskId: string, uid: string, refusal: ErrorBody | null): void {
    const old = this.current.get(kioskId);
    if (old) clearTimeout(old.timer);
    const sessionId = randomUUID();
    const { message, memberId } = refusal
      ? { message: { sessionId, state: 'refused' as const, error: refusal }, memberId: null }
      : this.view(sessionId, uid);
    const session: Session = {
      sessionId,
      kioskId,
      uid,
      memberId,
      timer: setTimeout(() => this.end(kioskId, sessionId), this.deps.timeoutMs),
    };
    session.timer.unref();
    this.current.set(kioskId, session);
    this.publish(kioskId, message);
  }

  private touch(session: Session): void {
    session.timer.refresh();
  }

  /** What the kiosk may show of this card (docs/program.md Cards: `suspended` may show its balance). */
  private view(sessionId: string, uid: string): { message: KioskSessionMessage; memberId: string | null } {
    const { ops } = this.deps;
    const { ledger } = ops.deps;
    const now = ops.deps.now();
    try {
      const card = resolveCard(ledger, { uid }, now, 'view');
      const member = getMember(ledger, card.memberId);
      const ctx = ops.engineContext(now);
      const state = loadState(ledger, member.id, now, ctx.program);
      return { message: memberSession(sessionId, ctx, ledger, member, card, state), memberId: member.id };
    } catch (error) {
      const refusal: ErrorBody = refusalOf(error) ?? {
        code: 'INTERNAL',
        message: 'the card could not be read',
      };
      if (refusal.code === 'INTERNAL')
        this.deps.logger.error('kiosk session failed', { error: String(error) });
      const message: KioskSessionMessage =
        refusal.code === 'CARD_UNKNOWN'
          ? { sessionId, state: 'unknown-card' }
          : { sessionId, state: 'refused', error: refusal };
      return { message, memberId: null };
    }
  }

  private publish(kioskId: string, message: KioskSessionMessage): void {
    this.deps
      .publish(topics.kioskSession(kioskId), message, { qos: 1, retain: false })
      .catch((error: unknown) => {
        this.deps.logger.warn('kiosk session not published', { kioskId, error: String(error) });
      });
  }
}
