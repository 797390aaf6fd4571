/**
 * MQTT 3.1.1 packets written byte by byte on a plain TCP socket, for clients that
 * misbehave in ways mqtt.js will not: stop reading, send half a packet, never ping.
 */
import { connect, type Socket } from 'node:net';

const str = (s: string): Buffer => {
  const body = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([len, body]);
};

/** §2.2.3 remaining length: 7 bits a byte, low first. */
const remainingLength = (n: number): Buffer => {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
};

const packet = (type: number, body: Buffer): Buffer =>
  Buffer.concat([Buffer.from([type]), remainingLength(body.length), body]);

export interface ConnectOptions {
  clientId: string;
  username?: string;
  password?: string;
  keepalive?: number;
  clean?: boolean;
}

export function connectPacket(o: ConnectOptions): Buffer {
  let flags = o.clean === false ? 0 : 0x02;
  if (o.username !== undefined) flags |= 0x80;
  if (o.password !== undefined) flags |= 0x40;
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(o.keepalive ?? 0);
  const parts = [str('MQTT'), Buffer.from([4, flags]), keepalive, str(o.clientId)];
  if (o.username !== undefined) parts.push(str(o.username));
  if (o.password !== undefined) parts.push(str(o.password));
  return packet(0x10, Buffer.concat(parts));
}

export function subscribePacket(messageId: number, filter: string, qos: 0 | 1 = 1): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(messageId);
  return packet(0x82, Buffer.concat([id, str(filter), Buffer.from([qos])]));
}

export function publishPacket(messageId: number, topic: string, payload: string): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(messageId);
  return packet(0x32, Buffer.concat([str(topic), id, Buffer.from(payload, 'utf8')]));
}

export const pingPacket = (): Buffer => Buffer.from([0xc0, 0x00]);

export interface RawClient {
  socket: Socket;
  /** Resolves with the CONNACK return code (the first packet the broker sends). */
  connack: Promise<number>;
  /** Resolves when the broker closes the connection. */
  closed: Promise<void>;
  isClosed(): boolean;
}

/**
 * Opens a socket (from `localAddress`, e.g. 127.0.0.2, to look like another machine),
 * sends `first` and resolves the CONNACK.
 */
export function rawClient(port: number, first?: Buffer, localAddress?: string): RawClient {
  const socket = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
  let closedFlag = false;
  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      closedFlag = true;
      resolve();
    });
  });
  socket.on('error', () => {});
  const connack = new Promise<number>((resolve) => {
    let seen = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      seen = Buffer.concat([seen, chunk]);
      if (seen.length >= 4 && seen[0] === 0x20) {
        socket.off('data', onData);
        resolve(seen[3]!);
      }
    };
    socket.on('data', onData);
    socket.once('close', () => resolve(-1));
  });
  if (first) socket.write(first);
  return { socket, connack, closed, isClosed: () => closedFlag };
}
