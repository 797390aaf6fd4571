import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GpioIndicator } from '../../../hardware/src/gpio/indicator.ts';
import { emulatedLineFactory, onoffLineFactory } from '../../../hardware/src/gpio/line.ts';
import { gpioResetLine } from '../../../hardware/src/gpio/reset-line.ts';
import { systemClock } from '../../../hardware/src/util/clock.ts';
import { FIXTURES, makeSysfsTree } from '../helpers/sysfs.ts';

describe('GpioIndicator on emulated lines', () => {
  let root: string;
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    root = makeSysfsTree(FIXTURES['Pi 5, trixie']);
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(root, { recursive: true, force: true });
  });

  async function started() {
    const { factory, lines } = emulatedLineFactory();
    const indicator = new GpioIndicator({
      pins: { green: 5, red: 6, buzzer: 13 },
      sysfsRoot: root,
      lineFactory: factory,
    });
    await indicator.start();
    await vi.advanceTimersByTimeAsync(0);
    return { indicator, green: lines.get(576)!, red: lines.get(577)!, buzzer: lines.get(584)! };
  }

  it('opens base + BCM lines and starts idle (all off)', async () => {
    const { green, red, buzzer } = await started();
    expect([green.value, red.value, buzzer.value]).toEqual([0, 0, 0]);
  });

  it('ok: green with an 80 ms beep, then back to idle', async () => {
    const { indicator, green, buzzer } = await started();
    buzzer.writes.length = 0;
    indicator.show('ok');
    await vi.advanceTimersByTimeAsync(0);
    expect([green.value, buzzer.value]).toEqual([1, 1]);
    await vi.advanceTimersByTimeAsync(80);
    expect([green.value, buzzer.value]).toEqual([1, 0]);
    await vi.advanceTimersByTimeAsync(720);
    expect(green.value).toBe(0);
    expect(buzzer.writes.map((w) => [w.value, w.at])).toEqual([
      [1, 0],
      [0, 80],
      [0, 800],
      [0, 800],
    ]);
  });

  it('error: red with three beeps', async () => {
    const { indicator, red, buzzer } = await started();
    buzzer.writes.length = 0;
    indicator.show('error');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(buzzer.writes.filter((w) => w.value === 1)).toHaveLength(3);
    expect(red.writes.some((w) => w.value === 1)).toBe(true);
    expect(red.value).toBe(0);
  });

  it('busy blinks until another pattern replaces it', async () => {
    const { indicator, green } = await started();
    green.writes.length = 0;
    indicator.show('busy');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(green.writes.filter((w) => w.value === 1).length).toBeGreaterThanOrEqual(4);
    indicator.show('idle');
    const count = green.writes.length;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(green.writes.length).toBe(count + 0);
    expect(green.value).toBe(0);
  });

  it('stop turns everything off and releases the lines', async () => {
    const { indicator, green } = await started();
    indicator.show('busy');
    await indicator.stop();
    expect(green.value).toBe(0);
    expect(green.closed).toBe(true);
  });

  it('pulses a reset line low then high', async () => {
    const { factory, lines } = emulatedLineFactory();
    await factory(537);
    const line = lines.get(537)!;
    const pulse = gpioResetLine(line, systemClock).pulse();
    await vi.advanceTimersByTimeAsync(100);
    await pulse;
    expect(line.writes.map((w) => [w.value, w.at])).toEqual([
      [0, 0],
      [1, 50],
    ]);
  });
});

describe('onoff factory off a Pi', () => {
  it('explains that GPIO sysfs is not accessible', async () => {
    const { Gpio } = await import('onoff');
    if (Gpio.accessible) return; // on a real Pi this is not the case to test
    await expect(onoffLineFactory(529)).rejects.toThrow(/not accessible.*gpio group/);
  });
});

describe('MemoryIndicator', () => {
  it('records patterns for hardware-less runs', async () => {
    const { MemoryIndicator } = await import('../../../hardware/src/gpio/memory-indicator.ts');
    const indicator = new MemoryIndicator();
    await indicator.start();
    indicator.show('ok');
    indicator.show('error');
    expect(indicator.shown).toEqual(['ok', 'error']);
    await indicator.stop();
    expect(indicator.current).toBe('idle');
  });
});
