import type MFRC522 from 'mfrc522-rpi';
import { hasValidCrcA } from './crc-a.ts';
import { PcdCommand, Reg } from './registers.ts';

/** The `mfrc522-rpi` instance; its register and transceive primitives are all we build on. */
export type Mfrc522Lib = Pick<
  MFRC522,
  | 'writeRegister'
  | 'readRegister'
  | 'setRegisterBitMask'
  | 'clearRegisterBitMask'
  | 'toCard'
  | 'getUid'
  | 'calculateCRC'
  | 'authenticate'
  | 'stopCrypto'
  | 'reset'
>;

export interface SelectedCard {
  uid: number[];
  sak: number;
  atqa: number[];
}

const SEL = [0x93, 0x95, 0x97] as const;

/**
 * WUPA (not the library's REQA): it also wakes a card we HALTed after the last poll, so a
 * card held on the reader answers every poll instead of every other one.
 */
export function wakeup(lib: Mfrc522Lib): number[] | undefined {
  lib.writeRegister(Reg.BitFraming, 0x07);
  const r = lib.toCard(PcdCommand.Transceive, [0x52]);
  return r.status && r.bitSize === 16 ? r.data.slice(0, 2) : undefined;
}

function anticollision(lib: Mfrc522Lib, level: number): number[] | undefined {
  if (level === 0) {
    const r = lib.getUid(); // the library's cascade level 1 (checks BCC itself)
    return r.status ? r.data.slice(0, 5) : undefined;
  }
  lib.writeRegister(Reg.BitFraming, 0x00);
  const r = lib.toCard(PcdCommand.Transceive, [SEL[level]!, 0x20]);
  if (!r.status || r.data.length < 5) return undefined;
  const part = r.data.slice(0, 5);
  return (part[0]! ^ part[1]! ^ part[2]! ^ part[3]!) === part[4] ? part : undefined;
}

function select(lib: Mfrc522Lib, level: number, part: number[]): number | undefined {
  const frame = [SEL[level]!, 0x70, ...part];
  lib.writeRegister(Reg.BitFraming, 0x00);
  const r = lib.toCard(PcdCommand.Transceive, [...frame, ...lib.calculateCRC(frame)]);
  // SAK + CRC_A = 24 bits. The library's selectCard returns 0 both for "failed" and for SAK
  // 0x00 (Ultralight/NTAG), so we select ourselves and check the CRC it ignores.
  if (!r.status || r.bitSize !== 24 || !hasValidCrcA(r.data.slice(0, 3))) return undefined;
  return r.data[0];
}

/** Wakes, then runs anticollision + select over cascade levels 1–3: 4-, 7- and 10-byte UIDs. */
export function selectCard(lib: Mfrc522Lib): SelectedCard | undefined {
  const atqa = wakeup(lib);
  if (!atqa) return undefined;
  const uid: number[] = [];
  for (let level = 0; level < 3; level++) {
    const part = anticollision(lib, level);
    if (!part) return undefined;
    const sak = select(lib, level, part);
    if (sak === undefined) return undefined;
    if (sak & 0x04) {
      if (part[0] !== 0x88) return undefined; // cascade bit without cascade tag: not 14443-3
      uid.push(...part.slice(1, 4));
      continue;
    }
    uid.push(...part.slice(0, 4));
    return { uid, sak, atqa };
  }
  return undefined;
}

export function halt(lib: Mfrc522Lib): void {
  const frame = [0x50, 0x00];
  lib.writeRegister(Reg.BitFraming, 0x00);
  lib.toCard(PcdCommand.Transceive, [...frame, ...lib.calculateCRC(frame)]); // no answer expected
}

/**
 * Like the library's toCard but reads the whole FIFO: its 16-byte cap cuts the CRC_A off a
 * block read, and it never checks that CRC.
 */
export function transceiveLong(
  lib: Mfrc522Lib,
  data: number[],
): { bytes: number[]; bits: number } | undefined {
  lib.writeRegister(Reg.ComIEn, 0xf7);
  lib.clearRegisterBitMask(Reg.ComIrq, 0x80);
  lib.setRegisterBitMask(Reg.FIFOLevel, 0x80);
  lib.writeRegister(Reg.Command, PcdCommand.Idle);
  for (const b of data) lib.writeRegister(Reg.FIFOData, b);
  lib.writeRegister(Reg.BitFraming, 0x00);
  lib.writeRegister(Reg.Command, PcdCommand.Transceive);
  lib.setRegisterBitMask(Reg.BitFraming, 0x80);
  let irq = 0;
  for (let i = 0; i < 2000; i++) {
    irq = lib.readRegister(Reg.ComIrq);
    if (irq & 0x31) break;
  }
  lib.clearRegisterBitMask(Reg.BitFraming, 0x80);
  if (!(irq & 0x30) || lib.readRegister(Reg.Error) & 0x1b) return undefined;
  const level = lib.readRegister(Reg.FIFOLevel);
  const lastBits = lib.readRegister(Reg.Control) & 0x07;
  const bytes: number[] = [];
  for (let i = 0; i < level; i++) bytes.push(lib.readRegister(Reg.FIFOData));
  return { bytes, bits: lastBits ? (level - 1) * 8 + lastBits : level * 8 };
}

export function readBlock(lib: Mfrc522Lib, block: number): number[] | undefined {
  const frame = [0x30, block];
  const r = transceiveLong(lib, [...frame, ...lib.calculateCRC(frame)]);
  if (r?.bytes.length !== 18 || !hasValidCrcA(r.bytes)) return undefined;
  return r.bytes.slice(0, 16);
}

function acked(lib: Mfrc522Lib, frame: number[]): boolean {
  lib.writeRegister(Reg.BitFraming, 0x00);
  const r = lib.toCard(PcdCommand.Transceive, [...frame, ...lib.calculateCRC(frame)]);
  return r.status && r.bitSize === 4 && ((r.data[0] ?? 0) & 0x0f) === 0x0a;
}

/** MIFARE Classic WRITE: command, ACK, 16 bytes, ACK (without the library's console.log). */
export function writeBlock(lib: Mfrc522Lib, block: number, data: Uint8Array): boolean {
  return acked(lib, [0xa0, block]) && acked(lib, [...data]);
}
