import type { SpiDevice } from '../../transport/spi.ts';
import type { EmulatedCard } from '../emulated-card.ts';
import { crcA } from './crc-a.ts';
import { type AirFrame, VirtualPicc } from './picc.ts';
import { PcdCommand, Reg } from './registers.ts';

/**
 * A register-level MFRC522 behind the same synchronous SPI object the `mfrc522-rpi`
 * library drives, so the real library code runs against it. Commands complete at once
 * (the library's busy-wait loops see the IRQ bit on their first read).
 */
export class Mfrc522Emulator implements SpiDevice {
  readonly #regs = new Uint8Array(64);
  #fifo: number[] = [];
  #picc: VirtualPicc | undefined;
  #opened = false;
  /** When false, every register reads 0x00, like a reader with a loose wire. */
  connected = true;
  /** Every command written to CommandReg, for assertions. */
  readonly commands: number[] = [];

  constructor() {
    this.#softReset();
  }

  get opened(): boolean {
    return this.#opened;
  }

  placeCard(card: EmulatedCard): void {
    this.#picc = new VirtualPicc(card);
  }

  removeCard(): void {
    this.#picc = undefined;
    this.#regs[Reg.Status2] = this.#regs[Reg.Status2]! & ~0x08;
  }

  open(): void {
    this.#opened = true;
  }

  close(): void {
    this.#opened = false;
  }

  write(data: Uint8Array): void {
    this.transfer(data);
  }

  transfer(data: Uint8Array): Uint8Array {
    const out = new Uint8Array(data.length);
    const first = data[0] ?? 0;
    const addr = (first >> 1) & 0x3f;
    if (first & 0x80) {
      // Read: each following byte clocks out the register addressed by the byte before it.
      for (let i = 1; i < data.length; i++) {
        const a = ((data[i - 1] ?? 0) >> 1) & 0x3f;
        out[i] = this.connected ? this.#read(i === 1 ? addr : a) : 0;
      }
      return out;
    }
    if (this.connected) for (let i = 1; i < data.length; i++) this.#write(addr, data[i]!);
    return out;
  }

  #read(addr: number): number {
    if (addr === Reg.FIFOData) return this.#fifo.shift() ?? 0;
    if (addr === Reg.FIFOLevel) return Math.min(this.#fifo.length, 64);
    return this.#regs[addr]!;
  }

  #write(addr: number, value: number): void {
    switch (addr) {
      case Reg.FIFOData:
        if (this.#fifo.length < 64) this.#fifo.push(value);
        else this.#regs[Reg.Error] = this.#regs[Reg.Error]! | 0x10; // BufferOvfl
        return;
      case Reg.FIFOLevel:
        if (value & 0x80) this.#fifo = [];
        return;
      case Reg.ComIrq:
      case Reg.DivIrq:
        // Bit 7 (Set1/Set2) says whether the marked bits are set or cleared.
        this.#regs[addr] = value & 0x80 ? this.#regs[addr]! | (value & 0x7f) : this.#regs[addr]! & ~value;
        return;
      case Reg.Status2:
        this.#regs[addr] = value;
        if (!(value & 0x08)) this.#picc?.endCrypto();
        return;
      case Reg.Command:
        this.#regs[addr] = value & 0x3f;
        this.#command(value & 0x0f);
        return;
      case Reg.BitFraming:
        this.#regs[addr] = value;
        if (value & 0x80 && (this.#regs[Reg.Command]! & 0x0f) === PcdCommand.Transceive) this.#transceive();
        return;
      case Reg.Version:
        return; // read-only
      default:
        this.#regs[addr] = value;
    }
  }

  #command(cmd: number): void {
    this.commands.push(cmd);
    switch (cmd) {
      case PcdCommand.SoftReset:
        this.#softReset();
        return;
      case PcdCommand.CalcCRC: {
        const [lo, hi] = crcA(this.#fifo);
        this.#fifo = [];
        this.#regs[Reg.CRCResultL] = lo;
        this.#regs[Reg.CRCResultH] = hi;
        this.#regs[Reg.DivIrq] = this.#regs[Reg.DivIrq]! | 0x04; // CRCIRq
        return;
      }
      case PcdCommand.MFAuthent:
        this.#authenticate();
        return;
      case PcdCommand.Transceive:
        if (this.#regs[Reg.BitFraming]! & 0x80) this.#transceive();
        return;
      default:
        return; // Idle, Mem, Transmit, Receive: nothing observable here
    }
  }

  #authenticate(): void {
    const [, block = 0, ...rest] = this.#fifo;
    this.#fifo = [];
    this.#regs[Reg.Error] = 0;
    const ok =
      this.#fieldOn &&
      this.#picc?.authenticate(block, Uint8Array.from(rest.slice(0, 6)), Uint8Array.from(rest.slice(6, 10)));
    if (ok) {
      this.#regs[Reg.Status2] = this.#regs[Reg.Status2]! | 0x08; // MFCrypto1On
      this.#regs[Reg.ComIrq] = this.#regs[Reg.ComIrq]! | 0x10; // IdleIRq
    } else {
      this.#regs[Reg.ComIrq] = this.#regs[Reg.ComIrq]! | 0x01; // TimerIRq: the card never answered
    }
  }

  get #fieldOn(): boolean {
    return (this.#regs[Reg.TxControl]! & 0x03) === 0x03;
  }

  #transceive(): void {
    const frame: AirFrame = { bytes: this.#fifo, lastBits: this.#regs[Reg.BitFraming]! & 0x07 };
    this.#fifo = [];
    this.#regs[Reg.Error] = 0;
    const answer = this.#fieldOn ? this.#picc?.receive(frame) : undefined;
    this.#regs[Reg.ComIrq] = this.#regs[Reg.ComIrq]! | 0x40; // TxIRq
    if (!answer) {
      this.#regs[Reg.ComIrq] = this.#regs[Reg.ComIrq]! | 0x01; // TimerIRq: nothing came back
      return;
    }
    this.#fifo = answer.bytes.slice(0, 64);
    this.#regs[Reg.Control] = (this.#regs[Reg.Control]! & ~0x07) | (answer.lastBits & 0x07);
    this.#regs[Reg.ComIrq] = this.#regs[Reg.ComIrq]! | 0x20; // RxIRq
  }

  #softReset(): void {
    this.#regs.fill(0);
    this.#fifo = [];
    this.#regs[Reg.Command] = 0x20;
    this.#regs[Reg.ComIEn] = 0x80;
    this.#regs[Reg.ComIrq] = 0x14;
    this.#regs[Reg.Mode] = 0x3f;
    this.#regs[Reg.TxControl] = 0x80; // antenna off until the driver turns it on
    this.#regs[Reg.Control] = 0x10;
    this.#regs[Reg.Version] = 0x92;
    this.#picc?.reset();
  }
}
