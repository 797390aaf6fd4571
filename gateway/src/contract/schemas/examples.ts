/**
 * Example requests of every op, as published in docs/asyncapi.yaml. They tell one story on
 * the demo store (gateway/demo: member M-1002, card 04A1B2C3D4E5F6, PIN 2345): sent in
 * this order to a fresh demo gateway, every till example is answered `ok`
 * (tests/contracts/asyncapi.test.ts). Kiosk examples name a session that is over, so they
 * show the SESSION_EXPIRED answer a kiosk gets after its session ends.
 */
import type { KioskOp, TillOp } from '../ops.ts';

const card = { uid: '04A1B2C3D4E5F6' };
const sale = {
  saleId: 'yerevan-1-000456',
  at: '2026-11-23T18:05:00+04:00',
  card,
  currency: 'AMD',
  lines: [
    { lineId: '1', sku: 'VIT-C-500', productGroup: 'vitamins', qty: 2, unitPrice: 250000, amount: 500000 },
  ],
  payments: [
    { method: 'card', amount: 400000 },
    // A hold the sale captures itself when the till did not capture it first.
    { method: 'loyalty-credit', amount: 100000, holdId: 'h-77' },
  ],
  total: 500000,
};
const MANAGER_CODE = '246810';

type Example = { name: string; summary: string; payload: Record<string, unknown> };

/** Till ops in the order of the story; each example's payload is a whole request. */
export const TILL_EXAMPLES: Array<[TillOp, Example[]]> = [
  [
    'identify',
    [{ name: 'by-uid', summary: 'A card tapped on the till reader', payload: { requestId: 'ex-1', card } }],
  ],
  [
    'authorize',
    [
      {
        name: 'hold-for-sale',
        summary: 'Hold wallet credit the sale pays with',
        payload: { requestId: 'ex-3', holdId: 'h-77', card, pin: '2345', credit: 100000 },
      },
      {
        name: 'hold-to-void',
        summary: 'A hold the customer then changes their mind about',
        payload: { requestId: 'ex-4', holdId: 'h-78', card, pin: '2345', credit: 20000 },
      },
    ],
  ],
  [
    'simulate',
    [
      {
        name: 'basket',
        summary: 'What the basket, paid partly with the held credit, would earn',
        payload: { requestId: 'ex-2', ...sale, saleId: 'sim-1' },
      },
    ],
  ],
  [
    'capture',
    [
      {
        name: 'capture',
        summary: 'Take the held credit for the sale about to be posted',
        payload: { requestId: 'ex-6', holdId: 'h-77', saleId: sale.saleId, credit: 100000 },
      },
    ],
  ],
  [
    'sale',
    [
      {
        name: 'member-sale',
        summary: 'A member sale paid partly with held credit',
        payload: { requestId: 'ex-5', ...sale },
      },
    ],
  ],
  [
    'return',
    [
      {
        name: 'one-unit',
        summary: 'One of the two units comes back',
        payload: {
          requestId: 'ex-7',
          returnId: 'ret-9',
          saleId: sale.saleId,
          at: '2026-11-24T10:00:00+04:00',
          lines: [{ lineId: '1', qty: 1 }],
        },
      },
    ],
  ],
  ['void', [{ name: 'release', summary: 'Release a hold', payload: { requestId: 'ex-8', holdId: 'h-78' } }]],
  [
    'giftcard-issue',
    [
      {
        name: 'sell',
        summary: 'A gift card sold at the till',
        payload: { requestId: 'ex-9', code: 'GC-4G7K-PQ2M', credit: 500000 },
      },
    ],
  ],
  [
    'giftcard-redeem',
    [
      {
        name: 'partial',
        summary: 'Pay part of a purchase with the gift card',
        payload: { requestId: 'ex-10', code: 'GC-4G7K-PQ2M', credit: 200000 },
      },
    ],
  ],
  [
    'enroll',
    [
      {
        name: 'new-member',
        summary: 'A new member, brought by an existing one',
        payload: {
          requestId: 'ex-11',
          card: { uid: '04FF00112233AA' },
          member: {
            firstName: 'Aram',
            lastName: 'Petrosyan',
            phone: '+37491000000',
            birthDate: '1990-04-12',
            language: 'hy',
          },
          referrer: { uid: '04A1B2C3' },
          pin: '4321',
        },
      },
    ],
  ],
  [
    'card-replace',
    [
      {
        name: 'lost-card',
        summary: 'The new member lost their card',
        payload: {
          requestId: 'ex-12',
          card: { uid: '04FF00112233AA' },
          newCard: { uid: '04AB00112233CC' },
          managerCode: MANAGER_CODE,
        },
      },
    ],
  ],
  [
    'card-unlock',
    [
      {
        name: 'unlock',
        summary: 'A manager unlocks a card after wrong PINs',
        payload: { requestId: 'ex-13', card: { uid: '0A1B2C3D' }, managerCode: MANAGER_CODE },
      },
    ],
  ],
];

const over = 'S-3f9c2a';

export const KIOSK_EXAMPLES: Array<[KioskOp, Example[]]> = [
  [
    'history',
    [
      {
        name: 'last-ten',
        summary: 'The last ten entries',
        payload: { requestId: 'k-1', sessionId: over, limit: 10 },
      },
    ],
  ],
  [
    'redeem-reward',
    [
      {
        name: 'coffee',
        summary: 'A free coffee for 300 points',
        payload: { requestId: 'k-2', sessionId: over, rewardId: 'coffee', pin: '2345' },
      },
    ],
  ],
  [
    'convert',
    [
      {
        name: 'to-wallet',
        summary: '100 points into the wallet',
        payload: { requestId: 'k-3', sessionId: over, points: 100, pin: '2345' },
      },
    ],
  ],
  ['end', [{ name: 'done', summary: 'The member is done', payload: { requestId: 'k-4', sessionId: over } }]],
];
