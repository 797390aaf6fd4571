/** MFRC522 register addresses and commands (datasheet 9.2, 10.3) used by driver and emulator. */
export const Reg = {
  Command: 0x01,
  ComIEn: 0x02,
  DivIEn: 0x03,
  ComIrq: 0x04,
  DivIrq: 0x05,
  Error: 0x06,
  Status1: 0x07,
  Status2: 0x08,
  FIFOData: 0x09,
  FIFOLevel: 0x0a,
  Control: 0x0c,
  BitFraming: 0x0d,
  Coll: 0x0e,
  Mode: 0x11,
  TxControl: 0x14,
  CRCResultH: 0x21,
  CRCResultL: 0x22,
  Version: 0x37,
} as const;

export const PcdCommand = {
  Idle: 0x00,
  Mem: 0x01,
  CalcCRC: 0x03,
  Transmit: 0x04,
  Receive: 0x08,
  Transceive: 0x0c,
  MFAuthent: 0x0e,
  SoftReset: 0x0f,
} as const;

/** VersionReg values of chips that answer like an MFRC522 (0x88 is the FM17522 clone). */
export const KNOWN_VERSIONS: ReadonlyMap<number, string> = new Map([
  [0x91, 'MFRC522 v1.0'],
  [0x92, 'MFRC522 v2.0'],
  [0x88, 'FM17522 clone'],
  [0x12, 'FM17522 clone'],
]);
