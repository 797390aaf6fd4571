/**
 * Watches the MQTT fixed headers on a connection and reports the first packet that
 * announces more than `limit` bytes, before it is buffered. aedes' parser has no size
 * cap, so without this a client could make the Pi buffer a 256 MB packet.
 *
 * With `stall`, it also reports a packet left half-sent: begun and not complete
 * `stall.timeoutMs` after its first byte. aedes' keepalive timer runs only between whole
 * packets, and with keepalive 0 not at all, so a client that sends half a packet would
 * otherwise keep its socket (and its buffers) for as long as it likes.
 *
 * It observes with a 'data' listener: while aedes holds a 'readable' listener, Node emits
 * 'data' only for what aedes itself reads, so the flow of the stream is unchanged. For the
 * same reason, bytes that arrived but that aedes has not read yet (it reads again once it
 * has handled what it has) are not the client's delay: the timer then waits again.
 */
import type { Readable } from 'node:stream';

export interface StallGuard {
  timeoutMs: number;
  onStalled: () => void;
}

export function guardPacketSize(
  stream: Readable,
  limit: number,
  onTooLarge: (announced: number) => void,
  stall?: StallGuard,
): void {
  let phase: 'type' | 'length' | 'body' = 'type';
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let remaining = 0;
  let tripped = false;
  let timer: NodeJS.Timeout | null = null;

  const clearTimer = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  const onTimeout = (): void => {
    timer = null;
    if (tripped || stream.destroyed) return;
    if (stream.readableLength > 0) {
      // aedes is behind, not the client: give the packet another period once it reads on.
      timer = setTimeout(onTimeout, stall!.timeoutMs);
      return;
    }
    tripped = true;
    stream.off('data', onData);
    stall!.onStalled();
  };

  const onData = (chunk: Buffer | string): void => {
    if (tripped || typeof chunk === 'string') return;
    let began = false;
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
        began = true;
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
        clearTimer();
        stream.off('data', onData);
        onTooLarge(length);
        return;
      }
      remaining = length;
      phase = remaining > 0 ? 'body' : 'type';
    }
    if (!stall) return;
    // The deadline runs from the first byte of the packet still incomplete at this point.
    if (phase === 'type') clearTimer();
    else if (began || !timer) {
      clearTimer();
      timer = setTimeout(onTimeout, stall.timeoutMs);
    }
  };
  stream.on('data', onData);
  stream.once('close', clearTimer);
}
