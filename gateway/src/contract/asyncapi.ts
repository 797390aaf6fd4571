/**
 * The AsyncAPI 3.0 document of the MQTT interface (docs/protocol.md §1), built from the
 * same zod schemas the gateway checks requests with (contract/schemas). Served at
 * GET /asyncapi.json and committed as docs/asyncapi.yaml (`npm run contracts`). Written
 * from the gateway's side: it *receives* requests and *sends* responses and messages.
 */
import { z } from 'zod';
import { ERROR_CODES } from './errors.ts';
import type { KioskOp, TillOp } from './ops.ts';
import * as common from './schemas/common.ts';
import { KIOSK_EXAMPLES, TILL_EXAMPLES } from './schemas/examples.ts';
import { KIOSK_OP_SCHEMAS, type OpSchemas, TILL_OP_SCHEMAS } from './schemas/index.ts';
import * as kiosk from './schemas/kiosk.ts';
import { EVENT_TYPES, TOPIC_ROOT } from './topics.ts';

type Json = Record<string, unknown>;

const pascal = (s: string): string =>
  s
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
const ref = (kind: string, name: string): Json => ({ $ref: `#/components/${kind}/${name}` });
/** Operations name root channels (and their messages), never components. */
const channelRef = (path: string): Json => ({ $ref: `#/channels/${path}` });
const QOS1 = { mqtt: { qos: 1, retain: false, bindingVersion: '0.2.0' } };

/** Shared pieces get their own component; everything else is inlined in its payload. */
const SHARED: Array<[string, z.ZodType]> = [
  ['CardRef', common.cardRef],
  ['NewCardRef', common.newCardRef],
  ['Balances', common.balances],
  ['MemberSummary', common.memberSummary],
  ['NextTier', common.nextTier],
  ['Discount', common.discount],
  ['EarnedAmounts', common.earned],
  ['CardStatus', common.cardStatus],
  ['ErrorBody', common.errorBody],
  ['ErrorResponse', common.errorResponse],
  ['KioskSession', kiosk.kioskSession],
  ['ReaderTap', kiosk.readerTap],
  ['ReaderState', kiosk.readerState],
  ['EventMessage', kiosk.eventMessage],
  ['GatewayStatus', kiosk.gatewayStatus],
];

interface OpEntry {
  role: 'till' | 'kiosk';
  op: TillOp | KioskOp;
  schemas: OpSchemas;
  examples: Array<{ name: string; summary: string; payload: Json }>;
}

const opEntries = (): OpEntry[] => [
  ...TILL_EXAMPLES.map(([op, examples]) => ({
    role: 'till' as const,
    op,
    schemas: TILL_OP_SCHEMAS[op],
    examples,
  })),
  ...KIOSK_EXAMPLES.map(([op, examples]) => ({
    role: 'kiosk' as const,
    op,
    schemas: KIOSK_OP_SCHEMAS[op],
    examples,
  })),
];

/** Every payload schema as JSON Schema (draft-07, AsyncAPI's default), shared parts by $ref. */
const componentSchemas = (entries: OpEntry[]): Record<string, Json> => {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of SHARED) registry.add(schema, { id });
  for (const { role, op, schemas } of entries) {
    const name = `${pascal(role)}${pascal(op)}`;
    registry.add(schemas.request.extend({ requestId: common.requestId }), { id: `${name}Request` });
    registry.add(z.union([common.okResponse(schemas.result), common.errorResponse]), {
      id: `${name}Response`,
    });
  }
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  const out: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema as Json;
    out[id] = rest;
  }
  return out;
};

const parameter = (description: string): Json => ({ description });

