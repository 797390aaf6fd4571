// Local declarations for the untyped `mfrc522-rpi` 2.1.3 (only what we call).
declare module 'mfrc522-rpi' {
  interface Mfrc522Spi {
    open(): void;
    write(data: Uint8Array): void;
    transfer(data: Uint8Array): Uint8Array;
  }

  interface ToCardResult {
    status: boolean;
    data: number[];
    bitSize: number;
  }

  class MFRC522 {
    constructor(spi: Mfrc522Spi);
    reset(): void;
    writeRegister(addr: number, value: number): void;
    readRegister(addr: number): number;
    setRegisterBitMask(reg: number, mask: number): void;
    clearRegisterBitMask(reg: number, mask: number): void;
    antennaOn(): void;
    antennaOff(): void;
    toCard(command: number, bitsToSend: number[]): ToCardResult;
    findCard(): { status: boolean | null; bitSize: number | null };
    getUid(): { status: boolean; data: number[] };
    calculateCRC(data: number[]): number[];
    selectCard(uid: number[]): number;
    authenticate(address: number, key: number[], uid: number[]): boolean;
    stopCrypto(): void;
    getDataForBlock(address: number): number[];
    /** Drives the reset pin through rpio; we use our own seam instead. */
    setResetPin(pin?: number): this;
    /** Enables the library's buzzer on every getUid(); we never call it. */
    setBuzzerPin(pin: number): this;
  }

  export default MFRC522;
}
