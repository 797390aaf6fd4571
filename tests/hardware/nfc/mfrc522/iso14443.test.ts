import MFRC522 from 'mfrc522-rpi';
import { describe, expect, it } from 'vitest';
import { EmulatedCard } from '../../../../hardware/src/nfc/emulated-card.ts';
import { crcA, hasValidCrcA } from '../../../../hardware/src/nfc/mfrc522/crc-a.ts';
import { Mfrc522Emulator } from '../../../../hardware/src/nfc/mfrc522/emulator.ts';
import { halt, readBlock, selectCard, writeBlock } from '../../../../hardware/src/nfc/mfrc522/iso14443.ts';
import { toHex } from '../../../../hardware/src/util/logger.ts';

const KEY = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

function setup(uid?: string, sak?: number): { chip: Mfrc522Emulator; lib: MFRC522 } {
  const chip = new Mfrc522Emulator();
  const lib = new MFRC522(chip); // the real library, talking SPI to the emulator
  lib.reset();
  if (uid) chip.placeCard(new EmulatedCard({ uid, sak }));
  return { chip, lib };
}

describe('CRC_A', () => {
  it('matches ISO 14443-3 examples (HLTA = 50 00 57 CD)', () => {
    expect(crcA([0x50, 0x00])).toEqual([0x57, 0xcd]);
    expect(hasValidCrcA([0x50, 0x00, 0x57, 0xcd])).toBe(true);
    expect(hasValidCrcA([0x50, 0x00, 0x57, 0xce])).toBe(false);
  });
});

describe('the real mfrc522-rpi library against the emulator', () => {
  it('opens the SPI object, resets the chip and reads VersionReg 0x92', () => {
    const { chip, lib } = setup();
    expect(chip.opened).toBe(true);
    expect(lib.readRegister(0x37)).toBe(0x92);
    expect(chip.commands).toContain(0x0f); // SoftReset
  });

  it('the library alone finds a 4-byte card (findCard, getUid, selectCard)', () => {
    const { lib } = setup('04A1B2C3');
    expect(lib.findCard().status).toBe(true);
    const uid = lib.getUid();
    expect(uid.status).toBe(true);
    expect(toHex(uid.data.slice(0, 4))).toBe('04A1B2C3');
    expect(lib.selectCard(uid.data)).toBe(0x08);
  });

  it('the library alone sees only cascade tag + 3 bytes of a 7-byte UID (why we add levels 2 and 3)', () => {
    const { lib } = setup('04112233445566');
    lib.findCard();
    const uid = lib.getUid();
    expect(toHex(uid.data.slice(0, 4))).toBe('88041122');
    expect(lib.selectCard(uid.data)).toBe(0x04);
  });

  it.each([
    ['04A1B2C3', 0x08, 'MIFARE Classic 1K, 4 bytes'],
    ['04112233445566', 0x00, 'NTAG, 7 bytes'],
    ['04112233445566778899', 0x20, 'ISO 14443-4, 10 bytes'],
  ])('selectCard completes %s (%s)', (uid, sak) => {
    const { lib } = setup(uid, sak);
    const card = selectCard(lib);
    expect(card && toHex(card.uid)).toBe(uid);
    expect(card?.sak).toBe(sak);
  });

  it('finds a held card on every poll (HLTA then WUPA), and nothing once removed', () => {
    const { chip, lib } = setup('04112233445566');
    for (let i = 0; i < 5; i++) {
      expect(selectCard(lib)).toBeDefined();
      halt(lib);
    }
    chip.removeCard();
    expect(selectCard(lib)).toBeUndefined();
  });

  it('authenticates with key A and reads and writes a 16-byte block', () => {
    const { lib } = setup('04A1B2C3');
    const card = selectCard(lib)!;
    expect(lib.authenticate(4, KEY, card.uid)).toBe(true);
    const data = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
    expect(writeBlock(lib, 4, data)).toBe(true);
    expect(readBlock(lib, 4)).toEqual([...data]);
    // The library's own read gives the same 16 bytes (it drops the CRC it never checks).
    expect(lib.getDataForBlock(4)).toEqual([...data]);
    lib.stopCrypto();
  });

  it('refuses a wrong key and reads nothing without authentication', () => {
    const { lib } = setup('04A1B2C3');
    const card = selectCard(lib)!;
    expect(readBlock(lib, 4)).toBeUndefined();
    selectCard(lib);
    expect(lib.authenticate(4, [1, 2, 3, 4, 5, 6], card.uid)).toBe(false);
  });
});