export function buildAsyncApi(): Json {
  const entries = opEntries();
  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {};

  for (const { role, op, schemas, examples } of entries) {
    const name = `${pascal(role)}${pascal(op)}`;
    const idParam = `${role}Id`;
    const params = { [idParam]: parameter(`The ${role}'s id, its MQTT username`) };
    messages[`${name}Request`] = {
      name: `${name}Request`,
      title: `${op} request`,
      summary: schemas.summary,
      contentType: 'application/json',
      payload: ref('schemas', `${name}Request`),
      examples,
    };
    messages[`${name}Response`] = {
      name: `${name}Response`,
      title: `${op} response`,
      summary: `ok:true with the ${op} result, or ok:false with an error code`,
      contentType: 'application/json',
      payload: ref('schemas', `${name}Response`),
    };
    channels[`${role}${pascal(op)}Request`] = {
      address: `${TOPIC_ROOT}/${role}/{${idParam}}/req/${op}`,
      messages: { request: ref('messages', `${name}Request`) },
      parameters: params,
    };
    channels[`${role}${pascal(op)}Response`] = {
      address: `${TOPIC_ROOT}/${role}/{${idParam}}/res/${op}`,
      messages: { response: ref('messages', `${name}Response`) },
      parameters: params,
    };
    operations[`${role}${pascal(op)}`] = {
      action: 'receive',
      title: `${role} ${op}`,
      summary: schemas.summary,
      channel: channelRef(`${role}${pascal(op)}Request`),
      messages: [channelRef(`${role}${pascal(op)}Request/messages/request`)],
      reply: {
        channel: channelRef(`${role}${pascal(op)}Response`),
        messages: [channelRef(`${role}${pascal(op)}Response/messages/response`)],
      },
      bindings: QOS1,
    };
  }

  const published = (
    key: string,
    address: string,
    message: string,
    summary: string,
    parameters?: Json,
    retain = false,
  ): void => {
    messages[message] ??= {
      name: message,
      contentType: 'application/json',
      payload: ref('schemas', message),
    };
    channels[key] = {
      address,
      messages: { [message]: ref('messages', message) },
      ...(parameters ? { parameters } : {}),
    };
    operations[key] = {
      action: 'send',
      summary,
      channel: channelRef(key),
      messages: [channelRef(`${key}/messages/${message}`)],
      bindings: { mqtt: { ...QOS1.mqtt, retain } },
    };
  };
  for (const role of ['till', 'kiosk'] as const) {
    published(
      `${role}Error`,
      `${TOPIC_ROOT}/${role}/{${role}Id}/res/error`,
      'ErrorResponse',
      'A request with no readable requestId (not JSON, not an object, too large): requestId null',
      { [`${role}Id`]: parameter(`The ${role}'s id`) },
    );
  }
  published(
    'kioskSession',
    `${TOPIC_ROOT}/kiosk/{kioskId}/session`,
    'KioskSession',
    "A tap at the kiosk's reader opens a session; {state: idle} ends it. Never retained (personal data)",
    { kioskId: parameter("The kiosk's id") },
  );
  published(
    'readerTap',
    `${TOPIC_ROOT}/reader/{readerId}/tap`,
    'ReaderTap',
    "A tap at one of the gateway's readers (an integration publishes taps of external readers here)",
    { readerId: parameter("The reader's id in the config") },
  );
  // An integration publishes the taps of a reader the gateway does not drive (`driver: external`).
  operations.readerTapExternal = {
    action: 'receive',
    summary: 'A tap at an external reader, published by an integration (config readers[].driver: external)',
    channel: channelRef('readerTap'),
    messages: [channelRef('readerTap/messages/ReaderTap')],
    bindings: QOS1,
  };
  published(
    'readerState',
    `${TOPIC_ROOT}/reader/{readerId}/state`,
    'ReaderState',
    "A reader's state, retained",
    { readerId: parameter("The reader's id in the config") },
    true,
  );
  for (const type of EVENT_TYPES)
    published(
      `event${pascal(type)}`,
      `${TOPIC_ROOT}/events/${type}`,
      'EventMessage',
      `Integration event ${type}: member id only, no PII unless the integration is allowed it`,
    );
  published(
    'gatewayStatus',
    `${TOPIC_ROOT}/gateway/status`,
    'GatewayStatus',
    "The gateway's status, retained; {online:false} is its last will",
    undefined,
    true,
  );

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Loyalty Edge store gateway — MQTT interface',
      version: '1.0.0',
      description: [
        'The MQTT contract of a Loyalty Edge store gateway (docs/protocol.md §1, contract v1 with its additions).',
        'Generated from the zod schemas the gateway validates requests with; `npm run contracts` regenerates docs/asyncapi.yaml.',
        'Every request is `{requestId, ...op fields}` on `req/{op}` (QoS 1); its answer comes on `res/{op}`:',
        '`{requestId, ok: true, ...result}` or `{requestId, ok: false, error: {code, message}}`.',
        'The same requestId always gets the identical answer; an `ok` answer is durable. Money: integer minor units.',
        `Error codes: ${ERROR_CODES.join(', ')}.`,
      ].join('\n'),
    },
    defaultContentType: 'application/json',
    servers: {
      mqtt: {
        host: '{gateway}:{port}',
        protocol: 'mqtt',
        protocolVersion: '3.1.1',
        description: 'The embedded broker over TCP (config mqtt.port)',
        variables: {
          gateway: { default: 'localhost', description: "The gateway's address in the store network" },
          port: { default: '1883' },
        },
        security: [ref('securitySchemes', 'clientSecret')],
      },
      websocket: {
        host: '{gateway}:{port}',
        pathname: '/mqtt',
        protocol: 'ws',
        description: 'MQTT over WebSocket on the HTTP port (config http.port), subprotocol mqtt',
        variables: {
          gateway: { default: 'localhost', description: "The gateway's address in the store network" },
          port: { default: '8080' },
        },
        security: [ref('securitySchemes', 'clientSecret')],
      },
    },
    channels,
    operations,
    components: {
      schemas: componentSchemas(entries),
      messages,
      securitySchemes: {
        clientSecret: {
          type: 'userPassword',
          description:
            'Username: the client id (till-01, kiosk-1, node-red); password: its secret. Anonymous: CONNACK 5. ' +
            'MQTT client id: one naming another client (its id or `{id}-…`) is refused with CONNACK 2; any other is bound to the identity. After five failed logins from an address or ' +
            'for a username, attempts wait (1 s doubling to 60 s), refused meanwhile with CONNACK 3',
        },
      },
    },
  };
}
