import { type CardType, HardwareError } from '../../types.ts';
import { normaliseUid } from '../../util/uid.ts';
import {
  type ReaderConnection,
  SupervisedReader,
  type SupervisedReaderOptions,
} from '../supervised-reader.ts';

export interface SimulatedReaderOptions extends SupervisedReaderOptions {}

/**
 * A reader fed programmatically (the gateway wires `loyalty-edge tap` and the loopback
 * HTTP endpoint to `tap`). Same events and debouncing as the hardware readers.
 */
export class SimulatedReader extends SupervisedReader {
  #unplug: ((reason: Error) => void) | undefined;
  #failConnects = 0;

  constructor(options: SimulatedReaderOptions) {
    super(options, 1_000);
  }

  /** A card presented once. Repeats within the removal window are the same tap. */
  tap(uid: string, cardType: CardType = 'unknown'): string {
    const normalised = normaliseUid(uid);
    if (!normalised) throw new HardwareError('PROTOCOL', 'uid must be hex bytes, e.g. 04A1B2C3');
    if (!this.online) throw new HardwareError('NOT_CONNECTED', `reader ${this.id} is not online`);
    this.reportSeen(normalised, cardType);
    return normalised;
  }

  /** Test hook: drop the connection, and fail the next `failConnects` reconnects. */
  unplug(failConnects = 0): void {
    this.#failConnects = failConnects;
    this.#unplug?.(new Error('simulated unplug'));
  }

  protected override async connect(): Promise<ReaderConnection> {
    if (this.#failConnects > 0) {
      this.#failConnects--;
      throw new HardwareError('NOT_CONNECTED', 'simulated reader absent');
    }
    const lost = new Promise<Error>((resolve) => {
      this.#unplug = resolve;
    });
    return {
      lost,
      close: async () => {
        this.#unplug = undefined;
      },
    };
  }
}
