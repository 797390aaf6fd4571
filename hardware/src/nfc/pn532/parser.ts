import { checksum, type Pn532Packet } from './frame.ts';

/**
 * Turns a PN532 byte stream into packets. Resynchronises on garbage by scanning for the
 * `00 FF` start code, waits for frames split across reads, and drops (never throws on)
 * frames with a bad LCS or DCS; `dropped` counts them for diagnostics.
 */
export class Pn532Parser {
  #buffer = new Uint8Array(0);
  dropped = 0;

  push(chunk: Uint8Array): Pn532Packet[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    let buf = joined;
    const packets: Pn532Packet[] = [];
    for (;;) {
      const start = findStartCode(buf);
      if (start < 0) {
        // Keep a trailing 00: it may be the first half of the next start code.
        buf = buf.length > 0 && buf[buf.length - 1] === 0x00 ? buf.slice(-1) : new Uint8Array(0);
        break;
      }
      buf = buf.slice(start);
      if (buf.length < 4) break;
      const len = buf[2]!;
      const lcs = buf[3]!;
      if (len === 0x00 && lcs === 0xff) {
        packets.push({ kind: 'ack' });
        buf = buf.slice(4);
        continue;
      }
      if (len === 0xff && lcs === 0x00) {
        packets.push({ kind: 'nack' });
        buf = buf.slice(4);
        continue;
      }
      if (((len + lcs) & 0xff) !== 0 || len === 0) {
        // Bad length checksum (or an extended frame, which we never ask for): skip this
        // start code and look for the next one.
        this.dropped++;
        buf = buf.slice(2);
        continue;
      }
      if (buf.length < 5 + len) break; // split frame: wait for the rest
      const body = buf.subarray(4, 4 + len);
      const dcs = buf[4 + len]!;
      if (checksum(body) !== dcs) {
        this.dropped++;
        buf = buf.slice(2);
        continue;
      }
      packets.push({ kind: 'frame', tfi: body[0]!, data: body.slice(1) });
      buf = buf.slice(5 + len);
    }
    this.#buffer = buf;
    return packets;
  }

  reset(): void {
    this.#buffer = new Uint8Array(0);
  }
}

function findStartCode(buf: Uint8Array): number {
  for (let i = 0; i + 1 < buf.length; i++) {
    if (buf[i] === 0x00 && buf[i + 1] === 0xff) return i;
  }
  return -1;
}
