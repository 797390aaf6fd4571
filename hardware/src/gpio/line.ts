import { HardwareError } from '../types.ts';
import type { Clock } from '../util/clock.ts';

export type Level = 0 | 1;

/** One output line (LED, buzzer, reset pin). */
export interface GpioLine {
  readonly number: number;
  write(value: Level): Promise<void>;
  close(): void;
}

/** Opens sysfs GPIO `number` as an output, initially low. The seam in front of onoff's `Gpio`. */
export type GpioLineFactory = (number: number) => Promise<GpioLine>;

/** onoff's `Gpio` behind our factory; imported lazily (it loads `epoll`, a native addon). */
export const onoffLineFactory: GpioLineFactory = async (number) => {
  const { Gpio } = await import('onoff');
  if (!Gpio.accessible) {
    throw new HardwareError(
      'NOT_ACCESSIBLE',
      'GPIO sysfs interface (/sys/class/gpio) is not accessible: run on a Raspberry Pi with the ' +
        'gpio group (sudo usermod -aG gpio $USER, then log in again)',
    );
  }
  const gpio = new Gpio(number, 'low');
  return {
    number,
    // writeSync: a few bytes into sysfs; keeps the order of pattern steps strict.
    write: async (value) => gpio.writeSync(value),
    close: () => gpio.unexport(),
  };
};

export interface RecordedWrite {
  value: Level;
  at: number;
}

/** An emulated line that records every write with the (injected) clock's time. */
export class EmulatedGpioLine implements GpioLine {
  readonly writes: RecordedWrite[] = [];
  value: Level = 0;
  closed = false;

  constructor(
    readonly number: number,
    private readonly clock: Pick<Clock, 'now'> = { now: () => Date.now() },
  ) {}

  async write(value: Level): Promise<void> {
    if (this.closed) throw new HardwareError('IO', `gpio ${this.number} is closed`);
    this.value = value;
    this.writes.push({ value, at: this.clock.now() });
  }

  close(): void {
    this.closed = true;
  }
}

/** A factory of emulated lines, keeping them by number for assertions. */
export function emulatedLineFactory(clock?: Pick<Clock, 'now'>): {
  factory: GpioLineFactory;
  lines: Map<number, EmulatedGpioLine>;
} {
  const lines = new Map<number, EmulatedGpioLine>();
  return {
    lines,
    factory: async (number) => {
      const line = new EmulatedGpioLine(number, clock);
      lines.set(number, line);
      return line;
    },
  };
}
