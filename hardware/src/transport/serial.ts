/**
 * The serial seam. Readers take a `SerialOpener`; the default opens the real `serialport`,
 * tests pass the same function pointed at socat ptys, or their own fake link.
 */
export interface SerialLink {
  readonly path: string;
  write(data: Uint8Array): Promise<void>;
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /** Settles once, when the port closes for any reason (unplug, error, `close()`). */
  readonly closed: Promise<Error>;
  close(): Promise<void>;
}

export interface SerialOpenOptions {
  path: string;
  baudRate: number;
}

export type SerialOpener = (options: SerialOpenOptions) => Promise<SerialLink>;

/** Opens a port with `serialport` (imported lazily so readers without serial never load it). */
export const openSerialPort: SerialOpener = async ({ path, baudRate }) => {
  const { SerialPort } = await import('serialport');
  // hupcl false: DTR/RTS ioctls fail on ptys and some USB bridges; we never need them.
  const port = new SerialPort({ path, baudRate, autoOpen: false, hupcl: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  const listeners = new Set<(chunk: Uint8Array) => void>();
  port.on('data', (chunk: Buffer) => {
    for (const listener of listeners) listener(new Uint8Array(chunk));
  });
  const closed = new Promise<Error>((resolve) => {
    let lastError: Error | undefined;
    port.on('error', (error: Error) => {
      lastError = error;
    });
    port.on('close', (error?: Error | null) => resolve(error ?? lastError ?? new Error(`${path} closed`)));
  });
  return {
    path,
    closed,
    onData(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    write(data) {
      return new Promise<void>((resolve, reject) => {
        port.write(Buffer.from(data), (error) => {
          if (error) reject(error);
          else port.drain((drainError) => (drainError ? reject(drainError) : resolve()));
        });
      });
    },
    close() {
      if (!port.isOpen) return Promise.resolve();
      return new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
};
