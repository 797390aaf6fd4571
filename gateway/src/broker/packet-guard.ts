/**
 * Watches the MQTT fixed headers on a connection and reports the first packet that
 * announces more than `limit` bytes, before it is buffered. aedes' parser has no size
 * cap, so without this a client could make the Pi buffer a 256 MB packet.
 *
 * It observes with a 'data' listener: while aedes holds a 'readable' listener, Node emits
 * 'data' only for what aedes itself reads, so the flow of the stream is unchanged.
 */
import type { Readable } from 'node:stream';

export function guardPacketSize(
  stream: Readable,
  limit: number,
  onTooLarge: (announced: number) => void,
): void {
  let phase: 'type' | 'length' | 'body' = 'type';
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let remaining = 0;
  let tripped = false;

  const onData = (chunk: Buffer | string): void => {
    if (tripped || typeof chunk === 'string') return;
    let i = 0;
    while (i < chunk.length) {
      if (phase === 'body') {
        const skip = Math.min(remaining, chunk.length - i);
        i += skip;
        remaining -= skip;
        if (remaining === 0) phase = 'type';
        continue;
      }
      const byte = chunk[i++]!;
      if (phase === 'type') {
        phase = 'length';
        length = 0;
        multiplier = 1;
        lengthBytes = 0;
        continue;
      }
      // MQTT 3.1.1 §2.2.3: remaining length, 7 bits per byte, at most 4 bytes.
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      lengthBytes++;
      if (byte & 0x80 && lengthBytes < 4) continue;
      if (length > limit) {
        tripped = true;
        stream.off('data', onData);
        onTooLarge(length);
        return;
      }
      remaining = length;
      phase = remaining > 0 ? 'body' : 'type';
    }
  };
  stream.on('data', onData);
}
