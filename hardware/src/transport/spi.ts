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

/** Loads the `spi-device` module (a seam: tests load a missing one). */
export type SpiModuleLoader = () => Promise<unknown>;

const loadSpiDevice: SpiModuleLoader = () => {
  const name = 'spi-device'; // a variable: the package ships no types
  return import(name);
};

/**
 * Hardware SPI through /dev/spidevB.D with `spi-device` (a native module, built at install).
 * It is loaded only when an MFRC522 is configured; a build that failed, or a missing device
 * node, is a clear error (the reader retries with backoff and reports itself offline).
 */
export async function openHardwareSpi(
  options: HardwareSpiOptions = {},
  load: SpiModuleLoader = loadSpiDevice,
): Promise<SpiDevice> {
  const bus = options.bus ?? 0;
  const device = options.device ?? 0;
  const speedHz = options.speedHz ?? 1_000_000;
  const path = `/dev/spidev${bus}.${device}`;
  let mod: SpiDeviceModule;
  try {
    const loaded = (await load()) as { default?: SpiDeviceModule } & SpiDeviceModule;
    mod = loaded.default ?? loaded;
  } catch (error) {
    throw new HardwareError(
      'UNSUPPORTED',
      'hardware SPI needs the spi-device module, which did not load: run npm rebuild spi-device in the release',
      { cause: error },
    );
  }
  let handle: ReturnType<SpiDeviceModule['openSync']> | undefined;
  const transfer = (data: Uint8Array): Uint8Array => {
    if (!handle) throw new HardwareError('NOT_CONNECTED', `${path} is not open`);
    const receiveBuffer = Buffer.alloc(data.length);
    handle.transferSync([{ sendBuffer: Buffer.from(data), receiveBuffer, byteLength: data.length, speedHz }]);
    return new Uint8Array(receiveBuffer);
  };
  return {
    open() {
      try {
        handle ??= mod.openSync(bus, device, { mode: 0, maxSpeedHz: speedHz });
      } catch (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        throw new HardwareError(
          missing ? 'NOT_FOUND' : 'IO',
          missing
            ? `${path} does not exist: enable SPI (raspi-config nonint do_spi 0) and reboot`
            : `${path}: ${(error as Error).message}`,
          { cause: error },
        );
      }
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
