import type { BrokerRequest, RequestOutcome } from '../broker/request-router.ts';
import type { Logger } from '../core/logger.ts';
import type { Balances } from '../engine/context.ts';
import type { EngineContext } from '../engine/index.ts';
import type { Ledger } from '../ledger/index.ts';
import type { LedgerCommit } from '../ledger/types.ts';
import type { Program } from '../program/schema.ts';
import type { EdgeLimits } from './edge-limits.ts';
import { requestHash, requestKey } from './idempotency.ts';
import type { ManagerCodes } from './manager-codes.ts';
import { chainBalances } from './member-view.ts';
import type { OfflineCap } from './offline-cap.ts';
import { Refusal, refusalOf } from './refusal.ts';
import { WriteQueue } from './write-queue.ts';

/** What a committed operation tells integrations (docs/protocol.md §1 events), member id only. */
export interface CommittedEvent {
  type: 'ledger.posted' | 'tier.changed' | 'card.status' | 'reward.redeemed';
  data: Record<string, unknown>;
}

export interface StoreDeps {
  ledger: Ledger;
  /** The program in force now (a new version applies from its activation). */
  program: () => Program;
  storeId: string;
  now: () => Date;
  managers: ManagerCodes;
  logger: Logger;
  onCommitted?: (events: CommittedEvent[]) => void;
  /** A chain store's cap on spends while head office is unreachable (tills/offline-cap.ts). */
  offlineCap?: OfflineCap;
  /** What a till request's instants and amounts may be (config `limits`); the config's defaults when absent. */
  limits?: EdgeLimits;
}

/** What an op decides inside the group commit: the transaction and the `ok` response fields. */
export interface Decision {
  commit: LedgerCommit;
  response: Record<string, unknown>;
  /** The member whose `response.balances` these are, when the postings do not name them. */
  memberId?: string;
  events?: CommittedEvent[];
}

export interface OpEnv {
  now: Date;
  ctx: EngineContext;
}

export type Decide = (env: OpEnv) => Decision;

/** One till or kiosk op: parse and check what needs no lock, then read or decide a write. */
export type OpHandler = (req: BrokerRequest, ops: StoreOps) => Promise<RequestOutcome> | RequestOutcome;

/**
 * The store's side of the till protocol: turns requests into engine decisions and ledger
 * commits. Writes are idempotent per client and requestId (the stored response is
 * replayed) and answered only after their group's commit is on disk (docs/protocol.md §1).
 */
export class StoreOps {
  readonly queue: WriteQueue<CommittedEvent[]>;

  constructor(readonly deps: StoreDeps) {
    this.queue = new WriteQueue(deps.ledger.db, deps.now, deps.ledger.groupSync);
  }

  engineContext(now: Date): EngineContext {
    return { program: this.deps.program(), now: now.toISOString(), storeId: this.deps.storeId };
  }

  /** Answers a read-only op at once (no commit, so nothing to replay). */
  read(compute: (env: OpEnv) => Record<string, unknown>): RequestOutcome {
    const now = this.deps.now();
    try {
      return { ok: true, ...compute({ now, ctx: this.engineContext(now) }) };
    } catch (error) {
      return this.refuse(error);
    }
  }

  /**
   * A write: decided inside the group commit against the state the earlier requests of the
   * same group left, committed with its response, replayed verbatim for the same requestId.
   * A refusal is stored too, so a re-sent request gets the same answer.
   */
  async write(req: BrokerRequest, decide: Decide): Promise<RequestOutcome> {
    const key = requestKey(req.role, req.clientId, req.requestId);
    const { requestId: _omit, ...body } = req.body;
    const hash = requestHash(req.op, body);
    const outcome = await this.queue.submit(() => {
      const now = this.deps.now();
      const ctx = this.engineContext(now);
      try {
        const decision = decide({ now, ctx });
        const response = { ok: true, ...this.shown(decision) };
        return {
          commit: { ...decision.commit, idempotencyKey: key, requestHash: hash, response },
          value: decision.events ?? [],
        };
      } catch (error) {
        const refusal = refusalOf(error);
        if (!refusal) throw error;
        return {
          commit: {
            idempotencyKey: key,
            requestHash: hash,
            type: 'refused',
            at: ctx.now,
            programVersion: ctx.program.version,
            storeId: ctx.storeId,
            ref: req.op,
            postings: [],
            response: { ok: false, error: refusal },
          },
          value: [],
        };
      }
    });
    if (!outcome.ok) return this.refuse(outcome.error);
    const response = outcome.result?.response as RequestOutcome;
    if (!outcome.result?.replayed && outcome.value.length > 0) this.deps.onCommitted?.(outcome.value);
    return response;
  }

  /** The response with its balances as the store shows them (chain view, see `chainBalances`). */
  private shown(decision: Decision): Record<string, unknown> {
    const { response } = decision;
    const balances = response.balances as Balances | undefined;
    const memberId =
      decision.memberId ??
      decision.commit.postings.flatMap((p) => ('member' in p.owner ? [p.owner.member] : []))[0];
    if (!balances || memberId === undefined) return response;
    return { ...response, balances: chainBalances(this.deps.ledger, memberId, balances) };
  }

  /** True when this client already sent this requestId: it gets the stored answer, whatever changed since. */
  seen(req: BrokerRequest): boolean {
    return this.deps.ledger.findTransaction(requestKey(req.role, req.clientId, req.requestId)) !== null;
  }

  /** Stores and answers a refusal found before deciding (wrong PIN, bad manager code). */
  refuseDurably(req: BrokerRequest, refusal: Refusal): Promise<RequestOutcome> {
    return this.write(req, () => {
      throw refusal;
    });
  }

  /**
   * A write that must pass an async check first (a PIN or manager code, hashed off the
   * event loop). A request seen before skips the check and gets its stored answer.
   */
  async checkedWrite(
    req: BrokerRequest,
    check: () => Promise<Refusal | null>,
    decide: Decide,
  ): Promise<RequestOutcome> {
    if (!this.seen(req)) {
      const refusal = await check();
      if (refusal) return this.refuseDurably(req, refusal);
    }
    return this.write(req, decide);
  }

  refuse(error: unknown): RequestOutcome {
    const refusal = refusalOf(error);
    if (refusal) return { ok: false, error: refusal };
    this.deps.logger.error('request failed', { error: error instanceof Error ? error.stack : String(error) });
    return { ok: false, error: { code: 'INTERNAL', message: 'internal error; the request was not applied' } };
  }
}

/** A field of the request body, checked; names the field when wrong (docs/protocol.md §1). */
export const field = {
  text(body: Record<string, unknown>, name: string, optional = false): string {
    const v = body[name];
    if (v === undefined && optional) return '';
    if (typeof v !== 'string' || v.trim() === '')
      throw new Refusal('INVALID_REQUEST', `${name}: must be a non-empty string`);
    return v;
  },
  amount(body: Record<string, unknown>, name: string): number {
    const v = body[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
      throw new Refusal('INVALID_REQUEST', `${name}: must be a positive integer (minor units)`);
    return v;
  },
};
