import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { guardPacketSize } from '../../../gateway/src/broker/packet-guard.ts';

/** Feeds chunks through the guard and returns the announced size it tripped on, if any. */
async function feed(limit: number, chunks: number[][]): Promise<number | null> {
  const stream = new PassThrough();
  let tripped: number | null = null;
  guardPacketSize(stream, limit, (announced) => {
    tripped = announced;
  });
  // A second reader keeps the stream flowing after the guard lets go, so 'end' always comes.
  stream.on('data', async () => {});
  const ended = new Promise((resolve) => stream.on('end', resolve));
  for (const chunk of chunks) stream.write(Buffer.from(chunk));
  stream.end();
  await ended;
  return tripped;
}

const packet = (remaining: number[], body: number): number[] => [
  0x30,
  ...remaining,
  ...new Array(body).fill(0),
];

describe('guardPacketSize (MQTT 3.1.1 §2.2.3 remaining length)', () => {
  it('lets packets up to the limit through, across chunk boundaries', async () => {
    // 200 = 0xC8 0x01 as a variable byte integer.
    const p = packet([0xc8, 0x01], 200);
    expect(
      await feed(200, [p.slice(0, 2), p.slice(2, 50), p.slice(50), packet([0x00], 0), packet([0x05], 5)]),
    ).toBeNull();
  });

  it('trips on the first packet announcing more than the limit, even with a split length', async () => {
    const small = packet([0x05], 5);
    // 16 384 = 0x80 0x80 0x01.
    expect(
      await feed(1000, [
        [...small, 0x30, 0x80],
        [0x80, 0x01],
      ]),
    ).toBe(16_384);
  });

  it('tracks packet boundaries: a body byte that looks like a header is not read as one', async () => {
    const body = [0x30, 0xff, 0xff, 0xff, 0x7f];
    expect(await feed(10, [[0x30, 0x05, ...body, ...packet([0x02], 2)]])).toBeNull();
  });
});
