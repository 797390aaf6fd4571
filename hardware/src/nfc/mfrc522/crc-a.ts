/** ISO/IEC 14443-3 CRC_A (preset 0x6363, reflected poly 0x8408); returns [LSB, MSB] as sent. */
export function crcA(data: Iterable<number>): [number, number] {
  let crc = 0x6363;
  for (const byte of data) {
    let ch = (byte ^ crc) & 0xff;
    ch = (ch ^ (ch << 4)) & 0xff;
    crc = ((crc >> 8) ^ (ch << 8) ^ (ch << 3) ^ (ch >> 4)) & 0xffff;
  }
  return [crc & 0xff, crc >> 8];
}

/** True when the last two bytes are the CRC_A of the rest. */
export function hasValidCrcA(frame: readonly number[] | Uint8Array): boolean {
  if (frame.length < 3) return false;
  const body = Array.from(frame.slice(0, -2));
  const [lo, hi] = crcA(body);
  return frame[frame.length - 2] === lo && frame[frame.length - 1] === hi;
}
