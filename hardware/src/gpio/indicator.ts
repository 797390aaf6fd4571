import type { Indicator, IndicatorPattern, Logger } from '../types.ts';
import { type Clock, systemClock } from '../util/clock.ts';
import { errorMessage, noopLogger } from '../util/logger.ts';
import { type GpioLine, type GpioLineFactory, type Level, onoffLineFactory } from './line.ts';
import { findHeaderChip, sysfsNumber } from './sysfs-chip.ts';

export type IndicatorOutput = 'green' | 'red' | 'buzzer';

export interface PatternStep {
  set: Partial<Record<IndicatorOutput, Level>>;
  holdMs: number;
}

export interface PatternDefinition {
  steps: PatternStep[];
  /** Repeat until another pattern is shown (busy); otherwise fall back to idle. */
  repeat: boolean;
}

const OFF: PatternStep = { set: { green: 0, red: 0, buzzer: 0 }, holdMs: 0 };

/** Short beep + green for a good tap; three beeps + red for a refusal; slow green blink while busy. */
export const DEFAULT_PATTERNS: Record<IndicatorPattern, PatternDefinition> = {
  idle: { steps: [OFF], repeat: false },
  ok: {
    steps: [{ set: { green: 1, red: 0, buzzer: 1 }, holdMs: 80 }, { set: { buzzer: 0 }, holdMs: 720 }, OFF],
    repeat: false,
  },
  error: {
    steps: [
      { set: { green: 0, red: 1, buzzer: 1 }, holdMs: 120 },
      { set: { buzzer: 0 }, holdMs: 80 },
      { set: { buzzer: 1 }, holdMs: 120 },
      { set: { buzzer: 0 }, holdMs: 80 },
      { set: { buzzer: 1 }, holdMs: 120 },
      { set: { buzzer: 0 }, holdMs: 1_000 },
      OFF,
    ],
    repeat: false,
  },
  busy: {
    steps: [
      { set: { green: 1, red: 0, buzzer: 0 }, holdMs: 250 },
      { set: { green: 0 }, holdMs: 250 },
    ],
    repeat: true,
  },
};

export interface GpioIndicatorOptions {
  /** BCM numbers (not physical pins, not sysfs numbers); any may be left out. */
  pins: Partial<Record<IndicatorOutput, number>>;
  sysfsRoot?: string;
  lineFactory?: GpioLineFactory;
  clock?: Clock;
  logger?: Logger;
  patterns?: Partial<Record<IndicatorPattern, PatternDefinition>>;
}

/** LEDs and a buzzer on header GPIOs through onoff (or any line factory). */
export class GpioIndicator implements Indicator {
  readonly #options: GpioIndicatorOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #patterns: Record<IndicatorPattern, PatternDefinition>;
  readonly #lines = new Map<IndicatorOutput, GpioLine>();
  #timer: unknown;
  #generation = 0;

  constructor(options: GpioIndicatorOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? noopLogger;
    this.#patterns = { ...DEFAULT_PATTERNS, ...options.patterns };
  }

  async start(): Promise<void> {
    if (this.#lines.size > 0) return;
    const chip = await findHeaderChip(this.#options.sysfsRoot);
    const factory = this.#options.lineFactory ?? onoffLineFactory;
    try {
      for (const [output, bcm] of Object.entries(this.#options.pins) as [IndicatorOutput, number][]) {
        this.#lines.set(output, await factory(sysfsNumber(chip, bcm)));
      }
    } catch (error) {
      this.#closeLines();
      throw error;
    }
    this.#logger.info('indicator ready', { chip: chip.label, base: chip.base });
    this.show('idle');
  }

  async stop(): Promise<void> {
    this.#cancel();
    await this.#apply(OFF.set);
    this.#closeLines();
  }

  show(pattern: IndicatorPattern): void {
    this.#cancel();
    const generation = this.#generation;
    const def = this.#patterns[pattern];
    const run = (index: number): void => {
      if (generation !== this.#generation) return;
      const step = def.steps[index];
      if (!step) {
        if (def.repeat) run(0);
        else if (pattern !== 'idle') this.show('idle');
        return;
      }
      void this.#apply(step.set);
      if (step.holdMs <= 0) run(index + 1);
      else this.#timer = this.#clock.setTimeout(() => run(index + 1), step.holdMs);
    };
    run(0);
  }

  #cancel(): void {
    this.#generation++;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Starts every write at once, in step order, so a later step can never overtake an earlier one. */
  #apply(set: PatternStep['set']): Promise<unknown> {
    const writes: Promise<unknown>[] = [];
    for (const [output, value] of Object.entries(set) as [IndicatorOutput, Level][]) {
      const line = this.#lines.get(output);
      if (!line) continue;
      // A failed LED write must not take the reader loop down: log and carry on.
      writes.push(
        line
          .write(value)
          .catch((error: unknown) =>
            this.#logger.warn('gpio write failed', { output, error: errorMessage(error) }),
          ),
      );
    }
    return Promise.all(writes);
  }

  #closeLines(): void {
    for (const line of this.#lines.values()) {
      try {
        line.close();
      } catch {
        // already unexported
      }
    }
    this.#lines.clear();
  }
}
