import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestHandler } from '../../../gateway/src/broker/request-router.ts';
import { echo, type Harness, nextMessage, startHarness } from './helpers.ts';

const RES = 'loyalty/v1/till/till-01/res';
const REQ = 'loyalty/v1/till/till-01/req';

/** Echo, except a few requestIds that make the handler fail in the ways it can. */
const handler: RequestHandler = async (req) => {
  if (req.requestId === 'throw') throw new Error('database is on fire');
  if (req.requestId === 'coded')
    throw Object.assign(new Error('card 04AB is blocked'), { code: 'CARD_BLOCKED' });
  if (req.requestId === 'bigint') return { ok: true, n: 1n };
  if (req.requestId === 'refuse')
    return { ok: false, error: { code: 'CARD_UNKNOWN', message: 'no such card' } };
  return echo(req);
};

describe('request router (docs/protocol.md §1 Request / response)', () => {
  let h: Harness;
  let till: MqttClient;
  beforeAll(async () => {
    h = await startHarness({ onRequest: handler });
    till = await h.connect('till-01');
    await till.subscribeAsync(`${RES}/#`, { qos: 1 });
  });
  afterAll(() => h.cleanup());

  const ask = async (op: string, payload: string | Buffer, answerOn = op): Promise<unknown> => {
    const answer = nextMessage(till, `${RES}/${answerOn}`);
    await till.publishAsync(`${REQ}/${op}`, payload, { qos: 1 });
    return answer;
  };

  it('hands a request to onRequest and answers on res/{op} echoing the requestId', async () => {
    const body = { requestId: 'r-1', card: { uid: '04A1B2C3D4E5F6' } };
    expect(await ask('identify', JSON.stringify(body))).toEqual({
      requestId: 'r-1',
      ok: true,
      op: 'identify',
      role: 'till',
      clientId: 'till-01',
      sender: 'till-01',
      body,
    });
  });

  it('passes an ok:false outcome through unchanged', async () => {
    expect(await ask('sale', '{"requestId":"refuse"}')).toEqual({
      requestId: 'refuse',
      ok: false,
      error: { code: 'CARD_UNKNOWN', message: 'no such card' },
    });
  });

  it.each([
    ['not JSON', '{"requestId": "a",', 'payload: not valid JSON'],
    ['an array', '[{"requestId":"a"}]', 'payload: expected a JSON object'],
    ['a string', '"hello"', 'payload: expected a JSON object'],
    ['without requestId', '{"card":{"uid":"04"}}', 'requestId: expected a string of 1 to 200 characters'],
    ['with a numeric requestId', '{"requestId":42}', 'requestId: expected a string of 1 to 200 characters'],
    ['with an empty requestId', '{"requestId":""}', 'requestId: expected a string of 1 to 200 characters'],
  ])('answers a payload that is %s with INVALID_REQUEST on res/error', async (_name, payload, message) => {
    expect(await ask('sale', payload, 'error')).toEqual({
      requestId: null,
      ok: false,
      error: { code: 'INVALID_REQUEST', message },
    });
  });

  it('answers an unknown op on res/{op} with the requestId', async () => {
    expect(await ask('teleport', '{"requestId":"t-1"}')).toEqual({
      requestId: 't-1',
      ok: false,
      error: { code: 'INVALID_REQUEST', message: 'op: "teleport" is not a till op' },
    });
  });

  it('answers a topic below the op level on res/error', async () => {
    expect(await ask('sale/extra', '{"requestId":"t-2"}', 'error')).toMatchObject({
      requestId: null,
      error: { code: 'INVALID_REQUEST', message: 'topic: expected loyalty/v1/till/till-01/req/{op}' },
    });
  });

  it('drops a payload over 64 KiB, counts it, answers on res/error and keeps serving', async () => {
    const big = JSON.stringify({ requestId: 'big', pad: 'x'.repeat(64 * 1024) });
    expect(await ask('sale', big, 'error')).toEqual({
      requestId: null,
      ok: false,
      error: {
        code: 'INVALID_REQUEST',
        message: `payload: ${big.length} bytes exceeds the 65536-byte limit`,
      },
    });
    expect(h.broker.metrics().refusedPublishes.byReason.oversize).toBe(1);
    expect(await ask('identify', '{"requestId":"after-big"}')).toMatchObject({
      requestId: 'after-big',
      ok: true,
    });
  });

  it('closes a connection announcing a packet over the hard limit, and keeps serving others', async () => {
    const rogue = await h.connect('till-02');
    const closed = new Promise<void>((resolve) => rogue.once('close', () => resolve()));
    rogue.publish('loyalty/v1/till/till-02/req/sale', Buffer.alloc(1024 * 1024, 0x20), { qos: 0 });
    await closed;
    expect(h.broker.metrics().oversizePackets).toBe(1);
    expect(await ask('identify', '{"requestId":"after-rogue"}')).toMatchObject({ requestId: 'after-rogue' });
  });

  it('turns a handler exception into INTERNAL and keeps serving', async () => {
    expect(await ask('sale', '{"requestId":"throw"}')).toEqual({
      requestId: 'throw',
      ok: false,
      error: { code: 'INTERNAL', message: 'internal error; re-send the same requestId later' },
    });
    expect(await ask('sale', '{"requestId":"bigint"}')).toMatchObject({
      requestId: 'bigint',
      ok: false,
      error: { code: 'INTERNAL' },
    });
    expect(await ask('identify', '{"requestId":"after-throw"}')).toMatchObject({ ok: true });
    expect(h.broker.metrics().internalErrors).toBe(2);
  });

  it('keeps the code of a thrown error that carries a contract code', async () => {
    expect(await ask('sale', '{"requestId":"coded"}')).toEqual({
      requestId: 'coded',
      ok: false,
      error: { code: 'CARD_BLOCKED', message: 'card 04AB is blocked' },
    });
  });

  it('counts invalid requests by reason', () => {
    expect(h.broker.metrics().invalidRequests.byReason).toEqual({
      json: 1,
      'not-object': 2,
      'request-id': 3,
      op: 1,
      topic: 1,
      oversize: 1,
    });
  });

  it('routes kiosk requests to onRequest with role kiosk', async () => {
    const kiosk = await h.connect('kiosk-1');
    await kiosk.subscribeAsync('loyalty/v1/kiosk/kiosk-1/#', { qos: 1 });
    const answer = nextMessage(kiosk, 'loyalty/v1/kiosk/kiosk-1/res/end');
    await kiosk.publishAsync('loyalty/v1/kiosk/kiosk-1/req/end', '{"requestId":"k-1","sessionId":"s"}', {
      qos: 1,
    });
    expect(await answer).toMatchObject({
      requestId: 'k-1',
      ok: true,
      role: 'kiosk',
      op: 'end',
      clientId: 'kiosk-1',
    });
  });
});
