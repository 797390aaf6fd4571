// Public surface of hardware/: the gateway imports only from here.

export {
  type CheckEnvironment,
  type CheckResult,
  checkGpio,
  checkReader,
  checkSerialPort,
  checkSpi,
  type ReaderCheckConfig,
} from './checks/device-checks.ts';
export { createReader, type ReaderConfig, type ReaderDependencies } from './create-reader.ts';
export {
  DEFAULT_PATTERNS,
  GpioIndicator,
  type GpioIndicatorOptions,
  type IndicatorOutput,
  type PatternDefinition,
  type PatternStep,
} from './gpio/indicator.ts';
export {
  EmulatedGpioLine,
  emulatedLineFactory,
  type GpioLine,
  type GpioLineFactory,
  type Level,
  onoffLineFactory,
} from './gpio/line.ts';
export { MemoryIndicator } from './gpio/memory-indicator.ts';
export { gpioResetLine } from './gpio/reset-line.ts';
export {
  findHeaderChip,
  type GpioChipInfo,
  HEADER_CHIP_LABELS,
  listGpioChips,
  sysfsNumber,
} from './gpio/sysfs-chip.ts';
export { EmulatedCard, type EmulatedCardOptions } from './nfc/emulated-card.ts';
export { LineReader, type LineReaderOptions } from './nfc/line/line-reader.ts';
export { Mfrc522Emulator } from './nfc/mfrc522/emulator.ts';
export { Mfrc522Reader, type Mfrc522ReaderOptions } from './nfc/mfrc522/mfrc522-reader.ts';
export { Pn532Emulator } from './nfc/pn532/emulator.ts';
export { Pn532Reader, type Pn532ReaderOptions } from './nfc/pn532/pn532-reader.ts';
export { SimulatedReader, type SimulatedReaderOptions } from './nfc/simulated/simulated-reader.ts';
export {
  type ReaderConnection,
  SupervisedReader,
  type SupervisedReaderOptions,
} from './nfc/supervised-reader.ts';
export {
  buildCardToken,
  type CardTokenFields,
  splitToken,
  TOKEN_BLOCKS,
  TOKEN_BYTES,
  TOKEN_PAGES,
  type TokenVerification,
  verifyCardToken,
} from './token/card-token.ts';
export {
  openSerialPort,
  type SerialLink,
  type SerialOpener,
  type SerialOpenOptions,
} from './transport/serial.ts';
export { type HardwareSpiOptions, openHardwareSpi, type SpiDevice } from './transport/spi.ts';
export * from './types.ts';
export { type BackoffOptions, defaultBackoff } from './util/backoff.ts';
export { type Clock, systemClock } from './util/clock.ts';
export { type DebounceEvent, TapDebouncer } from './util/debounce.ts';
export { maskUid, noopLogger } from './util/logger.ts';
export { normaliseUid } from './util/uid.ts';
