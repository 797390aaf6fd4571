import { describe, expect, it } from 'vitest';
import { openHardwareSpi } from '../../../hardware/src/transport/spi.ts';

describe('openHardwareSpi', () => {
  it('explains how to get spi-device when it is not installed', async () => {
    await expect(openHardwareSpi({ bus: 0, device: 0 })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringContaining('npm install spi-device'),
    });
  });
});
