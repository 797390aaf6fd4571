/**
 * PN532 normal information frames (user manual 6.2.1.1), pure functions:
 * `00 00 FF LEN LCS TFI PD… DCS 00` with LEN+LCS ≡ 0 and TFI+PD+DCS ≡ 0 (mod 256).
 */
export const TFI_HOST = 0xd4;
export const TFI_PN532 = 0xd5;
/** Application-level error frame TFI (`00 00 FF 01 FF 7F 81 00`). */
export const TFI_ERROR = 0x7f;

export const ACK_FRAME = Uint8Array.of(0x00, 0x00, 0xff, 0x00, 0xff, 0x00);
export const NACK_FRAME = Uint8Array.of(0x00, 0x00, 0xff, 0xff, 0x00, 0x00);

/** HSU wake-up: the PN532 sleeps after power-on until it sees 0x55 0x55 and idle bytes. */
export const WAKEUP = Uint8Array.of(0x55, 0x55, ...new Array<number>(14).fill(0));

export const Command = {
  GetFirmwareVersion: 0x02,
  SAMConfiguration: 0x14,
  RFConfiguration: 0x32,
  InDataExchange: 0x40,
  InListPassiveTarget: 0x4a,
  InRelease: 0x52,
} as const;

export type Pn532Packet =
  | { kind: 'ack' }
  | { kind: 'nack' }
  | { kind: 'frame'; tfi: number; data: Uint8Array };

export function checksum(bytes: Iterable<number>): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return (0x100 - sum) & 0xff;
}

/** Encodes one normal frame; `data` is PD0… (command code first). */
export function encodeFrame(tfi: number, data: Uint8Array): Uint8Array {
  const len = data.length + 1;
  if (len > 0xfe) throw new RangeError(`PN532 frame too long for a normal frame: ${len}`);
  const body = Uint8Array.of(tfi, ...data);
  return Uint8Array.of(0x00, 0x00, 0xff, len, checksum([len]), ...body, checksum(body), 0x00);
}
