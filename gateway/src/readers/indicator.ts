import {
  GpioIndicator,
  type GpioLineFactory,
  type Indicator,
  type IndicatorPattern,
  MemoryIndicator,
} from '../../../hardware/src/index.ts';
import type { Config } from '../config/load.ts';
import type { Logger } from '../core/logger.ts';

export interface IndicatorSeams {
  /** The GPIO seam (default onoff); tests pass `emulatedLineFactory().factory`. */
  gpioLineFactory?: GpioLineFactory;
  /** Where the header GPIO chip is looked up (default /sys/class/gpio). */
  gpioSysfsRoot?: string;
}

/**
 * The store's lights and buzzer: a GpioIndicator on the config's `indicator` pins (BCM), or a
 * MemoryIndicator (remembers what it showed) when none are configured. If the GPIO lines cannot
 * be opened (not a Pi, not in the gpio group) the gateway keeps running on a MemoryIndicator and
 * says so: taps matter more than lights. `loyalty-edge doctor` checks GPIO access.
 */
export class StoreIndicator implements Indicator {
  readonly name = 'indicator';
  #active: Indicator;
  readonly #gpio: GpioIndicator | null;

  constructor(
    config: Pick<Config, 'indicator'>,
    private readonly logger: Logger,
    seams: IndicatorSeams = {},
  ) {
    const pins = config.indicator;
    const wired = pins && (pins.ledOk ?? pins.ledError ?? pins.buzzer) !== undefined;
    this.#gpio = wired
      ? new GpioIndicator({
          pins: {
            ...(pins.ledOk !== undefined ? { green: pins.ledOk } : {}),
            ...(pins.ledError !== undefined ? { red: pins.ledError } : {}),
            ...(pins.buzzer !== undefined ? { buzzer: pins.buzzer } : {}),
          },
          sysfsRoot: seams.gpioSysfsRoot,
          lineFactory: seams.gpioLineFactory,
          logger: {
            debug: (m, f) => logger.debug(m, f),
            info: (m, f) => logger.info(m, f),
            warn: (m, f) => logger.warn(m, f),
            error: (m, f) => logger.error(m, f),
          },
        })
      : null;
    this.#active = new MemoryIndicator();
  }

  /** `gpio` once the lines are open; `memory` without pins or when GPIO failed. */
  get kind(): 'gpio' | 'memory' {
    return this.#active === this.#gpio ? 'gpio' : 'memory';
  }

  /** Every pattern shown since start (the MemoryIndicator's record; empty on GPIO). */
  get shown(): readonly IndicatorPattern[] {
    return this.#active instanceof MemoryIndicator ? this.#active.shown : [];
  }

  show(pattern: IndicatorPattern): void {
    this.#active.show(pattern);
  }

  async start(): Promise<void> {
    if (!this.#gpio) return;
    try {
      await this.#gpio.start();
      this.#active = this.#gpio;
    } catch (error) {
      this.logger.error('indicator GPIO not available; running without lights', {
        error: (error as Error).message,
      });
    }
  }

  async stop(): Promise<void> {
    await this.#active.stop();
  }
}
