import { openSerialPort, type SerialOpener } from '../../transport/serial.ts';
import { LineSplitter, normaliseUid } from '../../util/uid.ts';
import {
  type ReaderConnection,
  SupervisedReader,
  type SupervisedReaderOptions,
} from '../supervised-reader.ts';

export interface LineReaderOptions extends SupervisedReaderOptions {
  path: string;
  baudRate?: number;
  /** Transport seam; defaults to the real `serialport`. */
  open?: SerialOpener;
}

/**
 * USB/serial readers that print one UID per line (CR, LF or CRLF). Readers that repeat
 * the UID while a card is held stay one tap thanks to the debouncer's removal window.
 */
export class LineReader extends SupervisedReader {
  readonly #options: LineReaderOptions;

  constructor(options: LineReaderOptions) {
    super(options, 1_000);
    this.#options = options;
  }

  protected override async connect(): Promise<ReaderConnection> {
    const open = this.#options.open ?? openSerialPort;
    const link = await open({ path: this.#options.path, baudRate: this.#options.baudRate ?? 9600 });
    const splitter = new LineSplitter();
    const offData = link.onData((chunk) => {
      for (const line of splitter.push(chunk)) {
        const uid = normaliseUid(line);
        if (uid) this.reportSeen(uid, 'unknown');
        else this.logger.debug('ignored line', { reader: this.id, length: line.length });
      }
    });
    this.logger.debug('port open', { reader: this.id, path: link.path });
    return {
      lost: link.closed,
      close: async () => {
        offData();
        await link.close();
      },
    };
  }
}
