import type { Indicator, IndicatorPattern } from '../types.ts';

/**
 * An indicator with no hardware: remembers what was shown. For the demo (no GPIO) and for
 * gateway tests that assert "a good tap showed ok".
 */
export class MemoryIndicator implements Indicator {
  readonly shown: IndicatorPattern[] = [];
  current: IndicatorPattern = 'idle';

  show(pattern: IndicatorPattern): void {
    this.shown.push(pattern);
    this.current = pattern;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.current = 'idle';
  }
}
