import type { ResetLine } from '../types.ts';
import { type Clock, delay, systemClock } from '../util/clock.ts';
import type { GpioLine } from './line.ts';

/**
 * MFRC522 hard reset on a GPIO line (NRSTPD low, then high). Replaces the library's
 * rpio-based setResetPin, which cannot drive a Pi 5 and silently mocks off a Pi.
 */
export function gpioResetLine(line: GpioLine, clock: Clock = systemClock, lowMs = 50): ResetLine {
  return {
    async pulse() {
      await line.write(0);
      await delay(clock, lowMs);
      await line.write(1);
      await delay(clock, 50); // oscillator start-up before the first SPI access
    },
  };
}
