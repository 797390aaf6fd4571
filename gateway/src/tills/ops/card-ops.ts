import { createHash } from 'node:crypto';
import type { BrokerRequest, RequestOutcome } from '../../broker/request-router.ts';
import { dateProblem } from '../../core/instants.ts';
import type { MemberState } from '../../domain/ledger-types.ts';
import { memberBalances, signupEvents } from '../../engine/index.ts';
import { hashPinAsync } from '../../ledger/index.ts';
import { cardPinHash } from '../../ledger/lookups.ts';
import type { NewMember } from '../../ledger/types.ts';
import { parseCardRef, resolveCard } from '../card-access.ts';
import { requestKey } from '../idempotency.ts';
import type { ManagerCodes } from '../manager-codes.ts';
import { getMember, memberSummary } from '../member-view.ts';
import { Refusal } from '../refusal.ts';
import type { StoreOps } from '../store-ops.ts';

const LANGUAGES = new Set(['hy', 'fa', 'en', 'ru']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const optionalText = (m: Record<string, unknown>, name: string, pattern?: RegExp): string | null => {
  const v = m[name];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' || (pattern && !pattern.test(v)))
    throw new Refusal('INVALID_REQUEST', `member.${name}: is not valid`);
  return v;
};

/** A date that exists (no 2000-02-30 rolled over to March): core/instants.ts. */
const realDate = (text: string | null, field: string): string | null => {
  const problem = text === null ? null : dateProblem(text);
  if (problem !== null) throw new Refusal('INVALID_REQUEST', `${field}: ${problem}`);
  return text;
};

const parseMember = (value: unknown): Omit<NewMember, 'id' | 'tier' | 'enrolledAt' | 'referrerId'> => {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Refusal('INVALID_REQUEST', 'member: must be an object with at least firstName');
  const m = value as Record<string, unknown>;
  if (typeof m.firstName !== 'string' || m.firstName.trim() === '')
    throw new Refusal('INVALID_REQUEST', 'member.firstName: must be a non-empty string');
  const language = optionalText(m, 'language') ?? 'en';
  if (!LANGUAGES.has(language))
    throw new Refusal('INVALID_REQUEST', 'member.language: must be hy, fa, en or ru');
  return {
    firstName: m.firstName.trim(),
    lastName: optionalText(m, 'lastName'),
    phone: optionalText(m, 'phone', /^\+?[0-9]{6,15}$/),
    email: optionalText(m, 'email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/),
    birthDate: realDate(optionalText(m, 'birthDate', DATE), 'member.birthDate'),
    language,
    customerGroup: optionalText(m, 'customerGroup'),
  };
};

const newState = (
  id: string,
  member: ReturnType<typeof parseMember>,
  tier: string,
  at: string,
  referrerId: string | null,
): MemberState => ({
  memberId: id,
  tier,
  tierSince: null,
  customerGroup: member.customerGroup ?? null,
  birthDate: member.birthDate ?? null,
  anniversaryDate: null,
  enrolledAt: at,
  language: member.language ?? 'en',
  lots: [],
  holds: [],
  debt: { points: 0, credit: 0 },
  qualifying: [],
  lastSaleAt: null,
  eventsPosted: [],
  referrerId,
});

/** docs/protocol.md §1 enroll: a new member with a new card, the signup bonus posted at once. */
export const enroll = async (req: BrokerRequest, ops: StoreOps): Promise<RequestOutcome> => {
  const { ledger, storeId } = ops.deps;
  const ref = parseCardRef(req.body.card);
  if (!('uid' in ref)) throw new Refusal('INVALID_REQUEST', 'card.uid: a new card is named by its uid');
  const details = parseMember(req.body.member);
  const referrerRef = req.body.referrer === undefined ? null : parseCardRef(req.body.referrer, 'referrer');
  const pin = req.body.pin;
  if (pin !== undefined && (typeof pin !== 'string' || !/^[0-9]{4,8}$/.test(pin)))
    throw new Refusal('INVALID_REQUEST', 'pin: must be 4 to 8 digits');
  // The member id is derived from the request, so a re-send cannot create a second member.
  const memberId = `${storeId}-${createHash('sha256')
    .update(requestKey(req.role, req.clientId, req.requestId))
    .digest('hex')
    .slice(0, 12)}`;
  const pinHash = typeof pin === 'string' && !ops.seen(req) ? await hashPinAsync(pin) : null;
  return ops.write(req, ({ now, ctx }) => {
    if (ledger.findCard(ref)) throw new Refusal('CARD_EXISTS', 'card.uid: the card is already issued');
    const referrerId = referrerRef ? resolveCard(ledger, referrerRef, now).memberId : null;
    const tier = ctx.program.tiers.levels[0]!.id;
    const member: NewMember = { ...details, id: memberId, tier, enrolledAt: ctx.now, referrerId };
    const state = newState(memberId, details, tier, ctx.now, referrerId);
    const signup = signupEvents(ctx, state);
    const postings = signup.transaction?.postings ?? [];
    for (const p of postings)
      if (p.amount > 0 && p.lot)
        state.lots.push({
          id: -1,
          asset: p.asset,
          remaining: p.amount,
          earnedAt: ctx.now,
          availableAt: p.lot.availableAt,
          expiresAt: p.lot.expiresAt,
        });
    return {
      commit: {
        idempotencyKey: '',
        type: 'enroll',
        at: ctx.now,
        programVersion: ctx.program.version,
        storeId: ctx.storeId,
        ref: memberId,
        postings,
        effects: {
          members: [member],
          cards: [{ uid: ref.uid, memberId, pinHash, createdAt: ctx.now }],
          events: signup.eventsPosted.map((event) => ({ memberId, event })),
        },
      },
      response: {
        member: memberSummary(
          { ...member, lastName: member.lastName ?? null, language: member.language ?? 'en' },
          tier,
        ),
        balances: memberBalances(ctx.program, state, ctx.now),
      },
      events: [{ type: 'ledger.posted', data: { memberId, type: 'enroll' } }],
    };
  });
};

/** The refusal a wrong manager code gets (counted toward the lockout), or null. */
const managerRefusal = (managers: ManagerCodes, code: unknown): Refusal | null => {
  try {
    managers.verify(code);
    return null;
  } catch (error) {
    if (error instanceof Refusal) return error;
    throw error;
  }
};

/** docs/protocol.md §1 card-unlock: a store manager unlocks a card locked by wrong PINs. */
export const cardUnlock = (req: BrokerRequest, ops: StoreOps): Promise<RequestOutcome> => {
  const { ledger, managers } = ops.deps;
  const ref = parseCardRef(req.body.card);
  return ops.checkedWrite(
    req,
    async () => managerRefusal(managers, req.body.managerCode),
    ({ ctx }) => {
      const card = ledger.findCard(ref);
      if (!card) throw new Refusal('CARD_UNKNOWN', 'no such card');
      const unlocked = ledger.unlockCard(card.uid);
      return {
        commit: {
          idempotencyKey: '',
          type: 'card-unlock',
          at: ctx.now,
          programVersion: ctx.program.version,
          storeId: ctx.storeId,
          ref: card.memberId,
          postings: [],
        },
        response: { card: { status: unlocked.status } },
        events: [{ type: 'card.status', data: { memberId: card.memberId, status: unlocked.status } }],
      };
    },
  );
};

/** docs/protocol.md §1 card-replace: the old card is blocked, the new one takes the member (and PIN). */
export const cardReplace = (req: BrokerRequest, ops: StoreOps): Promise<RequestOutcome> => {
  const { ledger, managers } = ops.deps;
  const oldRef = parseCardRef(req.body.card);
  const newRef = parseCardRef(req.body.newCard, 'newCard');
  if (!('uid' in newRef)) throw new Refusal('INVALID_REQUEST', 'newCard.uid: a new card is named by its uid');
  return ops.checkedWrite(
    req,
    async () => managerRefusal(managers, req.body.managerCode),
    ({ ctx }) => {
      const old = ledger.findCard(oldRef);
      if (!old) throw new Refusal('CARD_UNKNOWN', 'card: no such card');
      if (ledger.findCard(newRef))
        throw new Refusal('CARD_EXISTS', 'newCard.uid: the card is already issued');
      const member = getMember(ledger, old.memberId);
      return {
        commit: {
          idempotencyKey: '',
          type: 'card-replace',
          at: ctx.now,
          programVersion: ctx.program.version,
          storeId: ctx.storeId,
          ref: member.id,
          postings: [],
          effects: {
            cardStatus: [{ uid: old.uid, status: 'blocked' }],
            cards: [
              {
                uid: newRef.uid,
                memberId: member.id,
                pinHash: cardPinHash(ledger.db, old.uid),
                createdAt: ctx.now,
              },
            ],
          },
        },
        response: { member: memberSummary(member, member.tier) },
        events: [{ type: 'card.status', data: { memberId: member.id, status: 'blocked' } }],
      };
    },
  );
};
