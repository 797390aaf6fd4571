import { describe, expect, it } from 'vitest';
import { openHardwareSpi } from '../../../hardware/src/transport/spi.ts';

describe('openHardwareSpi', () => {
  it('loads the real spi-device module; a missing /dev/spidev node says how to enable SPI', async () => {
    const spi = await openHardwareSpi({ bus: 9, device: 7 });
    expect(() => spi.open()).toThrow(
      expect.objectContaining({
        code: 'NOT_FOUND',
        message: expect.stringMatching(/^\/dev\/spidev9\.7 does not exist: enable SPI/),
      }),
    );
    expect(() => spi.transfer(Uint8Array.of(0x80, 0))).toThrow(
      expect.objectContaining({ code: 'NOT_CONNECTED' }),
    );
  });

  it('says how to repair a spi-device module that does not load', async () => {
    const broken = () => Promise.reject(new Error('Could not locate the bindings file'));
    await expect(openHardwareSpi({}, broken)).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringContaining('npm rebuild spi-device'),
    });
  });
});
