import { HardwareError } from '../types.ts';

/**
 * What `mfrc522-rpi` needs from its SPI object: `open()` once, then synchronous
 * `write`/`transfer` of whole buffers (a register read's value is at index 1).
 */
export interface SpiDevice {
  open(): void;
  write(data: Uint8Array): void;
  transfer(data: Uint8Array): Uint8Array;
  close?(): void;
}

export interface HardwareSpiOptions {
  bus?: number;
  device?: number;
  /** MFRC522 allows up to 10 MHz; 1 MHz is safe on breadboard wiring. */
  speedHz?: number;
}

/** The slice of the `spi-device` package we use (it ships no types). */
interface SpiDeviceModule {
  openSync(
    bus: number,
    device: number,
    options?: { mode?: number; maxSpeedHz?: number },
  ): {
    transferSync(
      messages: { sendBuffer: Buffer; receiveBuffer: Buffer; byteLength: number; speedHz?: number }[],
    ): void;
    closeSync(): void;
  };
}

/**
 * Hardware SPI through /dev/spidevB.D with `spi-device`. That package is not a dependency
 * (it needs a native build on the Pi): it is imported lazily and a clear error says how to
 * add it when it is missing.
 */
export async function openHardwareSpi(options: HardwareSpiOptions = {}): Promise<SpiDevice> {
  const bus = options.bus ?? 0;
  const device = options.device ?? 0;
  const speedHz = options.speedHz ?? 1_000_000;
  let mod: SpiDeviceModule;
  try {
    const name = 'spi-device'; // a variable so TypeScript does not resolve the missing package
    const loaded = (await import(name)) as { default?: SpiDeviceModule } & SpiDeviceModule;
    mod = loaded.default ?? loaded;
  } catch (error) {
    throw new HardwareError(
      'UNSUPPORTED',
      'hardware SPI needs the spi-device package: npm install spi-device',
      {
        cause: error,
      },
    );
  }
  let handle: ReturnType<SpiDeviceModule['openSync']> | undefined;
  const transfer = (data: Uint8Array): Uint8Array => {
    if (!handle) throw new HardwareError('NOT_CONNECTED', `/dev/spidev${bus}.${device} is not open`);
    const receiveBuffer = Buffer.alloc(data.length);
    handle.transferSync([{ sendBuffer: Buffer.from(data), receiveBuffer, byteLength: data.length, speedHz }]);
    return new Uint8Array(receiveBuffer);
  };
  return {
    open() {
      handle ??= mod.openSync(bus, device, { mode: 0, maxSpeedHz: speedHz });
    },
    write(data) {
      transfer(data);
    },
    transfer,
    close() {
      handle?.closeSync();
      handle = undefined;
    },
  };
}
