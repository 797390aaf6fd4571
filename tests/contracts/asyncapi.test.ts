import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { buildAsyncApi } from '../../gateway/src/contract/asyncapi.ts';
import { ERROR_CODES } from '../../gateway/src/contract/errors.ts';
import { KIOSK_OPS, TILL_OPS } from '../../gateway/src/contract/ops.ts';
import {
  errorResponse,
  KIOSK_OP_SCHEMAS,
  okResponse,
  TILL_OP_SCHEMAS,
} from '../../gateway/src/contract/schemas/index.ts';
import { EVENT_TYPES } from '../../gateway/src/contract/topics.ts';
import { type GatewayFixture, startGateway, TILL_SECRET } from '../fakes/gateway-fixture.ts';

type Json = Record<string, unknown>;

/** Follows a local `$ref` (`#/a/b/c`) inside the document. */
const resolve = (doc: Json, node: Json): Json => {
  const pointer = node.$ref;
  if (typeof pointer !== 'string') return node;
  return pointer
    .slice(2)
    .split('/')
    .reduce<Json>((at, key) => at[key] as Json, doc);
};

interface SentExample {
  operation: string;
  role: 'till' | 'kiosk';
  op: string;
  requestAddress: string;
  responseAddress: string;
  name: string;
  payload: Json;
}

/** Every example of every request operation, in the document's order. */
const examplesOf = (doc: Json): SentExample[] =>
  Object.entries(doc.operations as Record<string, Json>)
    // Requests: what the gateway receives and answers (a tap from an external reader has no reply).
    .filter(([, operation]) => operation.action === 'receive' && operation.reply !== undefined)
    .flatMap(([name, operation]) => {
      const channel = resolve(doc, operation.channel as Json);
      const reply = resolve(doc, (operation.reply as Json).channel as Json);
      const message = resolve(doc, resolve(doc, (operation.messages as Json[])[0]!));
      const address = String(channel.address);
      const [, , role, , , op] = address.split('/');
      return ((message.examples as Array<{ name: string; payload: Json }>) ?? []).map((example) => ({
        operation: name,
        role: role as 'till' | 'kiosk',
        op: op!,
        requestAddress: address,
        responseAddress: String(reply.address),
        name: example.name,
        payload: example.payload,
      }));
    });

