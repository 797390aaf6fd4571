/**
 * Normalises a UID as typed or printed by a reader (`04:a1:b2:c3`, `04-A1-B2-C3`, `04a1b2c3`)
 * to upper-case hex without separators. Returns undefined when it is not whole hex bytes.
 */
export function normaliseUid(input: string): string | undefined {
  const compact = input.trim().replace(/[\s:-]/g, '');
  if (compact.length < 2 || compact.length > 40 || compact.length % 2 !== 0) return undefined;
  if (!/^[0-9a-fA-F]+$/.test(compact)) return undefined;
  return compact.toUpperCase();
}

/**
 * Splits a byte stream into lines on CR, LF or CRLF. Pure: feed chunks, get complete lines.
 * (serialport's ReadlineParser with `\n` keeps the `\r` of CRLF readers and never ends a
 * line on a bare CR, so readers that print CR-only lines would never produce a tap.)
 */
export class LineSplitter {
  #buffer = '';
  readonly #maxLength: number;

  constructor(maxLength = 256) {
    this.#maxLength = maxLength;
  }

  push(chunk: Uint8Array): string[] {
    this.#buffer += Buffer.from(chunk).toString('latin1');
    const parts = this.#buffer.split(/\r\n|\r|\n/);
    // A CRLF split across chunks ends the line at the CR; the lone LF then yields an empty
    // line, which the filter below drops.
    this.#buffer = parts.pop() ?? '';
    if (this.#buffer.length > this.#maxLength) this.#buffer = ''; // line noise, not a UID
    return parts.filter((line) => line.trim().length > 0);
  }
}
