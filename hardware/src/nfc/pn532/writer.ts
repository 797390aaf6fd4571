import type { SerialLink } from '../../transport/serial.ts';
import { ACK_FRAME, encodeFrame, TFI_HOST, WAKEUP } from './frame.ts';

/** Writes host frames; the only place that knows the TFI and the HSU wake-up preamble. */
export class Pn532Writer {
  constructor(private readonly link: Pick<SerialLink, 'write'>) {}

  command(code: number, params: readonly number[] = [], wakeup = false): Promise<void> {
    const frame = encodeFrame(TFI_HOST, Uint8Array.of(code, ...params));
    if (!wakeup) return this.link.write(frame);
    return this.link.write(Uint8Array.of(...WAKEUP, ...frame));
  }

  /** An ACK from the host aborts the command the PN532 is working on. */
  abort(): Promise<void> {
    return this.link.write(ACK_FRAME);
  }
}