describe('the AsyncAPI document of the MQTT interface', () => {
  const doc = buildAsyncApi();

  it('is a valid AsyncAPI 3.0 document for @asyncapi/parser', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
    const errors = diagnostics
      .filter((d) => d.severity === 0)
      .map((d) => `${d.path.join('.')}: ${d.message}`);
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    // Every till and kiosk op is an operation with a reply, and carries an example.
    const ids = document!
      .operations()
      .all()
      .map((o) => o.id());
    for (const op of TILL_OPS)
      expect(ids, op).toContain(`till${op.replace(/(^|-)(\w)/g, (_, _d, c: string) => c.toUpperCase())}`);
    for (const op of KIOSK_OPS)
      expect(ids, op).toContain(`kiosk${op.replace(/(^|-)(\w)/g, (_, _d, c: string) => c.toUpperCase())}`);
    const requests = document!
      .operations()
      .filterByReceive()
      .filter((o) => o.reply() !== undefined);
    expect(requests.length).toBe(TILL_OPS.length + KIOSK_OPS.length);
    for (const operation of requests) {
      expect(operation.reply()?.channel()?.address(), operation.id()).toMatch(/\/res\//);
      const examples = operation
        .messages()
        .all()
        .flatMap((m) => m.examples().all());
      expect(examples.length, operation.id()).toBeGreaterThan(0);
    }
    // Every published topic: kiosk sessions, taps, reader states, each event type, status.
    const addresses = document!
      .channels()
      .all()
      .map((c) => c.address());
    for (const type of EVENT_TYPES) expect(addresses).toContain(`loyalty/v1/events/${type}`);
    expect(addresses).toEqual(
      expect.arrayContaining(['loyalty/v1/gateway/status', 'loyalty/v1/kiosk/{kioskId}/session']),
    );
    // The error codes the gateway knows are the ones the document names.
    const codeSchema = ((doc.components as Json).schemas as Record<string, Json>).ErrorBody as Json;
    expect(((codeSchema.properties as Json).code as Json).enum).toEqual([...ERROR_CODES]);
  });

  it('has example requests that pass the schemas the gateway checks with', () => {
    const examples = examplesOf(doc);
    expect(new Set(examples.map((e) => e.op))).toEqual(new Set([...TILL_OPS, ...KIOSK_OPS]));
    for (const e of examples) {
      const schemas = e.role === 'till' ? TILL_OP_SCHEMAS[e.op as never] : KIOSK_OP_SCHEMAS[e.op as never];
      const parsed = (schemas as { request: z.ZodObject }).request.safeParse(e.payload);
      expect(parsed.success, `${e.operation} ${e.name}: ${parsed.error?.message}`).toBe(true);
    }
  });

  describe('on a running gateway', () => {
    let gw: GatewayFixture;
    let till: MqttClient;
    let kiosk: MqttClient;
    const answers = new Map<string, (body: Json) => void>();

    const connect = async (username: string, password: string, subscribe: string): Promise<MqttClient> => {
      const client = await mqtt.connectAsync(gw.url, {
        username,
        password,
        clientId: `${username}-${Math.random()}`,
        reconnectPeriod: 0,
      });
      client.on('message', (topic, payload) => {
        const body = JSON.parse(payload.toString()) as Json;
        answers.get(`${topic} ${String(body.requestId)}`)?.(body);
      });
      await client.subscribeAsync(subscribe, { qos: 1 });
      return client;
    };

    /** Publishes an example as its till or kiosk and waits for the answer on the reply channel. */
    const send = (e: SentExample, payload = e.payload): Promise<Json> => {
      const id = e.role === 'till' ? 'till-01' : 'kiosk-1';
      const address = e.requestAddress.replace(`{${e.role}Id}`, id);
      const reply = e.responseAddress.replace(`{${e.role}Id}`, id);
      return new Promise((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no answer to ${e.operation} ${e.name}`)), 10_000);
        answers.set(`${reply} ${String(payload.requestId)}`, (body) => {
          clearTimeout(timer);
          done(body);
        });
        (e.role === 'till' ? till : kiosk).publish(address, JSON.stringify(payload), { qos: 1 });
      });
    };

    const responseSchema = (e: SentExample) => {
      const schemas = e.role === 'till' ? TILL_OP_SCHEMAS[e.op as never] : KIOSK_OP_SCHEMAS[e.op as never];
      return z.union([okResponse((schemas as { result: z.ZodObject }).result), errorResponse]);
    };

    beforeAll(async () => {
      gw = await startGateway();
      till = await connect('till-01', TILL_SECRET, 'loyalty/v1/till/till-01/res/#');
      kiosk = await connect('kiosk-1', 'kiosk-secret', 'loyalty/v1/kiosk/kiosk-1/#');
    });
    afterAll(async () => {
      await till?.endAsync();
      await kiosk?.endAsync();
      await gw?.stop();
    });

    it('serves the committed document at GET /asyncapi.json on its HTTP port', async () => {
      const res = await fetch(`http://127.0.0.1:${gw.gateway.ports.http}/asyncapi.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      const served = (await res.json()) as Json;
      const committed = parse(readFileSync(new URL('../../docs/asyncapi.yaml', import.meta.url), 'utf8'));
      expect(served).toEqual(committed);
    });

    it('answers every example request without INVALID_REQUEST; the till story is answered ok', async () => {
      const served = (await (
        await fetch(`http://127.0.0.1:${gw.gateway.ports.http}/asyncapi.json`)
      ).json()) as Json;
      const examples = examplesOf(served);
      for (const e of examples) {
        const answer = await send(e);
        const where = `${e.operation} ${e.name}: ${JSON.stringify(answer)}`;
        expect(answer.requestId, where).toBe(e.payload.requestId);
        expect((answer.error as Json | undefined)?.code, where).not.toBe('INVALID_REQUEST');
        expect(responseSchema(e).safeParse(answer).success, where).toBe(true);
        // Till examples run on the demo store as one story; kiosk ones name a session that is over.
        if (e.role === 'till') expect(answer.ok, where).toBe(true);
        else expect(answer.error, where).toMatchObject({ code: 'SESSION_EXPIRED' });
      }
      expect(examples.filter((e) => e.role === 'till').length).toBeGreaterThanOrEqual(TILL_OPS.length);
    });

    it('answers the kiosk examples in a live session with the documented response shape', async () => {
      const session = new Promise<Json>((done) => {
        kiosk.on('message', (topic, payload) => {
          const body = JSON.parse(payload.toString()) as Json;
          if (topic.endsWith('/session') && body.state === 'member') done(body);
        });
      });
      gw.gateway.readers.simulated('reader-1')!.tap('04A1B2C3D4E5F6');
      const { sessionId } = await session;
      for (const e of examplesOf(doc).filter((x) => x.role === 'kiosk')) {
        const answer = await send(e, { ...e.payload, sessionId, requestId: `live-${e.payload.requestId}` });
        const where = `${e.operation} ${e.name}: ${JSON.stringify(answer)}`;
        expect((answer.error as Json | undefined)?.code, where).not.toBe('INVALID_REQUEST');
        expect(responseSchema(e).safeParse(answer).success, where).toBe(true);
        if (e.op === 'history' || e.op === 'end') expect(answer.ok, where).toBe(true);
      }
    });
  });
});
