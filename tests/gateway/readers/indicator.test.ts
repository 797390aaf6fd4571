import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatedLineFactory, HardwareError } from '../../../hardware/src/index.ts';
import { type GatewayFixture, startGateway } from '../../fakes/gateway-fixture.ts';
import { FIXTURES, makeSysfsTree } from '../../hardware/helpers/sysfs.ts';
import { connectKiosk, type KioskClient } from '../../kiosk/kiosk-client.ts';

/** Pi 4 numbering: sysfs number = 512 + BCM. Pins as in docs/wiring.md. */
const GREEN = 512 + 5;
const RED = 512 + 6;
const BUZZER = 512 + 13;

describe('the indicator on GPIO, driven by taps (emulated lines behind the onoff seam)', () => {
  const gpio = emulatedLineFactory();
  const sysfs = makeSysfsTree(FIXTURES['Pi 4, bookworm/trixie']);
  let fx: GatewayFixture;
  let kiosk: KioskClient;

  beforeAll(async () => {
    fx = await startGateway(
      {
        readers: [{ id: 'reader-1', driver: 'simulated', debounceMs: 20 }],
        indicator: { ledOk: 5, ledError: 6, buzzer: 13 },
      },
      undefined,
      { hardware: { gpioLineFactory: gpio.factory, gpioSysfsRoot: sysfs } },
    );
    kiosk = await connectKiosk(fx.url);
  });

  afterAll(async () => {
    await kiosk.close();
    await fx.stop();
    rmSync(sysfs, { recursive: true, force: true });
  });

  const line = (n: number) => {
    const l = gpio.lines.get(n);
    if (!l) throw new Error(`gpio ${n} was never opened`);
    return l;
  };
  const allOff = () => [GREEN, RED, BUZZER].every((n) => line(n).value === 0);
  const marks = () => [GREEN, RED, BUZZER].map((n) => line(n).writes.length);
  const wroteSince = (n: number, mark: number, value: 0 | 1) =>
    line(n)
      .writes.slice(mark)
      .some((w) => w.value === value);

  it('opens the header chip’s lines for the configured BCM pins, all off', () => {
    expect(fx.gateway.indicator.kind).toBe('gpio');
    expect([...gpio.lines.keys()].sort()).toEqual([GREEN, RED, BUZZER]);
    expect(allOff()).toBe(true);
  });

  it('a member’s card: green with a beep, never red, then back to idle (all off)', async () => {
    const [g, r, b] = marks();
    const session = kiosk.nextSession();
    fx.gateway.readers.simulated('reader-1')?.tap('04A1B2C3');
    expect(await session).toMatchObject({ state: 'member' });
    await expect.poll(() => wroteSince(GREEN, g!, 1) && wroteSince(BUZZER, b!, 1)).toBe(true);
    await expect.poll(allOff, { timeout: 3_000 }).toBe(true);
    expect(wroteSince(RED, r!, 1)).toBe(false);
  });

  it('an unknown card: red with beeps, then back to idle', async () => {
    const [, r, b] = marks();
    const session = kiosk.nextSession();
    fx.gateway.readers.simulated('reader-1')?.tap('DEADBEEF01');
    expect(await session).toMatchObject({ state: 'unknown-card' });
    await expect.poll(() => wroteSince(RED, r!, 1) && wroteSince(BUZZER, b!, 1)).toBe(true);
    await expect.poll(allOff, { timeout: 3_000 }).toBe(true);
  });

  it('a blocked card: red', async () => {
    fx.gateway.ledger.setCardStatus('3D4E5F60', 'blocked');
    const [, r] = marks();
    const session = kiosk.nextSession();
    fx.gateway.readers.simulated('reader-1')?.tap('3D4E5F60');
    expect(await session).toMatchObject({ state: 'refused', error: { code: 'CARD_BLOCKED' } });
    await expect.poll(() => wroteSince(RED, r!, 1)).toBe(true);
  });
});

describe('the indicator when GPIO cannot be opened', () => {
  it('the gateway runs on, without lights (a MemoryIndicator records the patterns)', async () => {
    const sysfs = makeSysfsTree(FIXTURES['Pi 5, trixie']);
    const fx = await startGateway({ indicator: { ledOk: 5 } }, undefined, {
      hardware: {
        gpioSysfsRoot: sysfs,
        gpioLineFactory: async () => {
          throw new HardwareError('NOT_ACCESSIBLE', 'GPIO sysfs interface is not accessible');
        },
      },
    });
    try {
      expect(fx.gateway.indicator.kind).toBe('memory');
      const kiosk = await connectKiosk(fx.url);
      const session = kiosk.nextSession();
      fx.gateway.readers.simulated('reader-1')?.tap('04A1B2C3');
      expect(await session).toMatchObject({ state: 'member' });
      expect(fx.gateway.indicator.shown).toEqual(['busy', 'ok']);
      await kiosk.close();
    } finally {
      await fx.stop();
      rmSync(sysfs, { recursive: true, force: true });
    }
  });

  it('without an indicator in the config, a MemoryIndicator', async () => {
    const fx = await startGateway();
    try {
      expect(fx.gateway.indicator.kind).toBe('memory');
    } finally {
      await fx.stop();
    }
  });
});
